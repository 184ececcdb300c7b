"""The evaluators of a cross-encoder's splits (a model of the cross_encoder family scores each (text, text)
pair it reads together), by the eval split's shape, with sentence-transformers' own evaluators:

| eval shape | key `<split name>` | headline |
|---|---|---|
| scored_pairs | CrossEncoderCorrelationEvaluator: Pearson, Spearman of scores and labels | spearman |
| labelled_pairs | CrossEncoderClassificationEvaluator: accuracy, F1, average precision | average_precision |
| classified_pairs | CrossEncoderClassificationEvaluator over the classes: accuracy, macro F1 | f1_macro |

Metric names: simpipe.artifacts.metrics (SPLIT_METRICS[CROSS_ENCODER]).
"""

from __future__ import annotations

from datasets import Dataset
from sentence_transformers.base.evaluation import SentenceEvaluator
from sentence_transformers.cross_encoder.evaluation import (
    CrossEncoderClassificationEvaluator,
    CrossEncoderCorrelationEvaluator,
)

from simpipe.artifacts.metrics import split_metric
from simpipe.core.errors import ConfigError
from simpipe.core.families import CROSS_ENCODER


def pair_evaluator(dataset: Dataset, name: str, data_cfg, batch_size: int) -> SentenceEvaluator:
    """The evaluator of one split (`name`: its name in metrics) of (text, text, label) rows, by
    `data_cfg.eval_shape`; a shape without one is a one-line error."""
    shape, (text1, text2, label) = data_cfg.eval_shape, list(data_cfg.columns)[:3]
    pairs = [list(pair) for pair in zip(dataset[text1], dataset[text2], strict=True)]
    common = {"name": name, "batch_size": batch_size, "write_csv": False}
    if shape == "scored_pairs":
        evaluator = CrossEncoderCorrelationEvaluator(pairs, list(dataset[label]), **common)
    elif shape in ("labelled_pairs", "classified_pairs"):
        evaluator = CrossEncoderClassificationEvaluator(pairs, [int(x) for x in dataset[label]], **common)
    else:
        raise ConfigError(
            f"data.shape={shape!r}: a cross-encoder evaluates scored_pairs, labelled_pairs or classified_pairs "
            "splits; use such data"
        )
    evaluator.primary_metric = f"{name}_{split_metric(shape, '', CROSS_ENCODER)}"
    return evaluator
