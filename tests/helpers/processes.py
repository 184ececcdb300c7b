"""simpipe as a user runs it, in subprocesses: the raw data fetched into a launch directory, a sweep."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from simpipe.data.fetch import fetch
from tests.helpers.config import VARIANTS, variant_config


def fetch_all(cwd: Path, mirror: Path) -> None:
    """Every variant's raw data from `mirror` into `cwd/data/raw/`."""
    for variant in VARIANTS:
        data = variant_config(variant).data
        fetch(data, cwd / "data" / "raw" / data.raw_subdir, mirror)


def sweep(cwd: Path, *overrides: str) -> subprocess.CompletedProcess:
    """Run a quick-profile multirun with `cwd` as the launch directory (raw data, MLflow store, runs/)."""
    args = [sys.executable, "-m", "simpipe.sweep", "-m", "profile=quick", "hydra.sweep.dir=sweep", *overrides]
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True)
