"""Similarity evaluation with sentence-transformers' EmbeddingSimilarityEvaluator."""

from __future__ import annotations

import numpy as np
from datasets import Dataset
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.evaluation import EmbeddingSimilarityEvaluator


class DistinctTextSimilarityEvaluator(EmbeddingSimilarityEvaluator):
    """`EmbeddingSimilarityEvaluator` that encodes each distinct text once.

    Search data repeats queries and titles across pairs (Home Depot val: 11,851 pairs), so
    encoding the distinct texts and indexing back gives the same embeddings for less work.
    On a CUDA model it encodes `cuda_batch_size` texts at a time (a GPU wants larger batches).
    """

    def __init__(self, *args, cuda_batch_size: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cpu_batch_size = self.batch_size
        self.cuda_batch_size = cuda_batch_size or self.batch_size

    def __call__(self, model: SentenceTransformer, *args, **kwargs) -> dict[str, float]:
        self.batch_size = self.cuda_batch_size if model.device.type == "cuda" else self.cpu_batch_size
        return super().__call__(model, *args, **kwargs)

    def embed_inputs(self, model: SentenceTransformer, sentences, **kwargs) -> np.ndarray:
        if isinstance(sentences, str):
            return super().embed_inputs(model, sentences, **kwargs)
        position = {text: i for i, text in enumerate(dict.fromkeys(sentences))}
        embeddings = super().embed_inputs(model, list(position), **kwargs)
        return embeddings[[position[text] for text in sentences]]


def build_evaluator(dataset: Dataset, name: str, cfg) -> EmbeddingSimilarityEvaluator:
    """Evaluator over `dataset` (columns: text, text, label) reporting Pearson/Spearman per similarity."""
    text1, text2, label = cfg.data.columns
    return DistinctTextSimilarityEvaluator(
        sentences1=dataset[text1],
        sentences2=dataset[text2],
        scores=dataset[label],
        batch_size=cfg.eval.batch_size,
        cuda_batch_size=cfg.eval.cuda_batch_size,
        main_similarity=cfg.eval.main_similarity,
        similarity_fn_names=list(cfg.eval.similarity_fns),
        name=name,
        write_csv=False,
    )


def strip_prefix(metrics: dict[str, float], name: str) -> dict[str, float]:
    """`{name}_spearman_cosine` -> `spearman_cosine`."""
    prefix = f"{name}_"
    return {k.removeprefix(prefix): float(v) for k, v in metrics.items()}


def namespaced(name: str, metrics: dict[str, float]) -> dict[str, float]:
    """Stable MLflow keys: `sts-dev/spearman_cosine`."""
    return {f"{name}/{k}": v for k, v in metrics.items()}


def evaluate(model: SentenceTransformer, evaluator: EmbeddingSimilarityEvaluator) -> dict[str, float]:
    """Run `evaluator` and return its metrics without the name prefix."""
    return strip_prefix(evaluator(model), evaluator.name)
