"""simpipe as a user runs it, in subprocesses: the raw data fetched into a launch directory, a sweep, a
copy of the project with the real `dvc` and the copy's own `simpipe`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from simpipe.core.config import REPO_ROOT
from simpipe.data.fetch import fetch
from tests.helpers.config import VARIANTS, variant_config


def tool(name: str) -> str:
    """The command `name` of this Python's environment (dvc, mlflow), found without PATH holding its bin/."""
    path = Path(sys.executable).parent / name
    return str(path) if path.is_file() else name


# what a copy of the project holds: the pipeline, its config, its code, the reference facts
PROJECT = ("dvc.yaml", "conf", "src", "references", ".dvc/config", ".dvc/.gitignore", ".gitignore")


def fetch_all(cwd: Path, mirror: Path) -> None:
    """Every variant's raw data from `mirror` into `cwd/data/raw/`."""
    for variant in VARIANTS:
        data = variant_config(variant).data
        fetch(data, cwd / "data" / "raw" / data.raw_subdir, mirror)


def sweep(cwd: Path, *overrides: str) -> subprocess.CompletedProcess:
    """Run a quick-profile multirun with `cwd` as the launch directory (raw data, MLflow store, runs/)."""
    args = [sys.executable, "-m", "simpipe.sweep", "-m", "profile=quick", "hydra.sweep.dir=sweep", *overrides]
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True)


def project_copy(root: Path, mirror: Path, *overrides: str, variants: Sequence[str] = tuple(VARIANTS)) -> Path:
    """A copy of the project in `root/repo` (a git repo, raw data fetched from `mirror`) with only
    `variants` in its conf/config.yaml, whose params.yaml is composed with `overrides` (e.g. the quick
    profile)."""
    repo = root / "repo"
    repo.mkdir()
    for name in PROJECT:
        src, dst = REPO_ROOT / name, repo / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if src.is_dir() else shutil.copy)(src, dst)
    config = repo / "conf" / "config.yaml"
    dropped = "|".join(re.escape(v) for v in set(VARIANTS) - set(variants))
    if dropped:  # their `variant@variants.<v>` and `optional profile@variants.<v>` lines
        kept = [line for line in config.read_text().splitlines(keepends=True)
                if not re.match(rf"\s+- .*@variants\.({dropped}):", line)]  # fmt: skip
        config.write_text("".join(kept))
    made = copy_simpipe(repo, "params", *overrides)  # composed from the copy's conf/
    assert made.returncode == 0, made.stderr
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    fetched = copy_simpipe(repo, "fetch", "--mirror", str(mirror))
    assert fetched.returncode == 0, fetched.stderr
    return repo


def dvc(*args: str, cwd: Path) -> str:
    """The real `dvc` in `cwd`; its stdout (it must succeed)."""
    result = subprocess.run([tool("dvc"), *args], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def copy_simpipe(repo: Path, *args: str) -> subprocess.CompletedProcess:
    """`simpipe ARGS` of the copy `repo` (its src/ and conf/, not this checkout's), run in it."""
    env = {**os.environ, "PYTHONPATH": str(repo / "src")}
    return subprocess.run([sys.executable, "-m", "simpipe", *args], cwd=repo, env=env, capture_output=True, text=True)
