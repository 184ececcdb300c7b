"""Stage `evaluate`: the trained model on the full dev and test splits -> metrics/<variant>/metrics.json."""

from __future__ import annotations

import logging

from sentence_transformers import SentenceTransformer

from simpipe import record
from simpipe.data.prepared import load_split
from simpipe.evaluation import evaluate, final_evaluator
from simpipe.hardware import resolve_device
from simpipe.paths import Layout
from simpipe.tracking import Tracker

log = logging.getLogger(__name__)


def run(cfg) -> record.Metrics:
    layout = Layout.from_cfg(cfg)
    trained = layout.trained(cfg.name)
    run_info = record.read_run(trained)
    model = SentenceTransformer(str(record.model_dir(trained)), device=resolve_device(cfg.train.device))
    prepared = layout.prepared(cfg.name)
    metrics = {}
    for split, name in (("dev", cfg.data.dev_name), ("test", cfg.data.test_name)):
        evaluator = final_evaluator(load_split(prepared, split), name, cfg.data.columns, cfg.eval)
        metrics[name] = evaluate(model, evaluator)
    record.write_metrics(layout.metrics(cfg.name), metrics)
    primary = record.headline_value(cfg.data, cfg.eval, metrics)

    tracker = Tracker(cfg)
    tracker.attach(run_info.mlflow_run_id)
    record.log_final_metrics(tracker, metrics, primary, run_info.global_step)
    split, metric = record.headline(cfg.data, cfg.eval)
    log.info("%s %s/%s: %.4f", cfg.name, split, metric, primary)
    return metrics
