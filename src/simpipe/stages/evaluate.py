"""Stage `evaluate`: the trained model on the full dev and test splits -> metrics/<variant>/metrics.json."""

from __future__ import annotations

import logging

from sentence_transformers import SentenceTransformer

from simpipe.data import load_split
from simpipe.evaluation import build_evaluator, evaluate, namespaced
from simpipe.io import read_json, write_json
from simpipe.paths import Layout
from simpipe.tracking import Tracker
from simpipe.training import resolve_device

log = logging.getLogger(__name__)


def primary_metric(cfg, metrics: dict[str, dict[str, float]]) -> float:
    """The variant's declared headline metric, e.g. `sts-dev/spearman_cosine`."""
    split, name = cfg.eval.primary_metric.split("/", 1)
    return metrics[split][name]


def log_final_metrics(tracker: Tracker, cfg, metrics: dict[str, dict[str, float]], step: int) -> None:
    """`<split>/<metric>` for every split, and `primary`."""
    for name, values in metrics.items():
        tracker.log_metrics(namespaced(name, values), step=step)
    tracker.log_metrics({"primary": primary_metric(cfg, metrics)}, step=step)


def run(cfg) -> dict[str, dict[str, float]]:
    layout = Layout.from_cfg(cfg)
    trained = layout.trained(cfg.name)
    model = SentenceTransformer(str(trained / "model"), device=resolve_device(cfg.train.device))
    prepared = layout.prepared(cfg.name)
    metrics = {}
    for split, name in (("dev", cfg.data.dev_name), ("test", cfg.data.test_name)):
        metrics[name] = evaluate(model, build_evaluator(load_split(prepared, split), name, cfg))
    write_json(layout.metrics(cfg.name) / "metrics.json", metrics)

    run_info = read_json(trained / "run.json")
    tracker = Tracker(cfg)
    tracker.attach(run_info.get("mlflow_run_id"))
    log_final_metrics(tracker, cfg, metrics, run_info["global_step"])
    for name, values in metrics.items():
        log.info("%s %s: spearman_cosine=%.4f", cfg.name, name, values["spearman_cosine"])
    return metrics
