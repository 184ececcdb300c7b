"""Shared fixtures. Configs are composed from the real conf/ tree and shrunk in one place: `run_cfg`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from simpipe.config import CONF_DIR, REPO_ROOT, compose

MIRROR = Path(os.environ.get("SIMPIPE_TEST_MIRROR", REPO_ROOT.parent / "shared" / "data"))
SEEDS = MIRROR.parent / "seeds"
VARIANTS = sorted(p.stem for p in (CONF_DIR / "variant").glob("*.yaml"))

# Tests never reach a hub: a download attempt fails at once instead of hanging.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


def seed_card(variant: str) -> Path:
    """Absolute path of a variant's reference card (the config's relative one holds only from the repo root)."""
    return SEEDS / Path(compose("run", [f"variant={variant}"]).report.reference).name


def reference_overrides(prefix: str = "") -> list[str]:
    """`report.reference` overrides pointing every variant at its seed card by absolute path."""
    return [f"{prefix.format(variant=v)}report.reference={seed_card(v)}" for v in VARIANTS]


def shrink(root: Path) -> list[str]:
    """The overrides that make any variant test-sized and keep every artifact under `root`."""
    return [
        "profile=quick",
        f"paths.root={root}",
        f"paths.mirror={MIRROR}",
        f"tracking.uri=sqlite:///{root / 'mlflow.db'}",
    ]


def write_params(root: Path, *overrides: str) -> Path:
    """`root/params.yaml`: the pipeline config (conf/config.yaml + `overrides`) with every variant on
    the quick profile and every artifact under `root`, for running `simpipe <stage> --params` in tests."""
    cfg = compose("config", [*(f"profile@variants.{v}=quick" for v in VARIANTS), *overrides])
    shared = compose("run", shrink(root))
    cfg.paths, cfg.tracking = shared.paths, shared.tracking
    root.mkdir(parents=True, exist_ok=True)
    (root / "params.yaml").write_text(OmegaConf.to_yaml(cfg))
    return root / "params.yaml"


@pytest.fixture(scope="session")
def mirror() -> Path:
    if not MIRROR.is_dir():
        pytest.fail(f"data mirror {MIRROR} not found; set SIMPIPE_TEST_MIRROR to a copy of shared/data")
    return MIRROR


@pytest.fixture
def run_cfg(tmp_path):
    """Compose conf/run.yaml for a variant, shrunk to the quick profile under tmp_path."""

    def make(variant: str, *overrides: str):
        reference = f"report.reference={seed_card(variant)}"
        return compose("run", [f"variant={variant}", *shrink(tmp_path), reference, *overrides])

    return make
