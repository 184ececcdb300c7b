"""The evaluators of a variant's dev and test splits (stages `baseline` and `evaluate`, the card), and the
dev curve's evaluator during training, chosen by the shape of the eval splits (`data.eval_shape`):

| eval shape | key `<split name>` | key `search/<split name>` |
|---|---|---|
| scored_pairs | similarity (Spearman, Pearson) | with a search threshold (`data.search`): relevant = label >= it |
| labelled_pairs | binary classification (accuracy, F1, AP) | with a search threshold |
| pairs | - | each anchor searches the split's positives |
| triplets | triplet accuracy | each anchor searches the split's positives and negatives |
| labelled_texts | triplet accuracy over the triplets the class ids make | - |
| classified_pairs | accuracy, macro F1 of the classifier head trained with the model (none before) | - |
| texts | with a teacher (MSELoss): MSE of the embeddings to the teacher's (`negative_mse`); else none | - |

A cross-encoder's splits have their own evaluators (`simpipe.evaluation.cross_encoder`); a reranker's (one with
`eval.retriever`'s candidates) rerank them too, per split (key `rerank/<split name>`: `simpipe.evaluation.rerank`).

With Matryoshka dims (`train.matryoshka.dims`) every evaluator runs again on embeddings truncated to each
dim (key `<key>/dim_<d>`). Every evaluator of a split shares one `Encodings`: each distinct text is encoded
once for all of them, whatever the number of evaluators and dims.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pandas as pd
import torch
from datasets import Dataset
from sentence_transformers import SentenceTransformer
from sentence_transformers.base.evaluation import SentenceEvaluator
from sentence_transformers.sentence_transformer.evaluation import MSEEvaluator

from simpipe.artifacts.metrics import (
    SEARCH_HEADLINE,
    Metrics,
    dim_key,
    headline,
    rerank_key,
    search_key,
    split_metric,
)
from simpipe.core.errors import ConfigError
from simpipe.core.families import BI_ENCODER, CROSS_ENCODER
from simpipe.data.prepared import split_names
from simpipe.evaluation.classifier import Head, pair_classifier_evaluator
from simpipe.evaluation.cross_encoder import pair_evaluator
from simpipe.evaluation.encoded import Encodings
from simpipe.evaluation.pairs import classification_evaluator, labelled_evaluator, triplet_evaluator
from simpipe.evaluation.rerank import RerankEvaluator, rerank_task
from simpipe.evaluation.search import search_evaluator, split_task
from simpipe.evaluation.similarity import evaluate, similarity_evaluator

# eval shape -> the builder of a split's own evaluator
SPLIT_EVALUATORS = {
    "scored_pairs": similarity_evaluator,
    "labelled_pairs": classification_evaluator,
    "triplets": triplet_evaluator,
    "labelled_texts": labelled_evaluator,
}


def split_evaluators(
    dataset: Dataset,
    name: str,
    data_cfg,
    similarity_fns: Sequence[str],
    main_similarity: str,
    min_label: float | None,
    encodings: Encodings,
    truncate_dim: int | None = None,
    head: Head | None = None,
    teacher: SentenceTransformer | None = None,
) -> dict[str, SentenceEvaluator]:
    """metrics.json key -> evaluator of one split (`name`: its name in metrics), by `data_cfg.eval_shape`;
    classified pairs by their trained classifier `head` (full size only; none without a head); single texts
    by the distance of their embeddings to the `teacher`'s they learnt (none without a teacher)."""
    shape, columns = data_cfg.eval_shape, list(data_cfg.columns)
    out: dict[str, SentenceEvaluator] = {}
    if shape == "texts":
        if teacher is not None:  # the teacher encodes once, here; its vectors never enter the shared encodings
            texts = dataset[columns[0]]
            out[name] = MSEEvaluator(texts, texts, teacher, batch_size=encodings.batch_size, name=name,
                                     write_csv=False, truncate_dim=truncate_dim)  # fmt: skip
            out[name].primary_metric = f"{name}_{split_metric(shape, main_similarity, BI_ENCODER)}"
        return out
    if shape == "classified_pairs":
        if head is not None and truncate_dim is None:
            out[name] = pair_classifier_evaluator(dataset, name, columns, head, encodings)
            out[name].primary_metric = f"{name}_{split_metric(shape, main_similarity, BI_ENCODER)}"
        return out
    if shape in SPLIT_EVALUATORS:
        build = SPLIT_EVALUATORS[shape]
        out[name] = build(dataset, name, columns, similarity_fns, main_similarity, encodings, truncate_dim)
        out[name].primary_metric = f"{name}_{split_metric(shape, main_similarity, BI_ENCODER)}"  # as the card shows it
    task = split_task(dataset, data_cfg, min_label, name)
    if task is None:
        return out
    out[search_key(name)] = search = search_evaluator(task, name, main_similarity, encodings, truncate_dim)
    search.primary_metric = f"{name}_{SEARCH_HEADLINE.format(sim=main_similarity)}"  # set on a call otherwise
    return out


@dataclass
class EvalSet:
    """What one data set's evaluators need: its data config, its prepared dev and test `splits`, its search
    threshold, and the models beside the one evaluated: the classifier `head` trained with it (classified
    pairs) and the `teacher` it learnt from (single texts); a reranker's `candidates` of each split (stage
    candidates)."""

    data: Any
    splits: dict[str, Dataset]
    min_label: float | None = None
    head: Head | None = None
    teacher: SentenceTransformer | None = None
    candidates: dict[str, pd.DataFrame] | None = None


def evaluators(
    splits: dict[str, Dataset],
    data_cfg,
    eval_cfg,
    min_label: float | None,
    dims: Sequence[int] = (),
    head: Head | None = None,
    teacher: SentenceTransformer | None = None,
) -> dict[str, SentenceEvaluator]:
    """metrics.json key -> evaluator over the prepared `splits` (dev and test), every similarity of the
    `eval` config, at full size and truncated to each of `dims`; `min_label`: the prepared search threshold;
    `head`, `teacher`: as `EvalSet`'s."""
    out: dict[str, SentenceEvaluator] = {}
    for split, name in split_names(data_cfg).items():
        encodings = Encodings(eval_cfg.batch_size, eval_cfg.cuda_batch_size)
        for dim in (None, *dims):
            by_key = split_evaluators(
                splits[split], name, data_cfg, eval_cfg.similarity_fns, eval_cfg.main_similarity, min_label,
                encodings, dim, head, teacher,
            )  # fmt: skip
            out.update(by_key if dim is None else {dim_key(key, dim): e for key, e in by_key.items()})
    return out


def sets_evaluators(
    parts: Sequence[EvalSet], eval_cfg, family: str, dims: Sequence[int] = ()
) -> dict[str, SentenceEvaluator]:
    """The evaluators of several data sets in one mapping, for a model of `family`: a bi-encoder's
    (`evaluators`), a cross-encoder's (one per split, `simpipe.evaluation.cross_encoder`); each set's keys
    are its own splits' names (checked distinct)."""
    out: dict[str, SentenceEvaluator] = {}
    for part in parts:
        if family == CROSS_ENCODER:
            by_key = {name: pair_evaluator(part.splits[split], name, part.data, eval_cfg.batch_size)
                      for split, name in split_names(part.data).items()}  # fmt: skip
            by_key.update(rerank_evaluators(part, eval_cfg))
        else:
            by_key = evaluators(part.splits, part.data, eval_cfg, part.min_label, dims, part.head, part.teacher)
        if clash := sorted(set(by_key) & set(out)):
            raise ConfigError(f"{part.data.name}: metrics key {clash[0]} is another data set's too; rename its split")
        out.update(by_key)
    return out


def rerank_evaluators(part: EvalSet, eval_cfg) -> dict[str, RerankEvaluator]:
    """`rerank/<split name>` -> the reranking of each split's `eval.rerank_top_k` candidates, fused with the
    retriever's scores by `eval.rerank_fusion` (none without candidates)."""
    out: dict[str, RerankEvaluator] = {}
    for split, name in split_names(part.data).items() if part.candidates else ():
        search = rerank_task(part.splits[split], part.data, part.min_label, name)
        out[rerank_key(name)] = RerankEvaluator(part.candidates[split], search, name, eval_cfg.rerank_top_k,
                                                eval_cfg.batch_size, eval_cfg.rerank_fusion)  # fmt: skip
    return out


def curve_evaluator(
    dev: Dataset,
    data_cfg,
    eval_cfg,
    min_label: float | None,
    batch_size: int,
    autocast: torch.dtype | None,
    family: str,
    head: Head | None = None,
    teacher: SentenceTransformer | None = None,
) -> SentenceEvaluator | None:
    """The dev curve during training of a model of `family`: the headline metric's evaluator, main
    similarity only, `batch_size` texts (a cross-encoder: pairs) a batch, under `autocast` (the training's
    precision; the final metrics use fp32); `head`: the classifier the loss trains (classified pairs);
    `teacher`: the model single texts learn (distillation)."""
    if family == CROSS_ENCODER:
        return pair_evaluator(dev, data_cfg.dev_name, data_cfg, batch_size)
    key, _ = headline(data_cfg, eval_cfg, BI_ENCODER)
    main = eval_cfg.main_similarity
    encodings = Encodings(batch_size, autocast=autocast)
    by_key = split_evaluators(dev, data_cfg.dev_name, data_cfg, [main], main, min_label, encodings, None, head, teacher)
    return by_key.get(key)  # None: no evaluator (single texts without a teacher)


def score(model: SentenceTransformer, by_key: dict[str, SentenceEvaluator]) -> Metrics:
    """Every evaluator's metrics, keyed as metrics.json keys them (name prefixes stripped); the evaluators
    of a split share its encodings for the whole of this call."""
    with ExitStack() as stack:
        shared = [e.encodings for e in by_key.values() if hasattr(e, "encodings")]  # the teacher's MSE: its own
        for encodings in {id(e): e for e in shared}.values():
            stack.enter_context(encodings.session())
        return {key: evaluate(model, evaluator) for key, evaluator in by_key.items()}
