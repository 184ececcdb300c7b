"""simpipe as a user runs it, in subprocesses: the raw data fetched into a launch directory, a sweep, a
copy of the project with the real `dvc` and the copy's own `simpipe`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from omegaconf import OmegaConf

from simpipe.core.config import REPO_ROOT
from simpipe.data.fetch import fetch
from tests.helpers.config import VARIANTS, pipeline_config, variant_config


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


def project_copy(root: Path, mirror: Path, *overrides: str) -> Path:
    """A copy of the project in `root/repo` (a git repo, raw data fetched from `mirror`) whose params.yaml
    is composed with `overrides` (e.g. the quick profile)."""
    repo = root / "repo"
    repo.mkdir()
    for name in PROJECT:
        src, dst = REPO_ROOT / name, repo / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if src.is_dir() else shutil.copy)(src, dst)
    (repo / "params.yaml").write_text(OmegaConf.to_yaml(pipeline_config(*overrides)))
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
