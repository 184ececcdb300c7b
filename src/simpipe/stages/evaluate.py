"""Stage `evaluate`: the trained model on the full dev and test splits of each data set it was trained on
(a reranker: and its reranking of the retriever's candidates, stage `candidates`), beside the base model's
scores (stage `baseline`) -> metrics/<variant>/metrics.json; its encoding speed on this machine (texts or
pairs per second of the test split's) -> speed.json; and the training run in MLflow (final metrics, the
speed, the model, and the data sets it was trained and scored on as the run's inputs)."""

from __future__ import annotations

import logging

from simpipe.artifacts.metrics import (
    METRICS_FILE,
    Metrics,
    base_dir,
    final_metrics,
    headline,
    headline_value,
    matryoshka_dims,
    read_metrics,
    speed_metrics,
    with_base,
    write_metrics,
    write_speed,
)
from simpipe.artifacts.trained import heads_dir, model_dir, read_run
from simpipe.core.paths import Layout
from simpipe.data.naming import dataset_name
from simpipe.data.prepared import EVAL_SPLITS
from simpipe.evaluation.classifier import load_heads
from simpipe.evaluation.rerank import candidates_of
from simpipe.evaluation.speed import measure_speed, speed_items
from simpipe.evaluation.suite import EvalSet, score, sets_evaluators
from simpipe.modeling.config import family_of
from simpipe.modeling.hardware import resolve_device
from simpipe.modeling.model import load_model
from simpipe.tracking.tracker import Tracker
from simpipe.training.losses import embedding_teacher
from simpipe.training.sets import set_splits

log = logging.getLogger(__name__)


def run(cfg) -> Metrics:
    layout = Layout.from_cfg(cfg)
    trained = layout.trained(cfg.name)
    run_info = read_run(trained)
    device = resolve_device(cfg.train.device)
    model = load_model(cfg.model, model_dir(trained), device)
    sets = set_splits(layout, cfg, EVAL_SPLITS)
    heads = load_heads(heads_dir(trained))
    parts = [EvalSet(s.dataset.cfg.data, s.splits, s.min_label, heads.get(s.dataset.name),
                     embedding_teacher(s.dataset.cfg, device)) for s in sets]  # fmt: skip
    parts[0].candidates = candidates_of(layout.candidates(cfg.name), cfg.name, cfg.eval)  # a reranker's
    metrics = score(model, sets_evaluators(parts, cfg.eval, family_of(cfg.model), matryoshka_dims(cfg.train)))
    base = base_dir(layout.metrics(cfg.name))
    if (base / METRICS_FILE).is_file():
        metrics = with_base(metrics, read_metrics(base))
    else:
        log.info("%s: no base-model metrics in %s (stage baseline not run)", cfg.name, base)
    write_metrics(layout.metrics(cfg.name), metrics)
    value = headline_value(cfg.data, cfg.eval, metrics, family_of(cfg.model))
    test = sets[0].splits["test"]
    speed = measure_speed(model, speed_items(test, test.column_names, family_of(cfg.model)), family_of(cfg.model),
                          cfg.eval.batch_size, device)  # fmt: skip
    write_speed(layout.metrics(cfg.name), speed)

    tracker = Tracker(cfg)
    tracker.attach(run_info.mlflow_run_id)
    tracker.log_metrics(final_metrics(metrics, value) | speed_metrics(speed), step=run_info.global_step)
    dev, (first, second, *_) = sets[0].splits["dev"], [*cfg.data.columns, None]
    tracker.log_model(model, dev[first][:2], dev[second][:2] if second else None)
    for part in sets:
        tracker.log_inputs(dataset_name(part.dataset.cfg.data), part.files)
    split, metric = headline(cfg.data, cfg.eval, family_of(cfg.model))
    log.info(
        "%s %s/%s: %.4f; %s",
        cfg.name,
        split,
        metric,
        value,
        ", ".join(f"{v:,.0f} {k.replace('_per_s', '/s')}" for k, v in speed.items() if k.endswith("_per_s")),
    )
    return metrics
