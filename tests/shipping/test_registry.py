"""Models in MLflow: each tracked run logs its model (sentence-transformers flavor); `simpipe register`
puts it in the Model Registry; `mlflow.pyfunc` and `mlflow models serve` give the local model's embeddings."""

import json
import os
import signal
import subprocess
import urllib.request

import mlflow
import numpy as np
import pytest
from sentence_transformers import SentenceTransformer

from simpipe.artifacts.trained import model_dir, read_run
from simpipe.cli import main
from simpipe.core.paths import Layout
from simpipe.data.fetch import fetch
from simpipe.shipping.registry import register
from simpipe.stages import stage
from simpipe.tracking.tracker import fluent_mlflow
from tests.helpers.servers import free_port, wait_for

TEXTS = ["a man is playing a guitar", "the cat sleeps on the sofa", "stocks fell sharply on monday"]


@pytest.fixture
def trained(run_cfg, tmp_path):
    """A quick GloVe run tracked in a SQLite store under tmp_path: (cfg, run info, local model)."""
    cfg = run_cfg("glove_bilstm_sts")
    fetch(cfg.data, Layout.from_cfg(cfg).raw(cfg.data.raw_subdir), cfg.paths.mirror)
    for name in ("prepare", "mine", "train", "evaluate"):
        stage(name)(cfg)
    trained = Layout.from_cfg(cfg).trained(cfg.name)
    return cfg, read_run(trained), SentenceTransformer(str(model_dir(trained)), device="cpu")


@pytest.mark.slow
def test_logged_model_registers_loads_and_serves_the_local_embeddings(trained, tmp_path):
    _, run, local = trained
    client = mlflow.MlflowClient(run.mlflow_uri)
    info = client.get_run(run.mlflow_run_id).info
    assert info.status == "FINISHED"  # logging the model after training left the run as training ended it

    version = register(run.mlflow_uri, run.mlflow_run_id, "glove-sts")
    assert int(version.version) == 1
    tags = client.get_model_version("glove-sts", "1").tags
    assert tags["source_run_id"] == run.mlflow_run_id and float(tags["headline"]) == pytest.approx(
        client.get_run(run.mlflow_run_id).data.metrics["headline"], abs=1e-4
    )
    assert "sts-dev/spearman_cosine" in tags and not any(name.startswith("train/") for name in tags)
    after = client.get_run(run.mlflow_run_id).info
    assert (after.status, after.end_time) == (info.status, info.end_time)

    expected = local.encode(TEXTS)
    with fluent_mlflow(run.mlflow_uri):
        loaded = mlflow.pyfunc.load_model("models:/glove-sts/1")
    np.testing.assert_allclose(np.asarray(loaded.predict(TEXTS)), expected, atol=1e-5)

    port = free_port()
    env = {**os.environ, "MLFLOW_TRACKING_URI": run.mlflow_uri}
    args = ["mlflow", "models", "serve", "-m", "models:/glove-sts/1", "--env-manager", "local", "-p", str(port)]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{port}/ping", proc)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/invocations",
            data=json.dumps({"inputs": TEXTS}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            served = np.asarray(json.loads(response.read())["predictions"])
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    np.testing.assert_allclose(served, expected, atol=1e-5)


@pytest.mark.slow
def test_register_cli_by_variant_prints_the_model_uri(trained, tmp_path, capsys):
    cfg, _, _ = trained
    params = tmp_path / "params.yaml"
    from omegaconf import OmegaConf

    OmegaConf.save({"variants": {cfg.name: OmegaConf.to_container(cfg)}, **{k: cfg[k] for k in ("paths", "tracking")}},
                   params)  # fmt: skip
    assert main(["register", "--variant", cfg.name, "--params", str(params)]) == 0
    assert capsys.readouterr().out.strip() == f"models:/{cfg.name}/1"


def test_register_needs_a_run(capsys):
    assert main(["register", "--params", "params.yaml"]) == 2
    assert "error: say which run to register: --variant <name> or --run-id" in capsys.readouterr().err


def test_a_run_without_a_logged_model_names_the_fix(tmp_path):
    from simpipe.core.errors import SimpipeError

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    client = mlflow.MlflowClient(uri)
    run = client.create_run(client.create_experiment("x"))
    with pytest.raises(SimpipeError, match=rf"run {run.info.run_id} has no logged model; .*tracking.log_model=true"):
        register(uri, run.info.run_id, "m")
