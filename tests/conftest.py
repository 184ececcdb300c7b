"""Fixtures. Configs come from `tests/helpers/config.py` (the real conf/ tree, checked, shrunk in one place).

Data: fast and end-to-end tests run on small data sets the tests write in the real formats
(`tests/helpers/datasets.py`, fixture `mirror`). Tests that need the full data sets or the seed cards
take the fixture `shared`: the directory `../shared` beside the repository (or $SIMPIPE_TEST_MIRROR),
holding `data/` and `seeds/`; without it they are skipped with the reason. No test reads it otherwise.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.helpers.config import SHARED, run_config, variant_config, write_params
from tests.helpers.datasets import write_mirror

# Tests never reach a hub: a download attempt fails at once instead of hanging.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


@pytest.fixture(scope="session", autouse=True)
def simpipe_cache(tmp_path_factory):
    """Distilled static vectors are kept for this session only (its stages and their subprocesses share
    them), never in the user's ~/.cache/simpipe."""
    os.environ["SIMPIPE_CACHE"] = str(tmp_path_factory.mktemp("simpipe-cache"))
    yield
    os.environ.pop("SIMPIPE_CACHE", None)


@pytest.fixture(autouse=True)
def no_mlflow_state_leaks():
    """Fails the test that leaves MLflow's process-wide target changed (`mlflow.set_tracking_uri` exports
    MLFLOW_TRACKING_URI, which would send later tests' runs to its store), and restores it."""
    keys = ("MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_ID")
    before = {key: os.environ.get(key) for key in keys}
    yield
    after = {key: os.environ.get(key) for key in keys}
    for key, value in before.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    if after != before:
        pytest.fail(f"the test changed {after} (was {before}): use simpipe.tracking.tracker.fluent_mlflow")


@pytest.fixture(autouse=True)
def no_signal_handler_leaks():
    """`simpipe.cli.main` turns SIGTERM into SystemExit for its run; a test that calls it in-process must not
    leave that handler to the rest of the session (a SIGTERM to pytest would then end one test, not pytest)."""
    before = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, before)


@pytest.fixture(scope="session")
def shared() -> Path:
    """The full data sets and seed cards (`data/`, `seeds/`); skips the test when they are absent."""
    if not (SHARED / "data").is_dir() or not (SHARED / "seeds").is_dir():
        pytest.skip(f"needs the full data and seed cards at {SHARED} (set SIMPIPE_TEST_MIRROR to such a copy)")
    return SHARED


@pytest.fixture(scope="session")
def mirror(tmp_path_factory) -> Path:
    """A small data mirror in the real file formats, written for this test session."""
    return write_mirror(tmp_path_factory.mktemp("mirror"))


@pytest.fixture(scope="session")
def variant_cfg():
    """A variant's single-run config as shipped (conf/run.yaml), with overrides: `variant_cfg(name, *overrides)`."""
    return variant_config


@pytest.fixture
def run_cfg(tmp_path, mirror):
    """A variant's single-run config shrunk to the quick profile under tmp_path: `run_cfg(name, *overrides)`."""

    def make(variant: str, *overrides: str):
        return run_config(variant, tmp_path, mirror, *overrides)

    return make


@pytest.fixture
def quick_params(mirror):
    """`root/params.yaml` of the whole pipeline on the quick profile: `quick_params(root, *overrides)`."""

    def make(root: Path, *overrides: str) -> Path:
        return write_params(root, mirror, *overrides)

    return make
