"""Interrupted training: SIGKILL resumes from the last whole checkpoint to the same metrics (the newest cut short
here); SIGTERM ends cleanly."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import mlflow
import pytest
import torch
from safetensors.torch import save_file

from simpipe.training.checkpoints import DAMAGED, RESUME_FILE, TRAINER_STATE, fingerprint, resume_point
from tests.helpers.config import write_params as quick_params

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


@pytest.fixture(scope="module")
def straight(tmp_path_factory, mirror) -> Path:
    """An uninterrupted quick GloVe run (train + evaluate) to compare resumed runs with."""
    root = tmp_path_factory.mktemp("straight")
    prepare(root, mirror)
    stage("train", root / "params.yaml")
    stage("evaluate", root / "params.yaml")
    assert not (root / "checkpoints" / V).exists()  # removed once training ended
    return root


def prepare(root: Path, mirror: Path) -> Path:
    params = write_params(root, mirror, "checkpoint.every_steps=8")
    subprocess.run([sys.executable, "-m", "simpipe", "fetch", "--variant", V, "--params", str(params)], check=True)
    stage("prepare", params)
    stage("mine", params)
    return params


def whole(checkpoints: Path) -> list[Path]:
    """The checkpoints the Trainer finished writing, oldest first."""
    found = [p for p in checkpoints.glob("checkpoint-*") if (p / TRAINER_STATE).is_file()]
    return sorted(found, key=lambda p: int(p.name.split("-")[1]))


def cut_short(checkpoint: Path) -> Path:
    """Truncate the checkpoint's largest file to half, as a crash while writing it would."""
    biggest = max((p for p in checkpoint.rglob("*") if p.is_file()), key=lambda p: p.stat().st_size)
    data = biggest.read_bytes()
    biggest.write_bytes(data[: len(data) // 2])
    return biggest


@pytest.mark.slow
def test_sigkilled_training_resumes_to_the_same_metrics(straight, tmp_path, mirror):
    """Killed after its third checkpoint, the newest then cut short: resumed from the one before it (the
    newest whole one is what resume_point picks, test_same_config_resumes_from_the_newest_checkpoint)."""
    params = prepare(tmp_path, mirror)
    checkpoints = tmp_path / "checkpoints" / V
    proc = simpipe("train", params=params)
    target = checkpoints / "checkpoint-24" / TRAINER_STATE
    deadline = time.time() + 300
    while not target.is_file() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert target.is_file(), "the run ended before its third checkpoint; raise train.max_steps"
    assert not (tmp_path / "trained" / V).exists()  # nothing half-written
    first_run = json.loads((checkpoints / RESUME_FILE).read_text())["mlflow_run_id"]
    saved = whole(checkpoints)
    assert len(saved) >= 2  # checkpoint.keep
    cut = cut_short(saved[-1])

    resumed = subprocess.run([sys.executable, "-m", "simpipe", "train", "--variant", V, "--params", str(params)],
                             capture_output=True, text=True)  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    stage("evaluate", params)
    record = json.loads((tmp_path / "trained" / V / "run.json").read_text())
    warnings = [line for line in resumed.stderr.splitlines() if "cannot be loaded" in line]
    assert record["resumed_from"] == saved[-2].name
    (line,) = [w for w in warnings if f"{saved[-1].name} cannot be loaded" in w]
    assert cut.name in line and f"set aside in {checkpoints / DAMAGED / saved[-1].name}" in line
    assert f"resuming from {saved[-2].name}" in line
    assert record["global_step"] == 40 and record["mlflow_run_id"] == first_run
    for split, values in metrics(straight).items():
        for name, value in values.items():
            assert metrics(tmp_path)[split][name] == pytest.approx(value, abs=1e-6), (split, name)

    client = mlflow.MlflowClient(f"sqlite:///{tmp_path / 'mlflow.db'}")
    (run,) = client.search_runs([client.get_experiment_by_name("simpipe").experiment_id])
    assert run.info.run_id == first_run and run.info.status == "FINISHED"
    assert run.data.tags["resumed_from"] == record["resumed_from"]
    assert max(m.step for m in client.get_metric_history(first_run, "train/loss")) == 40
    assert not checkpoints.exists()  # damaged ones included, once training ended


def checkpoint(checkpoints: Path, step: int) -> Path:
    """A small whole checkpoint: trainer state, weights (safetensors) and optimizer state (torch zip)."""
    path = checkpoints / f"checkpoint-{step}"
    path.mkdir(parents=True)
    (path / TRAINER_STATE).write_text(json.dumps({"global_step": step}))
    save_file({"weight": torch.randn(64, 8)}, path / "model.safetensors")
    torch.save({"state": torch.randn(64, 8)}, path / "optimizer.pt")
    return path


def resumable(checkpoints: Path, *steps: int) -> list[Path]:
    paths = [checkpoint(checkpoints, step) for step in steps]
    (checkpoints / RESUME_FILE).write_text(json.dumps({"fingerprint": "h", "mlflow_run_id": "r1"}))
    return paths


@pytest.mark.parametrize("name", ["model.safetensors", "optimizer.pt", TRAINER_STATE])
def test_a_newest_checkpoint_cut_short_is_set_aside_with_one_warning(tmp_path, caplog, name):
    checkpoints = tmp_path / "checkpoints"
    older, newest = resumable(checkpoints, 8, 16)
    data = (newest / name).read_bytes()
    (newest / name).write_bytes(data[: len(data) // 2])
    assert resume_point(checkpoints, "h") == (older, "r1")
    (warning,) = [r for r in caplog.records if r.levelname == "WARNING"]
    assert name in warning.getMessage() and warning.getMessage().endswith("resuming from checkpoint-8")
    assert not newest.exists() and (checkpoints / DAMAGED / "checkpoint-16" / name).is_file()
    assert resume_point(checkpoints, "h") == (older, "r1")  # the Trainer's rotation no longer sees it


def test_a_checkpoint_whose_saving_did_not_finish_is_not_resumed(tmp_path, caplog):
    checkpoints = tmp_path / "checkpoints"
    older, newest = resumable(checkpoints, 8, 16)
    (newest / TRAINER_STATE).unlink()
    assert resume_point(checkpoints, "h") == (older, "r1")
    assert f"no {TRAINER_STATE} (saving did not finish)" in caplog.text


def test_with_no_whole_checkpoint_left_training_starts_afresh(tmp_path, caplog):
    checkpoints = tmp_path / "checkpoints"
    (only,) = resumable(checkpoints, 8)
    (only / "optimizer.pt").write_bytes(b"PK")
    assert resume_point(checkpoints, "h") == (None, "r1")  # the train stage ends the old run KILLED
    assert "no whole checkpoint is left: starting afresh" in caplog.text


def test_ddp_workers_skip_a_damaged_checkpoint_but_leave_it_to_rank_0(tmp_path):
    checkpoints = tmp_path / "checkpoints"
    older, newest = resumable(checkpoints, 8, 16)
    (newest / "model.safetensors").write_bytes(b"")
    assert resume_point(checkpoints, "h", clean=False) == (older, "r1")
    assert newest.is_dir()


def test_checkpoints_of_another_config_are_discarded(tmp_path):
    checkpoints = tmp_path / "checkpoints"
    (checkpoints / "checkpoint-8").mkdir(parents=True)
    (checkpoints / RESUME_FILE).write_text(json.dumps({"fingerprint": "old", "mlflow_run_id": "r1"}))
    assert resume_point(checkpoints, "new") == (None, None)
    assert not checkpoints.exists()


def test_same_config_resumes_from_the_newest_checkpoint(tmp_path):
    checkpoints = tmp_path / "checkpoints"
    _, newest = resumable(checkpoints, 8, 16)
    assert resume_point(checkpoints, "h") == (newest, "r1")


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
    stage("mine", params)
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


def test_fingerprint_changes_with_what_shapes_the_model_and_the_training_data(run_cfg, tmp_path):
    data = [tmp_path / "train.parquet", tmp_path / "dev.parquet"]
    for path in data:
        path.write_bytes(b"rows")
    cfg = run_cfg(V)
    first = fingerprint(cfg, data)
    assert fingerprint(run_cfg(V), data) == first
    assert fingerprint(run_cfg(V, "card.model_name=renamed", "checkpoint.keep=3"), data) == first
    for change in ("train.learning_rate=0.1", "eval.main_similarity=dot", "data.limit=12", "model.lstm.hidden_dim=8"):
        assert fingerprint(run_cfg(V, change), data) != first, change
    data[1].write_bytes(b"other rows")
    assert fingerprint(cfg, data) != first
