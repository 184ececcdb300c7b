"""Shared fixtures. Configs are composed from the real conf/ tree and shrunk in one place: `shrink`.

Data: fast and end-to-end tests run on small data sets the tests write in the real formats
(`tests/fixtures.py`, fixture `mirror`). Tests that need the full data sets or the seed cards
take the fixture `shared`: the directory `../shared` beside the repository (or $SIMPIPE_TEST_MIRROR),
holding `data/` and `seeds/`; without it they are skipped with the reason. No test reads it otherwise.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from simpipe.config import CONF_DIR, REPO_ROOT, compose
from tests.fixtures import write_mirror

SHARED = Path(os.environ.get("SIMPIPE_TEST_MIRROR", REPO_ROOT.parent / "shared"))
VARIANTS = sorted(p.stem for p in (CONF_DIR / "variant").glob("*.yaml"))

# Tests never reach a hub: a download attempt fails at once instead of hanging.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


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
        pytest.fail(f"the test changed {after} (was {before}): use simpipe.tracking.fluent_mlflow")


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


def reference_override(variant: str, prefix: str = "") -> list[str]:
    """The `report.reference` override pointing `variant` at its facts file by absolute path
    (the config's relative path holds only from the repository root); [] without a reference."""
    reference = compose("run", [f"variant={variant}"]).report.reference
    return [f"{prefix}report.reference={REPO_ROOT / reference}"] if reference else []


def reference_overrides(prefix: str = "") -> list[str]:
    """`reference_override` of every variant, each under `prefix` (formatted with the variant)."""
    return [o for v in VARIANTS for o in reference_override(v, prefix.format(variant=v))]


def shrink(root: Path, mirror: Path) -> list[str]:
    """The overrides that make any variant test-sized and keep every artifact under `root`."""
    return [
        "profile=quick",
        f"paths.root={root}",
        f"paths.mirror={mirror}",
        f"tracking.uri=sqlite:///{root / 'mlflow.db'}",
    ]


def write_params(root: Path, mirror: Path, *overrides: str) -> Path:
    """`root/params.yaml`: the pipeline config (conf/config.yaml + `overrides`) with every variant on
    the quick profile and every artifact under `root`, for running `simpipe <stage> --params` in tests."""
    cfg = compose(
        "config",
        [*(f"profile@variants.{v}=quick" for v in VARIANTS), *reference_overrides("variants.{variant}."), *overrides],
    )
    common = compose("run", shrink(root, mirror))
    cfg.paths, cfg.tracking = common.paths, common.tracking
    root.mkdir(parents=True, exist_ok=True)
    (root / "params.yaml").write_text(OmegaConf.to_yaml(cfg))
    return root / "params.yaml"


@pytest.fixture
def run_cfg(tmp_path, mirror):
    """Compose conf/run.yaml for a variant, shrunk to the quick profile under tmp_path."""

    def make(variant: str, *overrides: str):
        return compose(
            "run", [f"variant={variant}", *shrink(tmp_path, mirror), *reference_override(variant), *overrides]
        )

    return make
