"""Interrupted training: SIGKILL resumes from the last checkpoint to the same metrics; SIGTERM ends cleanly."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import mlflow
import pytest

from simpipe.stages.train import RESUME_FILE, fingerprint, resume_point
from tests.conftest import write_params as quick_params

V = "glove_bilstm_sts"
STEPS = ["train.max_steps=40", "train.eval_steps=8", "train.logging_steps=4"]


def write_params(root: Path, mirror: Path, *overrides: str) -> Path:
    """Quick-profile params at `root`, GloVe trained for 40 steps with a checkpoint every 8."""
    return quick_params(root, mirror, *(f"variants.{V}.{o}" for o in STEPS), *overrides)


def simpipe(*args: str, params: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "simpipe", *args, "--variant", V, "--params", str(params)])


def stage(name: str, params: Path) -> None:
    assert simpipe(name, params=params).wait() == 0, name


def metrics(root: Path) -> dict:
    return json.loads((root / "metrics" / V / "metrics.json").read_text())


@pytest.mark.slow
def test_sigkilled_training_resumes_to_the_same_metrics(tmp_path, mirror):
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    for root in (straight, killed):
        params = write_params(root, mirror, "checkpoint.every_steps=8")
        subprocess.run([sys.executable, "-m", "simpipe", "fetch", "--variant", V, "--params", str(params)], check=True)
        stage("prepare", params)
    stage("train", straight / "params.yaml")
    stage("evaluate", straight / "params.yaml")
    assert not (straight / "checkpoints" / V).exists()  # removed once training ended

    params = killed / "params.yaml"
    proc = simpipe("train", params=params)
    target = killed / "checkpoints" / V / "checkpoint-16" / "trainer_state.json"
    deadline = time.time() + 300
    while not target.is_file() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert target.is_file(), "the run ended before its second checkpoint; raise train.max_steps"
    assert not (killed / "trained" / V).exists()  # nothing half-written
    first_run = json.loads((killed / "checkpoints" / V / RESUME_FILE).read_text())["mlflow_run_id"]

    stage("train", params)
    stage("evaluate", params)
    record = json.loads((killed / "trained" / V / "run.json").read_text())
    assert record["resumed_from"] in {"checkpoint-16", "checkpoint-24", "checkpoint-32"}
    assert record["global_step"] == 40 and record["mlflow_run_id"] == first_run
    for split, values in metrics(straight).items():
        for name, value in values.items():
            assert metrics(killed)[split][name] == pytest.approx(value, abs=1e-6), (split, name)

    client = mlflow.MlflowClient(f"sqlite:///{killed / 'mlflow.db'}")
    (run,) = client.search_runs([client.get_experiment_by_name("simpipe").experiment_id])
    assert run.info.run_id == first_run and run.info.status == "FINISHED"
    assert run.data.tags["resumed_from"] == record["resumed_from"]
    assert max(m.step for m in client.get_metric_history(first_run, "train/loss")) == 40


def test_checkpoints_of_another_config_are_discarded(tmp_path):
    checkpoints = tmp_path / "checkpoints"
    (checkpoints / "checkpoint-8").mkdir(parents=True)
    (checkpoints / RESUME_FILE).write_text(json.dumps({"fingerprint": "old", "mlflow_run_id": "r1"}))
    assert resume_point(checkpoints, "new") == (None, None)
    assert not checkpoints.exists()


def test_same_config_resumes_from_the_newest_checkpoint(tmp_path):
    checkpoints = tmp_path / "checkpoints"
    for step in (8, 16):
        (checkpoints / f"checkpoint-{step}").mkdir(parents=True)
    (checkpoints / RESUME_FILE).write_text(json.dumps({"fingerprint": "h", "mlflow_run_id": "r1"}))
    assert resume_point(checkpoints, "h") == (checkpoints / "checkpoint-16", "r1")


def test_killed_before_the_first_checkpoint_starts_afresh_but_names_the_old_run(tmp_path):
    checkpoints = tmp_path / "checkpoints"
    checkpoints.mkdir()
    (checkpoints / RESUME_FILE).write_text(json.dumps({"fingerprint": "h", "mlflow_run_id": "r1"}))
    assert resume_point(checkpoints, "h") == (None, "r1")


@pytest.mark.slow
def test_sigterm_ends_the_mlflow_run_killed_and_leaves_no_output(tmp_path, mirror):
    params = write_params(tmp_path, mirror, f"variants.{V}.train.max_steps=2000")
    subprocess.run([sys.executable, "-m", "simpipe", "fetch", "--variant", V, "--params", str(params)], check=True)
    stage("prepare", params)
    proc = simpipe("train", params=params)
    record = tmp_path / "checkpoints" / V / RESUME_FILE  # written once the MLflow run exists
    deadline = time.time() + 300
    while not record.is_file() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(1)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 128 + signal.SIGTERM
    assert list((tmp_path / "trained").iterdir()) == []  # neither the model nor a temporary directory
    client = mlflow.MlflowClient(f"sqlite:///{tmp_path / 'mlflow.db'}")
    (run,) = client.search_runs([client.get_experiment_by_name("simpipe").experiment_id])
    assert run.info.status == "KILLED"


def test_fingerprint_changes_with_the_config_and_the_prepared_data(run_cfg, tmp_path):
    prepared = tmp_path / "prepared"
    prepared.mkdir()
    (prepared / "train.parquet").write_bytes(b"rows")
    cfg = run_cfg(V)
    first = fingerprint(cfg, prepared)
    assert fingerprint(run_cfg(V), prepared) == first
    assert fingerprint(run_cfg(V, "train.learning_rate=0.1"), prepared) != first
    (prepared / "train.parquet").write_bytes(b"other rows")
    assert fingerprint(cfg, prepared) != first
