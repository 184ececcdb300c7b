"""The MLflow Model Registry: a training run's logged model registered under a name, its headline
metrics as version tags (`simpipe register`, and the best job at the end of a sweep)."""

from __future__ import annotations

import logging

from simpipe.artifacts.metrics import HEADLINE
from simpipe.core.errors import SimpipeError
from simpipe.tracking.tracker import MODEL_NAME, fluent_mlflow

log = logging.getLogger(__name__)
# final metrics of the fine-tuned model that become version tags, besides `headline` (`{sim}`: the run's
# eval.main_similarity): a bi-encoder's Spearman and search metrics, a cross-encoder's Spearman
TAGGED = ("spearman_{sim}", "{sim}_mrr_at_10", "{sim}_ndcg_at_10", "spearman")


def logged_model_uri(client, run_id: str) -> str:
    """`models:/<id>` of the newest model logged by run `run_id`."""
    run = client.get_run(run_id)
    found = client.search_logged_models(
        experiment_ids=[run.info.experiment_id],
        filter_string=f"source_run_id = '{run_id}' AND name = '{MODEL_NAME}'",
        order_by=[{"field_name": "creation_timestamp", "ascending": False}],
        max_results=1,
    )
    if not found:
        raise SimpipeError(
            f"run {run_id} has no logged model; run its evaluate stage with tracking.log_model=true "
            f"(`dvc repro -f evaluate@<variant>`), then register again"
        )
    return found[0].model_uri


def version_tags(run) -> dict[str, str]:
    """The run's headline metric, its Spearman and search metrics of the main similarity, and its id."""
    sim = run.data.params.get("eval.main_similarity", "cosine")
    wanted = {name.format(sim=sim) for name in TAGGED}
    tags = {
        name: f"{value:.4f}"
        for name, value in sorted(run.data.metrics.items())
        if name == HEADLINE or (name.rsplit("/", 1)[-1] in wanted and not name.startswith(("base/", "train/")))
    }
    return {**tags, "source_run_id": run.info.run_id}


def register(uri: str, run_id: str, name: str):
    """Register the model run `run_id` logged as a new version of `name`; the ModelVersion."""
    import mlflow

    client = mlflow.MlflowClient(uri)
    model_uri = logged_model_uri(client, run_id)
    with fluent_mlflow(uri):
        version = mlflow.register_model(model_uri, name, tags=version_tags(client.get_run(run_id)))
    log.info("registered %s as models:/%s/%s", model_uri, name, version.version)
    return version
