"""A team's MLflow tracking server over HTTP (database backend and artifact store on the server side),
with and without MLflow's basic-auth app: real `mlflow server` processes on localhost, started here."""

import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import mlflow
import pytest

from simpipe.core.errors import ConfigError
from simpipe.documents.runs import find_runs
from tests.helpers.processes import fetch_all, sweep
from tests.helpers.servers import free_port, wait_for

pytestmark = pytest.mark.slow
ADMIN_PASSWORD = "team-" + secrets.token_hex(8)
CREDENTIALS = ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD")


def start_server(root: Path, auth: bool) -> Iterator[str]:
    """`mlflow server` with a SQLite backend and an artifact root under `root` (basic-auth when `auth`)."""
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    store = [f"sqlite:///{root / 'mlflow.db'}", "--artifacts-destination", str(root / "artifacts")]
    args = ["mlflow", "server", "--host", "127.0.0.1", "--port", str(port), "--backend-store-uri", *store]
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIALS}
    if auth:  # MLflow's own authentication; its user store is basic_auth.db in the server's working directory
        args += ["--app-name", "basic-auth"]
        env |= {"MLFLOW_AUTH_ADMIN_PASSWORD": ADMIN_PASSWORD, "MLFLOW_FLASK_SERVER_SECRET_KEY": secrets.token_hex(16)}
    proc = subprocess.Popen(args, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{port}/health", proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.fixture
def server(tmp_path) -> Iterator[str]:
    yield from start_server(tmp_path / "server", auth=False)


@pytest.fixture
def auth_server(tmp_path) -> Iterator[str]:
    yield from start_server(tmp_path / "server", auth=True)


def test_parallel_sweep_against_a_server_loses_no_run_metric_or_model(server, tmp_path, mirror):
    fetch_all(tmp_path, mirror)
    result = sweep(tmp_path, "variant=glove_bilstm_sts", "train.learning_rate=1e-4,1e-3", "hydra.launcher.n_jobs=2",
                   f"tracking.uri={server}")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (tmp_path / "mlflow.db").exists()  # everything went to the server
    client = mlflow.MlflowClient(server)
    (parent,) = [r for r in client.search_runs([client.get_experiment_by_name("simpipe").experiment_id])
                 if r.data.tags.get("simpipe.sweep") == "parent"]  # fmt: skip
    children = find_runs(server, "simpipe", parent=parent.info.run_id)
    assert len(children) == 2 and all(row.status == "FINISHED" for row in children)
    for row in children:
        run = client.get_run(row.run_id)
        assert {"headline", "sts-dev/spearman_cosine", "sts-test/spearman_cosine", "train/loss"} <= set(
            run.data.metrics
        )
        assert len(client.get_metric_history(row.run_id, "sts-dev/spearman_cosine")) >= 2
        models = client.search_logged_models([run.info.experiment_id], filter_string=f"source_run_id = '{row.run_id}'")
        assert len(models) == 1  # the model is in the server's artifact store
        job = tmp_path / "sweep" / run.data.tags["sweep.job"]
        assert (job / "metrics" / "glove_bilstm_sts" / "metrics.json").is_file()
    assert (tmp_path / "server" / "artifacts").is_dir() and any((tmp_path / "server" / "artifacts").rglob("MLmodel"))
    best = client.get_model_version("glove_bilstm_sts", "1")  # the sweep registered its best model
    assert best.tags["source_run_id"] == client.get_run(parent.info.run_id).data.tags["best.run_id"]


def single_run(cwd: Path, uri: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "simpipe.sweep", "variant=glove_bilstm_sts", "profile=quick",
            "hydra.run.dir=run", f"tracking.uri={uri}"]  # fmt: skip
    clean = {k: v for k, v in os.environ.items() if k not in CREDENTIALS}
    return subprocess.run(args, cwd=cwd, env=clean | env, capture_output=True, text=True)


def test_basic_auth_server_takes_credentials_from_the_environment_only(auth_server, tmp_path, mirror):
    fetch_all(tmp_path, mirror)
    admin = mlflow.MlflowClient(auth_server)
    os.environ.update(dict(zip(CREDENTIALS, ("admin", ADMIN_PASSWORD), strict=True)))
    try:
        outcomes = {}
        for name, env in {
            "right": dict(zip(CREDENTIALS, ("admin", ADMIN_PASSWORD), strict=True)),
            "none": {},
            "wrong": dict(zip(CREDENTIALS, ("admin", "not-the-password"), strict=True)),
        }.items():
            cwd = tmp_path / name
            cwd.mkdir()
            (cwd / "data").symlink_to(tmp_path / "data")
            result = single_run(cwd, auth_server, env)
            assert result.returncode == 0, result.stderr[-3000:]
            outcomes[name] = result
            assert (cwd / "run" / "metrics" / "glove_bilstm_sts" / "metrics.json").is_file()  # local outputs complete
            assert (cwd / "run" / "trained" / "glove_bilstm_sts" / "model").is_dir()
        experiment = admin.get_experiment_by_name("simpipe")
        runs = admin.search_runs([experiment.experiment_id])
        assert len(runs) == 1 and runs[0].info.status == "FINISHED"  # only the run with credentials landed
        assert "headline" in runs[0].data.metrics
        for value in [*runs[0].data.params.values(), *runs[0].data.tags.values()]:
            assert ADMIN_PASSWORD not in value
    finally:
        for key in CREDENTIALS:
            os.environ.pop(key, None)

    for name, cause in (("none", "no credentials: set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"),
                        ("wrong", "the credentials of MLFLOW_TRACKING_USERNAME='admin' were refused")):  # fmt: skip
        output = outcomes[name].stdout + outcomes[name].stderr  # Hydra logs to stdout
        refused = [line for line in output.splitlines() if "refused access" in line]
        assert len(refused) == 1 and auth_server in refused[0] and cause in refused[0], refused
    for result in outcomes.values():
        assert ADMIN_PASSWORD not in result.stdout + result.stderr
    assert "not-the-password" not in outcomes["wrong"].stdout + outcomes["wrong"].stderr


def test_a_password_in_the_tracking_uri_is_refused(run_cfg):
    with pytest.raises(
        ConfigError, match=r"tracking.uri carries a password \(mlflow.internal\); .*MLFLOW_TRACKING_PASSWORD"
    ):
        run_cfg("glove_bilstm_sts", "tracking.uri=http://alice:hunter2@mlflow.internal:5000")
