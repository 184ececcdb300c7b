"""Stage `baseline`: the base model, before fine-tuning, on the dev and test splits -> metrics/<variant>/base/."""

from __future__ import annotations

import logging

from sentence_transformers import SentenceTransformer

from simpipe import record
from simpipe.baseline import base_dir
from simpipe.data.prepared import load_split
from simpipe.hardware import resolve_device
from simpipe.modeling import build_model
from simpipe.paths import Layout
from simpipe.scoring import EVAL_SPLITS, evaluators, score

log = logging.getLogger(__name__)


def base_model(model_cfg, device: str) -> SentenceTransformer | None:
    """The pretrained model fine-tuning starts from; None when the variant has none (GloVe + a new BiLSTM)."""
    if model_cfg.kind != "transformer":
        return None
    return build_model(model_cfg, device)


def run(cfg) -> record.Metrics:
    layout = Layout.from_cfg(cfg)
    device = resolve_device(cfg.train.device)
    model = base_model(cfg.model, device)
    if model is None:
        metrics: record.Metrics = {}
        log.info("%s: model.kind=%s has no pretrained base model; no baseline", cfg.name, cfg.model.kind)
    else:
        prepared = layout.prepared(cfg.name)
        splits = {split: load_split(prepared, split) for split in EVAL_SPLITS}
        metrics = score(model, evaluators(splits, cfg.data, cfg.eval, device))
        split, metric = record.headline(cfg.data, cfg.eval)
        log.info(
            "%s base model %s %s/%s: %.4f", cfg.name, cfg.model.name_or_path, split, metric, metrics[split][metric]
        )
    record.write_metrics(base_dir(layout.metrics(cfg.name)), metrics)
    return metrics
