"""Search metrics with sentence-transformers' `InformationRetrievalEvaluator`.

Every distinct query (first text column) of a split searches that split's distinct documents (its other
text columns: product titles, positives and negatives). Which documents are relevant to a query:
- scored pairs: those whose pair's label is at least `min_label` (the prepared search threshold);
- pairs and triplets: the query's positives (a triplet's negatives are in the corpus, never relevant).
Queries without a relevant document are left out (they have no rank to score). Embeddings come from the
split's shared `Encodings`: each distinct text is encoded once for all of the split's evaluators.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from datasets import Dataset
from sentence_transformers import SimilarityFunction
from sentence_transformers.sentence_transformer.evaluation import InformationRetrievalEvaluator

from simpipe.artifacts.metrics import SEARCH_AT
from simpipe.core.errors import ConfigError
from simpipe.evaluation.encoded import Encodings, SharedEncodings

Task = tuple[dict[str, str], dict[str, str], dict[str, set[str]]]  # queries, corpus, relevant docs by id


class SearchEvaluator(SharedEncodings, InformationRetrievalEvaluator):
    """`InformationRetrievalEvaluator` whose embeddings come from the split's shared `Encodings`."""

    as_tensor = True


def task(queries_in: Sequence[str], docs_in: Sequence[str], relevant_in: Iterable[bool],
         other_docs: Iterable[str] = ()) -> Task:  # fmt: skip
    """(queries, corpus, relevant docs) from aligned query / document / is-relevant sequences, plus
    `other_docs` in the corpus: ids are zero-padded positions of the distinct texts in order of appearance,
    so the evaluator's id tie-break follows that order."""
    docs_all = [*docs_in, *other_docs]
    width = len(str(max(len(queries_in), len(docs_all), 1)))
    query_ids = {text: f"q{i:0{width}d}" for i, text in enumerate(dict.fromkeys(queries_in))}
    doc_ids = {text: f"d{i:0{width}d}" for i, text in enumerate(dict.fromkeys(docs_all))}
    relevant: dict[str, set[str]] = {}
    for query, doc, is_relevant in zip(queries_in, docs_in, relevant_in, strict=True):
        if is_relevant:
            relevant.setdefault(query_ids[query], set()).add(doc_ids[doc])
    queries = {qid: text for text, qid in query_ids.items()}
    corpus = {did: text for text, did in doc_ids.items()}
    return queries, corpus, relevant


def scored_task(dataset: Dataset, columns: Sequence[str], min_label: float) -> Task:
    """The search task of scored pairs (`columns`: query, document, label)."""
    query_col, doc_col, label_col = columns
    return task(dataset[query_col], dataset[doc_col], (label >= min_label for label in dataset[label_col]))


def positives_task(dataset: Dataset, columns: Sequence[str]) -> Task:
    """The search task of pairs or triplets (`columns`: anchor, positive, negatives...)."""
    anchor, positive, *negatives = columns
    return task(
        dataset[anchor],
        dataset[positive],
        [True] * len(dataset),
        (text for column in negatives for text in dataset[column]),
    )


def split_task(dataset: Dataset, data_cfg, min_label: float | None, name: str) -> Task | None:
    """The search task of a split (`name`: its name in metrics) by `data_cfg.eval_shape`: pairs and triplets
    search their positives; scored and labelled pairs, with a search threshold `min_label`, their relevant
    documents; None without one."""
    columns = list(data_cfg.columns)
    if data_cfg.eval_shape in ("pairs", "triplets"):
        search = positives_task(dataset, columns)
    elif min_label is not None and data_cfg.eval_shape in ("scored_pairs", "labelled_pairs"):
        search = scored_task(dataset, columns, min_label)
    else:
        return None
    if not search[2]:
        raise ConfigError(
            f"data.search.min_relevance: no pair of the {name} split is that relevant (prepared label >= "
            f"{min_label:g}), so no query has a relevant result; lower it or set data.search=null"
        )
    return search


def search_evaluator(
    search: Task,
    name: str,
    similarity: str,
    encodings: Encodings,
    truncate_dim: int | None = None,
    evaluator_class: type[SearchEvaluator] = SearchEvaluator,
    recall_at: Sequence[int] = (),
) -> SearchEvaluator:
    """Search evaluator of one split's task, scoring with the variant's main similarity (`eval.main_similarity`);
    `recall_at`: ranks of recall besides SEARCH_AT's (its ranking keeps the largest)."""
    queries, corpus, relevant = search
    function = SimilarityFunction(similarity)
    return evaluator_class(
        queries=queries,
        corpus=corpus,
        relevant_docs=relevant,
        encodings=encodings,
        mrr_at_k=SEARCH_AT["mrr"],
        ndcg_at_k=SEARCH_AT["ndcg"],
        accuracy_at_k=SEARCH_AT["accuracy"],
        precision_recall_at_k=sorted({*SEARCH_AT["recall"], *recall_at}),
        map_at_k=SEARCH_AT["map"],
        batch_size=encodings.batch_size,
        name=name,
        write_csv=False,
        score_functions={function.value: SimilarityFunction.to_similarity_fn(function)},
        main_score_function=function,
        truncate_dim=truncate_dim,
    )
