"""Stage `baseline`: the base model, before fine-tuning, on the dev and test splits (of each data set the
variant trains on) -> metrics/<variant>/base/.

Cached by DVC on the model, eval and data settings only, so a training change never re-scores it; the
evaluate stage adds these metrics to metrics.json under `base/<key>`, and the comparison computes the lift.
"""

from __future__ import annotations

import logging

from transformers import set_seed

from simpipe.artifacts.metrics import Metrics, base_dir, headline, matryoshka_dims, write_metrics
from simpipe.core.paths import Layout
from simpipe.data.prepared import EVAL_SPLITS
from simpipe.evaluation.suite import EvalSet, score, sets_evaluators
from simpipe.modeling.config import family_of
from simpipe.modeling.hardware import resolve_device
from simpipe.modeling.model import base_model
from simpipe.training.losses import embedding_teacher
from simpipe.training.sets import set_splits

log = logging.getLogger(__name__)


def run(cfg) -> Metrics:
    layout = Layout.from_cfg(cfg)
    device = resolve_device(cfg.train.device)
    set_seed(cfg.train.seed)  # a new head (a cross-encoder's) as training starts it
    model = base_model(cfg.model, device)
    if model is None:
        metrics: Metrics = {}
        log.info("%s: model.kind=%s has no pretrained base model; no baseline", cfg.name, cfg.model.kind)
    else:
        sets = set_splits(layout, cfg, EVAL_SPLITS)
        # no trained head yet
        parts = [EvalSet(s.dataset.cfg.data, s.splits, s.min_label, None, embedding_teacher(s.dataset.cfg, device))
                 for s in sets]  # fmt: skip
        metrics = score(model, sets_evaluators(parts, cfg.eval, family_of(cfg.model), matryoshka_dims(cfg.train)))
        split, metric = headline(cfg.data, cfg.eval, family_of(cfg.model))
        value = metrics.get(split, {}).get(metric)
        log.info("%s base model %s %s/%s: %s", cfg.name, cfg.model.name_or_path, split, metric,
                 "none (a classifier head is trained with the model)" if value is None else f"{value:.4f}")  # fmt: skip
    write_metrics(base_dir(layout.metrics(cfg.name)), metrics)
    return metrics
