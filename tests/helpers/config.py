"""Test configs, built one way: the real conf/ tree composed with Hydra, checked by simpipe's schema, and
shrunk in one place (`SHRINK`: the quick profile, every artifact and the MLflow store under a root).

Fixtures wrap these (tests/conftest.py: `variant_cfg`, `run_cfg`, `quick_params`); tests never compose
configs themselves.
"""

from __future__ import annotations

import os
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from simpipe.core.config import CONF_DIR, REPO_ROOT, compose
from simpipe.schema import check, check_pipeline

SHARED = Path(os.environ.get("SIMPIPE_TEST_MIRROR", REPO_ROOT.parent / "shared"))
VARIANTS = sorted(p.stem for p in (CONF_DIR / "variant").glob("*.yaml"))


def shrink(root: Path, mirror: Path) -> list[str]:
    """The overrides that make any variant test-sized and keep every artifact under `root`."""
    return [
        "profile=quick",
        f"paths.root={root}",
        f"paths.mirror={mirror}",
        f"tracking.uri=sqlite:///{root / 'mlflow.db'}",
    ]


def reference_override(variant: str, prefix: str = "") -> list[str]:
    """The `report.reference` override pointing `variant` at its facts file by absolute path
    (the config's relative path holds only from the repository root); [] without a reference."""
    reference = compose("run", [f"variant={variant}"]).report.reference
    return [f"{prefix}report.reference={REPO_ROOT / reference}"] if reference else []


def variant_config(variant: str, *overrides: str) -> DictConfig:
    """`variant`'s single-run config as shipped (conf/run.yaml), with `overrides`, checked."""
    return check(compose("run", [f"variant={variant}", *overrides]))


def run_config(variant: str, root: Path, mirror: Path, *overrides: str) -> DictConfig:
    """`variant` shrunk: quick profile, artifacts under `root`, raw data from `mirror`, checked."""
    return variant_config(variant, *shrink(root, mirror), *reference_override(variant), *overrides)


def write_params(root: Path, mirror: Path, *overrides: str) -> Path:
    """`root/params.yaml`: the pipeline config (conf/config.yaml + `overrides`) with every variant on
    the quick profile and every artifact under `root`, for running `simpipe <stage> --params` in tests."""
    quick = [f"profile@variants.{v}=quick" for v in VARIANTS]
    references = [o for v in VARIANTS for o in reference_override(v, f"variants.{v}.")]
    cfg = compose("config", [*quick, *references, *overrides])
    common = compose("run", shrink(root, mirror))
    cfg.paths, cfg.tracking = common.paths, common.tracking
    root.mkdir(parents=True, exist_ok=True)
    (root / "params.yaml").write_text(OmegaConf.to_yaml(cfg))
    return root / "params.yaml"


def tracking_config(root: Path, uri: str | None = None, enabled: bool = True, codecarbon: bool = True) -> DictConfig:
    """A run config whose MLflow store is under `root` (or at `uri`), experiment `t`: for Tracker tests
    (a plain function: subprocesses and multiprocessing workers build it too)."""
    return variant_config(
        "glove_bilstm_sts",
        f"paths.root={root}",
        f"tracking.uri={'null' if uri is None else repr(uri)}",
        f"tracking.enabled={str(enabled).lower()}",
        f"tracking.codecarbon.enabled={str(codecarbon).lower()}",
        "tracking.experiment=t",
    )


def pipeline_config(*overrides: str) -> DictConfig:
    """The pipeline config (conf/config.yaml, what params.yaml holds) with `overrides`, every variant checked."""
    cfg = compose("config", list(overrides))
    check_pipeline(cfg)
    return cfg
