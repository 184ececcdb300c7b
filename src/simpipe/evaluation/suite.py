"""The final metrics of a model on a variant's dev and test splits (stages `baseline` and `evaluate`, and
the evaluators the card names).

Per split, metrics.json key -> evaluator: the similarity evaluator (key: the split's name) and, when the
prepared data has a search threshold (`simpipe.data.prepared.read_search`), the product-search evaluator
(key: `search/<split name>`).
"""

from __future__ import annotations

from datasets import Dataset
from sentence_transformers import SentenceTransformer
from sentence_transformers.base.evaluation import SentenceEvaluator

from simpipe.artifacts.metrics import Metrics, curve_metric, search_key
from simpipe.core.errors import ConfigError
from simpipe.evaluation.search import search_evaluator
from simpipe.evaluation.similarity import evaluate, final_evaluator

EVAL_SPLITS = ("dev", "test")


def split_names(data_cfg) -> dict[str, str]:
    """Prepared split -> its name in metrics (e.g. dev -> val)."""
    return {"dev": data_cfg.dev_name, "test": data_cfg.test_name}


def evaluators(
    splits: dict[str, Dataset], data_cfg, eval_cfg, min_label: float | None, device: str = "cpu"
) -> dict[str, SentenceEvaluator]:
    """metrics.json key -> evaluator over the prepared `splits` (dev and test); search evaluators when
    `min_label` (the prepared relevance threshold) is given."""
    out: dict[str, SentenceEvaluator] = {}
    for split, name in split_names(data_cfg).items():
        evaluator = final_evaluator(splits[split], name, data_cfg.columns, eval_cfg)
        evaluator.primary_metric = f"{name}_{curve_metric(eval_cfg.main_similarity)}"
        out[name] = evaluator
        if min_label is not None:
            out[search_key(name)] = _search(splits[split], name, data_cfg, eval_cfg, min_label, device)
    return out


def _search(dataset: Dataset, name: str, data_cfg, eval_cfg, min_label: float, device: str) -> SentenceEvaluator:
    batch_size = eval_cfg.cuda_batch_size if device == "cuda" else eval_cfg.batch_size
    evaluator = search_evaluator(dataset, name, data_cfg.columns, min_label, eval_cfg.main_similarity, batch_size)
    if not evaluator.queries_ids:
        raise ConfigError(
            f"data.search.min_relevance: no pair of the {name} split is that relevant (prepared label >= "
            f"{min_label:g}), so no query has a relevant result; lower it or set data.search=null"
        )
    return evaluator


def score(model: SentenceTransformer, by_key: dict[str, SentenceEvaluator]) -> Metrics:
    """Every evaluator's metrics, keyed as metrics.json keys them (name prefixes stripped)."""
    return {key: evaluate(model, evaluator) for key, evaluator in by_key.items()}
