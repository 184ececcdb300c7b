"""Similarity metrics (Pearson, Spearman per similarity) with sentence-transformers' EmbeddingSimilarityEvaluator."""

from __future__ import annotations

from collections.abc import Sequence

from datasets import Dataset
from sentence_transformers import SentenceTransformer
from sentence_transformers.base.evaluation import SentenceEvaluator
from sentence_transformers.sentence_transformer.evaluation import EmbeddingSimilarityEvaluator

from simpipe.artifacts.metrics import without_prefix
from simpipe.evaluation.encoded import Encodings, SharedEncodings


class SimilarityEvaluator(SharedEncodings, EmbeddingSimilarityEvaluator):
    """`EmbeddingSimilarityEvaluator` whose embeddings come from the split's shared `Encodings`: search data
    repeats queries and titles across pairs (Home Depot val: 11,851 pairs), so each distinct text is
    encoded once."""


def similarity_evaluator(
    dataset: Dataset,
    name: str,
    columns: Sequence[str],
    similarity_fns: Sequence[str],
    main_similarity: str,
    encodings: Encodings,
    truncate_dim: int | None = None,
) -> SimilarityEvaluator:
    """Evaluator over `dataset` (`columns`: text, text, score) reporting Pearson/Spearman per similarity."""
    text1, text2, label = columns
    return SimilarityEvaluator(
        sentences1=dataset[text1],
        sentences2=dataset[text2],
        scores=dataset[label],
        encodings=encodings,
        batch_size=encodings.batch_size,
        main_similarity=main_similarity,
        similarity_fn_names=list(similarity_fns),
        name=name,
        write_csv=False,
        truncate_dim=truncate_dim,
    )


def evaluate(model: SentenceTransformer, evaluator: SentenceEvaluator) -> dict[str, float]:
    """Run `evaluator` and return its metrics without the name prefix (`spearman_cosine`, ...)."""
    metrics = {k: float(v) for k, v in evaluator(model).items()}
    return without_prefix(metrics, f"{evaluator.name}_") if evaluator.name else metrics
