"""The `eval` config section (conf/eval/default.yaml): the final evaluation, never training."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from simpipe.core.sections import Section, at_least, invalid, option

SIMILARITY = Literal["cosine", "manhattan", "euclidean", "dot"]


@dataclass
class EvalConfig(Section):
    batch_size: int = option(64, "texts per encode batch of the final evaluation")
    cuda_batch_size: int = option(512, "texts per encode batch on CUDA (same metrics, fewer kernel launches)")
    similarity_fns: list[SIMILARITY] = option(["cosine", "manhattan", "euclidean", "dot"], "similarities scored")
    main_similarity: SIMILARITY = option("cosine", "the headline metric's similarity and the one curve of training")
    retriever: str = option(
        "${..name}",
        "the variant whose trained bi-encoder is the first stage of this variant's search: the variant itself "
        "(a bi-encoder ranks the split's documents), or another, whose top rerank_top_k documents of each "
        "query a cross-encoder reranks (stage candidates)",
    )
    rerank_top_k: int = option(100, "the retriever's candidates per query that a cross-encoder reranks")
    rerank_fusion: float | None = option(
        None,
        "the reranker's weight w when the stack ranks by w * z(reranker) + (1 - w) * z(retriever), z a score "
        "standardised over the query's candidates; null: the reranker's scores alone (a variant that reranks "
        "nothing, e.g. a sweep job with eval.retriever set to itself, has nothing to fuse)",
    )

    def check(self, key: str) -> None:
        at_least(f"{key}.batch_size", self.batch_size, 1, "texts per batch")
        at_least(f"{key}.cuda_batch_size", self.cuda_batch_size, 1, "texts per batch")
        at_least(f"{key}.rerank_top_k", self.rerank_top_k, 1, "candidates per query")
        if self.rerank_fusion is not None and not 0 <= self.rerank_fusion <= 1:
            raise invalid(f"{key}.rerank_fusion", self.rerank_fusion, "a weight in [0, 1], or null for no fusion")
        if self.main_similarity not in self.similarity_fns:
            raise invalid(
                f"{key}.main_similarity",
                self.main_similarity,
                f"not among {key}.similarity_fns={self.similarity_fns}; add it there or choose one of them",
            )


def reranks(name: str, eval_cfg) -> bool:
    """Whether variant `name` reranks another variant's candidates (`eval.retriever`)."""
    return eval_cfg.retriever != name
