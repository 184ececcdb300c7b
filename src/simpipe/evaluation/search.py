"""Product-search metrics with sentence-transformers' `InformationRetrievalEvaluator`.

Every distinct query (first text column) of a split searches that split's distinct product titles
(second text column); a title is relevant to a query when their pair's label is at least `min_label`.
Queries without a relevant title are left out (they have no rank to score). Each distinct text is
encoded once: queries and titles are de-duplicated before they reach the evaluator.
"""

from __future__ import annotations

from collections.abc import Sequence

from datasets import Dataset
from sentence_transformers import SimilarityFunction
from sentence_transformers.sentence_transformer.evaluation import InformationRetrievalEvaluator

from simpipe.artifacts.metrics import SEARCH_AT


def search_task(
    dataset: Dataset, columns: Sequence[str], min_label: float
) -> tuple[dict[str, str], dict[str, str], dict[str, set[str]]]:
    """(queries, corpus, relevant docs) of a split: ids are zero-padded positions of the distinct texts
    in order of appearance, so the evaluator's id tie-break follows that order."""
    query_col, title_col, label_col = columns
    queries_in, titles_in, labels = dataset[query_col], dataset[title_col], dataset[label_col]
    width = len(str(max(len(queries_in), 1)))
    query_ids = {text: f"q{i:0{width}d}" for i, text in enumerate(dict.fromkeys(queries_in))}
    title_ids = {text: f"d{i:0{width}d}" for i, text in enumerate(dict.fromkeys(titles_in))}
    relevant: dict[str, set[str]] = {}
    for query, title, label in zip(queries_in, titles_in, labels, strict=True):
        if label >= min_label:
            relevant.setdefault(query_ids[query], set()).add(title_ids[title])
    queries = {qid: text for text, qid in query_ids.items()}
    corpus = {did: text for text, did in title_ids.items()}
    return queries, corpus, relevant


def search_evaluator(
    dataset: Dataset, name: str, columns: Sequence[str], min_label: float, similarity: str, batch_size: int
) -> InformationRetrievalEvaluator:
    """Search evaluator of one split, scoring with the variant's main similarity (`eval.main_similarity`)."""
    queries, corpus, relevant = search_task(dataset, columns, min_label)
    function = SimilarityFunction(similarity)
    return InformationRetrievalEvaluator(
        queries=queries,
        corpus=corpus,
        relevant_docs=relevant,
        mrr_at_k=SEARCH_AT["mrr"],
        ndcg_at_k=SEARCH_AT["ndcg"],
        accuracy_at_k=SEARCH_AT["accuracy"],
        precision_recall_at_k=SEARCH_AT["recall"],
        map_at_k=SEARCH_AT["map"],
        batch_size=batch_size,
        name=name,
        write_csv=False,
        score_functions={function.value: SimilarityFunction.to_similarity_fn(function)},
        main_score_function=function,
    )
