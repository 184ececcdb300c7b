"""Models in MLflow: each tracked run logs its model (a bi-encoder with the sentence-transformers flavor, a
cross-encoder as a pyfunc model of (query, document) rows); `simpipe register` puts it in the Model
Registry; `mlflow.pyfunc` and `mlflow models serve` give the local model's embeddings or scores."""

import json
import os
import signal
import subprocess
import urllib.request

import mlflow
import numpy as np
import pandas as pd
import pytest
from sentence_transformers import CrossEncoder, SentenceTransformer

from simpipe.artifacts.trained import model_dir, read_run
from simpipe.cli import main
from simpipe.core.paths import Layout
from simpipe.data.fetch import fetch
from simpipe.shipping.registry import register
from simpipe.stages import stage
from simpipe.tracking.tracker import fluent_mlflow
from tests.helpers.servers import free_port, wait_for

TEXTS = ["a man is playing a guitar", "the cat sleeps on the sofa", "stocks fell sharply on monday"]


def train_quick(cfg):
    """Run the stages of a quick run of `cfg` up to its evaluation (which logs the model); its run.json."""
    fetch(cfg.data, Layout.from_cfg(cfg).raw(cfg.data.raw_subdir), cfg.paths.mirror)
    for name in ("prepare", "mine", "train", "evaluate"):
        stage(name)(cfg)
    return Layout.from_cfg(cfg).trained(cfg.name)


@pytest.fixture
def trained(run_cfg, tmp_path):
    """A quick GloVe run tracked in a SQLite store under tmp_path: (cfg, run info, local model)."""
    cfg = run_cfg("glove_bilstm_sts")
    trained = train_quick(cfg)
    return cfg, read_run(trained), SentenceTransformer(str(model_dir(trained)), device="cpu")


def served(uri: str, model_uri: str, payload: dict) -> list:
    """The predictions of `mlflow models serve` for `payload`, the server started here and stopped."""
    port = free_port()
    env = {**os.environ, "MLFLOW_TRACKING_URI": uri}
    args = ["mlflow", "models", "serve", "-m", model_uri, "--env-manager", "local", "-p", str(port)]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{port}/ping", proc)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/invocations",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())["predictions"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


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
    predictions = served(run.mlflow_uri, "models:/glove-sts/1", {"inputs": TEXTS})
    np.testing.assert_allclose(np.asarray(predictions), expected, atol=1e-5)


@pytest.mark.slow
def test_a_logged_reranker_registers_loads_and_serves_the_local_scores(run_cfg):
    """A cross-encoder (MLflow has no flavour for one) logs as a pyfunc model of (query, document) rows:
    registered, loaded and served, it scores them as the local model does."""
    cfg = run_cfg("minilm_homedepot_rerank", "model.max_length=32", "eval.retriever=minilm_homedepot_rerank")
    trained = train_quick(cfg)
    run = read_run(trained)
    local = CrossEncoder(str(model_dir(trained)), device="cpu")
    rows = {"query": ["cordless drill", "white paint"], "document": ["18v cordless drill kit", "oak door"]}
    expected = local.predict(list(zip(rows["query"], rows["document"], strict=True)))
    version = register(run.mlflow_uri, run.mlflow_run_id, "reranker")
    assert {"headline", "val/spearman"} <= set(
        mlflow.MlflowClient(run.mlflow_uri).get_model_version("reranker", "1").tags
    )
    with fluent_mlflow(run.mlflow_uri):
        loaded = mlflow.pyfunc.load_model(f"models:/reranker/{version.version}")
    np.testing.assert_allclose(np.asarray(loaded.predict(pd.DataFrame(rows))), expected, atol=1e-5)
    predictions = served(run.mlflow_uri, "models:/reranker/1", {"dataframe_split": pd.DataFrame(rows).to_dict("split")})
    np.testing.assert_allclose(np.asarray(predictions), expected, atol=1e-5)


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
