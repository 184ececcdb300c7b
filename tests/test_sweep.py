"""Hydra multirun through `python -m simpipe.sweep`: parallel jobs, nested MLflow runs, the sweep summary."""

import subprocess
import sys
from pathlib import Path

import mlflow
import pytest
from omegaconf import open_dict

from simpipe.core.errors import ConfigError
from simpipe.documents.runs import find_runs
from simpipe.sweep import PARENT_FILE, run_stages
from tests.helpers.processes import fetch_all, sweep


def runs(cwd: Path) -> list:
    client = mlflow.MlflowClient(f"sqlite:///{cwd / 'mlflow.db'}")
    return client.search_runs([client.get_experiment_by_name("simpipe").experiment_id])


@pytest.mark.slow
def test_two_by_two_sweep_with_two_workers_nests_four_runs_under_one_parent(tmp_path, mirror):
    fetch_all(tmp_path, mirror)
    result = sweep(
        tmp_path,
        "variant=glove_bilstm_sts",
        "train.learning_rate=1e-4,1e-3",
        "train.batch_size=8,16",
        "hydra.launcher.n_jobs=2",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "n_jobs=2" in result.stdout + result.stderr

    all_runs = runs(tmp_path)
    parents = [r for r in all_runs if r.data.tags.get("simpipe.sweep") == "parent"]
    assert len(parents) == 1
    parent = parents[0]
    assert (tmp_path / "sweep" / PARENT_FILE).read_text().strip() == parent.info.run_id
    children = [r for r in all_runs if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id]
    assert len(children) == 4
    assert {(r.data.params["train.learning_rate"], r.data.params["train.batch_size"]) for r in children} == {
        ("0.0001", "8"), ("0.0001", "16"), ("0.001", "8"), ("0.001", "16")
    }  # fmt: skip
    for child in children:
        assert child.info.status == "FINISHED"
        assert {"headline", "sts-dev/spearman_cosine", "sts-test/spearman_cosine", "train/loss"} <= set(
            child.data.metrics
        )
        assert child.data.tags["sweep.job"] in {"0", "1", "2", "3"}
        assert (tmp_path / "sweep" / child.data.tags["sweep.job"] / "metrics" / "glove_bilstm_sts").is_dir()

    best = max(children, key=lambda r: r.data.metrics["headline"])
    assert parent.info.status == "FINISHED"
    assert parent.data.metrics["best/headline"] == best.data.metrics["headline"]
    assert parent.data.metrics["sweep/jobs"] == 4
    assert parent.data.tags["best.run_id"] == best.info.run_id
    assert "train.learning_rate=1e-4,1e-3" in parent.data.params["sweep.overrides"]
    artifacts = {a.path for a in mlflow.MlflowClient(f"sqlite:///{tmp_path / 'mlflow.db'}").list_artifacts(
        parent.info.run_id, "sweep")}  # fmt: skip
    assert artifacts == {"sweep/runs.md", "sweep/runs.html", "sweep/runs.png"}
    summary = (tmp_path / "sweep" / "runs.md").read_text()
    assert "train.batch_size" in summary and "train.learning_rate" in summary

    rows = find_runs(f"sqlite:///{tmp_path / 'mlflow.db'}", "simpipe", parent=parent.info.run_id)
    assert len(rows) == 4 and all(row.curve for row in rows)


@pytest.mark.slow
def test_failed_sweep_still_ends_its_parent_run(tmp_path, mirror):
    fetch_all(tmp_path, mirror)
    result = sweep(tmp_path, "variant=glove_bilstm_sts", "stages=[prepare,fit]", "hydra.launcher.n_jobs=1")
    assert result.returncode != 0
    assert "stages: unknown stage 'fit'; choose from prepare" in result.stderr
    (parent,) = [r for r in runs(tmp_path) if r.data.tags.get("simpipe.sweep") == "parent"]
    assert parent.info.status == "FAILED"


@pytest.mark.slow
def test_single_run_mode_has_no_parent(tmp_path, mirror):
    """Without -m: one run in hydra.run.dir, named after the variant, not nested."""
    fetch_all(tmp_path, mirror)
    args = [sys.executable, "-m", "simpipe.sweep", "variant=glove_bilstm_sts", "profile=quick", "hydra.run.dir=run"]
    result = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "run" / "metrics" / "glove_bilstm_sts" / "metrics.json").is_file()
    (run,) = runs(tmp_path)
    assert run.info.run_name == "glove_bilstm_sts" and "mlflow.parentRunId" not in run.data.tags


def test_unknown_stage_names_the_key_and_the_choices(run_cfg):
    cfg = run_cfg("glove_bilstm_sts")
    with open_dict(cfg):
        cfg.stages = ["prepare", "fit"]
    with pytest.raises(
        ConfigError,
        match=r"stages: unknown stage 'fit'; choose from prepare, mine, baseline, train, candidates, evaluate, "
        r"comparison, card, report",
    ):
        run_stages(cfg)


def test_search_configs_compose():
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    from simpipe.core.config import CONF_DIR

    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        grid = hydra_compose("sweep", ["search=glove_grid"], return_hydra_config=True)
        optuna = hydra_compose("sweep", ["search=glove_optuna"], return_hydra_config=True)
        losses = hydra_compose("sweep", ["search=glove_loss"], return_hydra_config=True)
        homedepot = hydra_compose("sweep", ["search=homedepot_grid"], return_hydra_config=True)
        slurm = hydra_compose("sweep", ["search=glove_grid", "hydra/launcher=submitit_slurm"], return_hydra_config=True)
    assert grid.name == "glove_bilstm_sts" and set(grid.hydra.sweeper.params) == {
        "train.learning_rate", "train.epochs", "train.batch_size"
    }  # fmt: skip
    assert optuna.hydra.sweeper._target_.endswith("OptunaSweeper") and optuna.hydra.sweeper.direction == "maximize"
    assert losses.hydra.sweeper.params["train.loss"] == "CosineSimilarityLoss,CoSENTLoss,AnglELoss"
    assert homedepot.name == "minilm_homedepot" and set(homedepot.hydra.sweeper.params) == {
        "train.loss", "train.learning_rate", "train.epochs"
    }  # fmt: skip
    # launcher keys live in launcher configs: joblib's n_jobs by default, none of it under submitit
    assert grid.hydra.launcher.n_jobs == 2 and grid.hydra.launcher._target_.endswith("JoblibLauncher")
    assert slurm.hydra.launcher._target_.endswith("SlurmLauncher") and "n_jobs" not in slurm.hydra.launcher


@pytest.mark.slow
def test_submitit_local_launcher_runs_the_same_sweep_config(tmp_path, mirror):
    """The cluster engine (submitit; `submitit_slurm` takes the same config) as local processes: 2 nested runs."""
    fetch_all(tmp_path, mirror)
    result = sweep(
        tmp_path,
        "variant=glove_bilstm_sts",
        "hydra/launcher=submitit_local",
        "hydra.launcher.timeout_min=20",
        "train.learning_rate=1e-4,1e-3",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    all_runs = runs(tmp_path)
    (parent,) = [r for r in all_runs if r.data.tags.get("simpipe.sweep") == "parent"]
    children = [r for r in all_runs if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id]
    assert sorted(r.data.params["train.learning_rate"] for r in children) == ["0.0001", "0.001"]
    assert all(r.info.status == "FINISHED" and "headline" in r.data.metrics for r in children)
    assert parent.info.status == "FINISHED" and parent.data.metrics["sweep/jobs"] == 2
    assert list((tmp_path / "sweep" / ".submitit").iterdir())  # submitit's job folders: it really ran the jobs
