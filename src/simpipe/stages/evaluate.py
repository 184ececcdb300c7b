"""Stage `evaluate`: the trained model on the full dev and test splits, beside the base model's scores
(stage `baseline`) -> metrics/<variant>/metrics.json and the training run in MLflow."""

from __future__ import annotations

import logging

from sentence_transformers import SentenceTransformer

from simpipe import record
from simpipe.baseline import base_dir, with_base
from simpipe.data.prepared import load_split
from simpipe.hardware import resolve_device
from simpipe.paths import Layout
from simpipe.scoring import EVAL_SPLITS, evaluators, score
from simpipe.tracking import Tracker

log = logging.getLogger(__name__)


def run(cfg) -> record.Metrics:
    layout = Layout.from_cfg(cfg)
    trained = layout.trained(cfg.name)
    run_info = record.read_run(trained)
    device = resolve_device(cfg.train.device)
    model = SentenceTransformer(str(record.model_dir(trained)), device=device)
    prepared = layout.prepared(cfg.name)
    splits = {split: load_split(prepared, split) for split in EVAL_SPLITS}
    metrics = score(model, evaluators(splits, cfg.data, cfg.eval, device))
    base = base_dir(layout.metrics(cfg.name))
    if (base / record.METRICS_FILE).is_file():
        metrics = with_base(metrics, record.read_metrics(base))
    else:
        log.info("%s: no base-model metrics in %s (stage baseline not run)", cfg.name, base)
    record.write_metrics(layout.metrics(cfg.name), metrics)
    primary = record.headline_value(cfg.data, cfg.eval, metrics)

    tracker = Tracker(cfg)
    tracker.attach(run_info.mlflow_run_id)
    record.log_final_metrics(tracker, metrics, primary, run_info.global_step)
    tracker.log_model(model, splits["dev"][cfg.data.columns[0]][:2])
    split, metric = record.headline(cfg.data, cfg.eval)
    log.info("%s %s/%s: %.4f", cfg.name, split, metric, primary)
    return metrics
