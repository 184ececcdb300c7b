"""Stage `evaluate`: the trained model on the full dev and test splits, beside the base model's scores
(stage `baseline`) -> metrics/<variant>/metrics.json and the training run in MLflow (final metrics, the
model, and the data sets it was trained and scored on as the run's inputs)."""

from __future__ import annotations

import logging

from sentence_transformers import SentenceTransformer

from simpipe.artifacts.metrics import (
    METRICS_FILE,
    Metrics,
    base_dir,
    final_metrics,
    headline,
    headline_value,
    matryoshka_dims,
    read_metrics,
    with_base,
    write_metrics,
)
from simpipe.artifacts.trained import model_dir, read_run
from simpipe.core.paths import Layout
from simpipe.data.naming import dataset_name
from simpipe.data.prepared import load_split, read_search, run_files
from simpipe.evaluation.suite import EVAL_SPLITS, evaluators, score
from simpipe.modeling.hardware import resolve_device
from simpipe.tracking.tracker import Tracker

log = logging.getLogger(__name__)


def run(cfg) -> Metrics:
    layout = Layout.from_cfg(cfg)
    trained = layout.trained(cfg.name)
    run_info = read_run(trained)
    device = resolve_device(cfg.train.device)
    model = SentenceTransformer(str(model_dir(trained)), device=device)
    prepared = layout.prepared(cfg.name)
    splits = {split: load_split(prepared, split) for split in EVAL_SPLITS}
    metrics = score(model, evaluators(splits, cfg.data, cfg.eval, read_search(prepared), matryoshka_dims(cfg.train)))
    base = base_dir(layout.metrics(cfg.name))
    if (base / METRICS_FILE).is_file():
        metrics = with_base(metrics, read_metrics(base))
    else:
        log.info("%s: no base-model metrics in %s (stage baseline not run)", cfg.name, base)
    write_metrics(layout.metrics(cfg.name), metrics)
    value = headline_value(cfg.data, cfg.eval, metrics)

    tracker = Tracker(cfg)
    tracker.attach(run_info.mlflow_run_id)
    tracker.log_metrics(final_metrics(metrics, value), step=run_info.global_step)
    tracker.log_model(model, splits["dev"][cfg.data.columns[0]][:2])
    tracker.log_inputs(dataset_name(cfg.data), run_files(prepared, layout.mined(cfg.name)))
    split, metric = headline(cfg.data, cfg.eval)
    log.info("%s %s/%s: %.4f", cfg.name, split, metric, value)
    return metrics
