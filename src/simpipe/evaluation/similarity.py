"""Similarity metrics (Pearson, Spearman per similarity) with sentence-transformers' EmbeddingSimilarityEvaluator."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext

import numpy as np
import torch
from datasets import Dataset
from sentence_transformers import SentenceTransformer
from sentence_transformers.base.evaluation import SentenceEvaluator
from sentence_transformers.sentence_transformer.evaluation import EmbeddingSimilarityEvaluator

from simpipe.artifacts.metrics import without_prefix


class DistinctTextSimilarityEvaluator(EmbeddingSimilarityEvaluator):
    """`EmbeddingSimilarityEvaluator` that encodes each distinct text once.

    Search data repeats queries and titles across pairs (Home Depot val: 11,851 pairs), so
    encoding the distinct texts and indexing back gives the same embeddings for less work.
    On a CUDA model it encodes `cuda_batch_size` texts at a time (a GPU wants larger batches).
    With `autocast` (a dtype) it encodes under `torch.autocast`, as a mixed-precision training step
    computes: the cheaper dev curve during training; final metrics use none (fp32).
    """

    def __init__(
        self, *args, cuda_batch_size: int | None = None, autocast: torch.dtype | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cpu_batch_size = self.batch_size
        self.cuda_batch_size = cuda_batch_size or self.batch_size
        self.autocast = autocast

    def __call__(self, model: SentenceTransformer, *args, **kwargs) -> dict[str, float]:
        self.batch_size = self.cuda_batch_size if model.device.type == "cuda" else self.cpu_batch_size
        precision = torch.autocast(model.device.type, dtype=self.autocast) if self.autocast else nullcontext()
        with precision:
            return super().__call__(model, *args, **kwargs)

    def embed_inputs(self, model: SentenceTransformer, sentences, **kwargs) -> np.ndarray:
        if isinstance(sentences, str):
            return super().embed_inputs(model, sentences, **kwargs)
        position = {text: i for i, text in enumerate(dict.fromkeys(sentences))}
        embeddings = super().embed_inputs(model, list(position), **kwargs)
        return embeddings[[position[text] for text in sentences]]


def similarity_evaluator(
    dataset: Dataset,
    name: str,
    columns: Sequence[str],
    batch_size: int,
    similarity_fns: Sequence[str],
    main_similarity: str,
    cuda_batch_size: int | None = None,
    autocast: torch.dtype | None = None,
) -> DistinctTextSimilarityEvaluator:
    """Evaluator over `dataset` (`columns`: text, text, label) reporting Pearson/Spearman per similarity."""
    text1, text2, label = columns
    return DistinctTextSimilarityEvaluator(
        sentences1=dataset[text1],
        sentences2=dataset[text2],
        scores=dataset[label],
        batch_size=batch_size,
        cuda_batch_size=cuda_batch_size,
        autocast=autocast,
        main_similarity=main_similarity,
        similarity_fn_names=list(similarity_fns),
        name=name,
        write_csv=False,
    )


def final_evaluator(dataset: Dataset, name: str, columns: Sequence[str], eval_cfg) -> DistinctTextSimilarityEvaluator:
    """The evaluate stage's evaluator: every similarity of the `eval` config on a full split."""
    return similarity_evaluator(
        dataset,
        name,
        columns,
        batch_size=eval_cfg.batch_size,
        similarity_fns=eval_cfg.similarity_fns,
        main_similarity=eval_cfg.main_similarity,
        cuda_batch_size=eval_cfg.cuda_batch_size,
    )


def evaluate(model: SentenceTransformer, evaluator: SentenceEvaluator) -> dict[str, float]:
    """Run `evaluator` and return its metrics without the name prefix (`spearman_cosine`, ...)."""
    metrics = {k: float(v) for k, v in evaluator(model).items()}
    return without_prefix(metrics, f"{evaluator.name}_") if evaluator.name else metrics
