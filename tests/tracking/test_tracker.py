"""MLflow runs through `Tracker` (faults never cost a result) and codecarbon emissions."""

import logging
import multiprocessing
import os
import time
from pathlib import Path

import mlflow
import pytest

from simpipe.core.versions import library_versions
from simpipe.tracking.emissions import emission_metrics, emissions
from simpipe.tracking.tracker import MAX_FAILURES, Tracker
from tests.helpers.config import tracking_config as cfg_for


def test_run_logs_params_metrics_and_tags_the_experiment(tmp_path):
    import mlflow

    tracker = Tracker(cfg_for(tmp_path))
    with tracker.run(run_name="r"):
        tracker.log_params({"train.lr": 0.1})
        tracker.log_metrics({"sts-dev/spearman_cosine": 0.5, "search/val/cosine_mrr@10": 0.25}, step=3)
    client = mlflow.MlflowClient(tracker.uri)
    run = client.get_run(tracker.run_id)
    assert run.info.status == "FINISHED" and run.data.params == {"train.lr": "0.1"}
    assert run.data.metrics["search/val/cosine_mrr_at_10"] == 0.25  # MLflow refuses "@" in names
    assert client.get_metric_history(tracker.run_id, "sts-dev/spearman_cosine")[0].step == 3
    experiment = client.get_experiment(run.info.experiment_id)
    assert experiment.tags["mlflow.experimentKind"] == "custom_model_development"
    assert tracker.uri == f"sqlite:///{tmp_path.resolve()}/mlflow.db"


def test_attach_logs_to_a_finished_run_without_reopening_it(tmp_path):
    import mlflow

    first = Tracker(cfg_for(tmp_path))
    with first.run(run_name="train"):
        first.log_metrics({"train/loss": 0.5}, step=1)
    client = mlflow.MlflowClient(first.uri)
    before = client.get_run(first.run_id).info
    later = Tracker(cfg_for(tmp_path))
    later.attach(first.run_id)
    later.log_metrics({"val/spearman_cosine": 0.52}, step=9)
    later.log_artifact(tmp_path / "mlflow.db", artifact_path="x")
    after = client.get_run(first.run_id)
    assert after.data.metrics["val/spearman_cosine"] == 0.52
    assert (after.info.status, after.info.end_time) == (before.status, before.end_time)
    assert [a.path for a in client.list_artifacts(first.run_id, "x")] == ["x/mlflow.db"]


def test_attach_to_no_run_logs_nothing(tmp_path):
    tracker = Tracker(cfg_for(tmp_path))
    tracker.attach(None)
    tracker.log_metrics({"x": 1.0})
    assert not tracker.failures and not (tmp_path / "mlflow.db").exists()


def test_unreachable_store_warns_and_goes_on(tmp_path, caplog):
    (tmp_path / "a-file").write_text("not a directory")
    tracker = Tracker(cfg_for(tmp_path, uri=f"sqlite:///{tmp_path}/a-file/mlflow.db"))
    with caplog.at_level(logging.WARNING), tracker.run(run_name="r"):
        tracker.log_metrics({"x": 1.0})
        done = True
    assert done and tracker.run_id is None and tracker.failures
    assert "could not start the run" in caplog.text and "still written locally" in caplog.text


def test_disabled_tracking_does_nothing(tmp_path):
    tracker = Tracker(cfg_for(tmp_path, enabled=False))
    with tracker.run():
        tracker.log_metrics({"x": 1.0})
    assert tracker.run_id is None and not tracker.failures and not (tmp_path / "mlflow.db").exists()


def test_emissions_record_offline(tmp_path):
    with emissions(cfg_for(tmp_path), tmp_path) as record:
        sum(range(100000))
    assert record["emissions"] >= 0 and record["duration"] > 0 and record["country_iso_code"] == "USA"
    assert set(emission_metrics(record)) == {"co2/emissions_g", "co2/energy_kwh", "co2/duration_s"}


def test_emissions_disabled(tmp_path):
    with emissions(cfg_for(tmp_path, codecarbon=False), tmp_path) as record:
        pass
    assert record == {} and emission_metrics(record) == {}


def test_library_versions_name_the_stack():
    versions = library_versions()
    for key in ("torch", "sentence_transformers", "transformers", "mlflow", "dvc", "hydra_core", "simpipe"):
        assert versions[key]


def test_a_store_that_dies_mid_run_is_given_up_after_three_failures(tmp_path, caplog, monkeypatch):
    tracker = Tracker(cfg_for(tmp_path))
    tracker.start("r")
    assert tracker.run_id

    def dead():
        raise ConnectionError("connection refused")

    monkeypatch.setattr(tracker, "_client", dead)
    with caplog.at_level(logging.WARNING):
        for step in range(10):
            tracker.log_metrics({"x": 1.0}, step=step)
    assert len(tracker.failures) == MAX_FAILURES and tracker.skipped == 10 - MAX_FAILURES
    assert "could not log metrics: ConnectionError: connection refused" in caplog.text
    assert "no more tracking for this run" in caplog.text


def test_dead_http_server_fails_fast(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", raising=False)
    monkeypatch.delenv("MLFLOW_HTTP_REQUEST_TIMEOUT", raising=False)
    tracker = Tracker(cfg_for(tmp_path, uri="http://127.0.0.1:9"))  # nothing listens on the discard port
    started = time.perf_counter()
    with tracker.run("r"):
        tracker.log_metrics({"x": 1.0})
    assert tracker.run_id is None and "could not start the run" in tracker.failures[0]
    assert time.perf_counter() - started < 60
    assert os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "2"


LOCKED_STORE = """
import logging, sqlite3, sys
from pathlib import Path
from simpipe.tracking.tracker import Tracker
from tests.helpers.config import tracking_config as cfg_for
logging.basicConfig(level=logging.WARNING)
root = Path(sys.argv[1])
tracker = Tracker(cfg_for(root))
tracker.start("r")
lock = sqlite3.connect(root / "mlflow.db", isolation_level=None)
lock.execute("BEGIN EXCLUSIVE")  # another process holding the store
tracker.log_metrics({"x": 1.0})
lock.execute("ROLLBACK")
"""


@pytest.mark.slow
def test_locked_store_warns_and_goes_on(tmp_path):
    """In a fresh interpreter: the MLflow state earlier in-process tests leave behind must not decide it."""
    import subprocess
    import sys

    from simpipe.core.config import REPO_ROOT

    result = subprocess.run([sys.executable, "-c", LOCKED_STORE, str(tmp_path)], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "database is locked" in result.stderr and "still written locally" in result.stderr


def log_steps(root: str, name: str, steps: int) -> None:
    tracker = Tracker(cfg_for(Path(root)))
    with tracker.run(run_name=name):
        for step in range(steps):
            tracker.log_metrics({"x": float(step)}, step=step)


def test_two_processes_creating_and_writing_one_store_lose_nothing(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=log_steps, args=(str(tmp_path), f"p{i}", 60)) for i in range(2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    client = mlflow.MlflowClient(f"sqlite:///{tmp_path / 'mlflow.db'}")
    runs = client.search_runs([client.get_experiment_by_name("t").experiment_id])
    assert sorted(r.info.run_name for r in runs) == ["p0", "p1"]
    for run in runs:
        assert run.info.status == "FINISHED"
        assert [m.step for m in client.get_metric_history(run.info.run_id, "x")] == list(range(60))


class BrokenTracker:
    """Stands in for codecarbon's tracker, failing where `fail_in` says."""

    fail_in = "start"

    def __init__(self, **kwargs):
        pass

    def start(self):
        if self.fail_in == "start":
            raise RuntimeError("no RAPL counters")

    def stop(self):
        raise RuntimeError("tracker thread died")


@pytest.mark.parametrize("fail_in", ["start", "stop"])
def test_codecarbon_failure_is_recorded_and_the_block_still_runs(tmp_path, monkeypatch, caplog, fail_in):
    import codecarbon

    monkeypatch.setattr(BrokenTracker, "fail_in", fail_in)
    monkeypatch.setattr(codecarbon, "OfflineEmissionsTracker", BrokenTracker)
    ran = False
    with caplog.at_level(logging.WARNING), emissions(cfg_for(tmp_path), tmp_path) as record:
        ran = True
    assert ran and record["error"].startswith("RuntimeError")
    assert f"codecarbon failed to {fail_in}" in caplog.text and emission_metrics(record) == {}
