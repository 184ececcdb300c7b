"""Retrieve and rerank: a retriever's top documents of each query of a split's search task (stage
`candidates`), and a cross-encoder's reranking of them (stage `evaluate`: key `rerank/<split name>`).

Both rankings are scored by sentence-transformers' `InformationRetrievalEvaluator.compute_metrics`, over the
same search task as a bi-encoder's search metrics (`simpipe.evaluation.search`): every relevant document of
a query counts, retrieved or not (NDCG's ideal ranking, MAP's and recall's denominators). The reranked
metrics (`ndcg@10`, `mrr@10`, `map@100`, `recall@<k>`...) sit beside the retriever's own on the same queries
(`retriever_ndcg@10`...). sentence-transformers' `CrossEncoderRerankingEvaluator` is not used: with
candidates that miss positives (`always_rerank_positives=False`), its reranked NDCG and MAP count only the
retrieved positives, and would rate the stack above what a user sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from datasets import Dataset
from sentence_transformers import CrossEncoder, SentenceTransformer
from sentence_transformers.base.evaluation import SentenceEvaluator
from sentence_transformers.sentence_transformer.evaluation import InformationRetrievalEvaluator

from simpipe.artifacts.candidates import COLUMNS, read_candidates
from simpipe.artifacts.metrics import RETRIEVER, SEARCH_AT
from simpipe.core.errors import ConfigError
from simpipe.evaluation.config import reranks
from simpipe.evaluation.encoded import Encodings
from simpipe.evaluation.search import SearchEvaluator, Task, search_evaluator, split_task

# the metrics kept of sentence-transformers' search metrics (accuracy and precision say no more here)
KINDS = ("mrr@k", "ndcg@k", "map@k", "recall@k")
# pairs from which the reranking shows a progress bar
PROGRESS_PAIRS = 10_000

Ranking = list[dict[str, float | str]]  # one query's documents: {"corpus_id", "score"}


class Retrieval(SearchEvaluator):
    """The search evaluator that keeps each query's ranked documents (`rankings`, in `queries_ids` order)."""

    rankings: list[Ranking]

    def compute_metrics(self, queries_result_list: list[Ranking]):
        self.rankings = queries_result_list
        return super().compute_metrics(queries_result_list)


def candidates_of(candidates_dir: Path, name: str, eval_cfg) -> dict[str, pd.DataFrame] | None:
    """Variant `name`'s candidates of its dev and test splits (stage candidates); None when it reranks nothing."""
    return read_candidates(candidates_dir, eval_cfg.retriever) if reranks(name, eval_cfg) else None


def rerank_task(dataset: Dataset, data_cfg, min_label: float | None, name: str) -> Task:
    """The search task whose queries a split's (`name`) candidates serve; a one-line error without one."""
    search = split_task(dataset, data_cfg, min_label, name)
    if search is None:
        raise ConfigError(f"data.search: the {name} split of {data_cfg.name} has no search task to rerank; set "
                          "data.search.min_relevance, or eval.retriever to the variant itself")  # fmt: skip
    return search


def retrieve(
    model: SentenceTransformer, search: Task, top_k: int, similarity: str, encodings: Encodings
) -> pd.DataFrame:
    """The `top_k` documents of each query of `search` with a relevant document, by `model`'s `similarity`
    (best first, ties by the task's ids, as its search metrics rank): a frame of COLUMNS."""
    evaluator = search_evaluator(search, "", similarity, encodings, evaluator_class=Retrieval, recall_at=[top_k])
    evaluator(model)
    queries, corpus, _ = search
    rows = []
    for query_id, ranking in zip(evaluator.queries_ids, evaluator.rankings, strict=True):
        ranked = ranking[:top_k]  # sorted by the evaluator: score, then id
        rows.append((queries[query_id], [corpus[hit["corpus_id"]] for hit in ranked], [hit["score"] for hit in ranked]))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def metrics_of(scorer: InformationRetrievalEvaluator, rankings: list[Ranking], prefix: str = "") -> dict[str, float]:
    """`scorer`'s metrics of `rankings` (one per query, in its `queries_ids` order), flat: `ndcg@10`..."""
    by_kind = scorer.compute_metrics(rankings)
    return {f"{prefix}{kind[:-1]}{k}": float(value) for kind in KINDS for k, value in by_kind[kind].items()}


def fuse(reranker: np.ndarray, retriever: Sequence[float], weight: float) -> np.ndarray:
    """One query's fused scores: `weight` * z(reranker) + (1 - `weight`) * z(retriever), z the scores
    standardised over the query's candidates (all equal: 0)."""

    def z(scores) -> np.ndarray:
        scores = np.asarray(scores, dtype=np.float64)
        spread = scores.std()
        return (scores - scores.mean()) / spread if spread > 0 else np.zeros_like(scores)

    return weight * z(reranker) + (1 - weight) * z(retriever)


class RerankEvaluator(SentenceEvaluator):
    """A cross-encoder's reranking of a retriever's `top_k` candidates of one split (`candidates`: a frame of
    COLUMNS) for the split's search task `search`; its metrics beside the retriever's (`retriever_*`). With
    `fusion` (a weight), the stack ranks by the reranker's and the retriever's scores fused (`fuse`)."""

    def __init__(
        self,
        candidates: pd.DataFrame,
        search: Task,
        name: str,
        top_k: int,
        batch_size: int = 64,
        fusion: float | None = None,
    ) -> None:
        super().__init__()
        queries, corpus, relevant = search
        query_ids = {text: qid for qid, text in queries.items()}
        doc_ids = {text: did for did, text in corpus.items()}
        self.name, self.top_k, self.batch_size, self.fusion = name, top_k, batch_size, fusion
        self.rows = [(query, list(docs)[:top_k], [float(s) for s in scores][:top_k]) for query, docs, scores in
                     candidates[list(COLUMNS)].itertuples(index=False)]  # fmt: skip
        ordered = {query_ids[query]: query for query, _, _ in self.rows}
        # the metrics' calculator: the search evaluator of the task restricted to the candidates' queries
        restricted = (ordered, corpus, {qid: relevant[qid] for qid in ordered})
        self.scorer = search_evaluator(restricted, name, "cosine", Encodings(batch_size), recall_at=[top_k])
        self.doc_ids = [[doc_ids[doc] for doc in docs] for _, docs, _ in self.rows]
        self.primary_metric = f"ndcg@{SEARCH_AT['ndcg'][0]}"

    def __call__(self, model: CrossEncoder, output_path: str | None = None, epoch: int = -1, steps: int = -1):
        pairs = [[query, doc] for query, docs, _ in self.rows for doc in docs]
        scores = model.predict(pairs, batch_size=self.batch_size, convert_to_numpy=True,
                               show_progress_bar=len(pairs) >= PROGRESS_PAIRS)  # fmt: skip
        reranked, retrieved, start = [], [], 0
        for ids, (_, _, first) in zip(self.doc_ids, self.rows, strict=True):
            own = scores[start : start + len(ids)]
            reranked.append(_ranking(ids, own if self.fusion is None else fuse(own, first, self.fusion)))
            retrieved.append(_ranking(ids, first))
            start += len(ids)
        metrics = {**metrics_of(self.scorer, reranked), **metrics_of(self.scorer, retrieved, RETRIEVER)}
        metrics = self.prefix_name_to_metrics(metrics, self.name)
        self.store_metrics_in_model_card_data(model, metrics, epoch, steps)
        return metrics

    def get_config_dict(self) -> dict[str, int | float]:
        return {"top_k": self.top_k} if self.fusion is None else {"top_k": self.top_k, "fusion": self.fusion}


def _ranking(doc_ids: Sequence[str], scores: Sequence[float]) -> Ranking:
    return [{"corpus_id": did, "score": float(score)} for did, score in zip(doc_ids, scores, strict=True)]
