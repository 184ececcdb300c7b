"""Retrieve and rerank: the candidates are the retriever's top k, and the reranking metrics (and the
retriever's own on the same queries) equal a brute-force numpy computation in which every relevant document
counts, retrieved or not."""

import numpy as np
import pandas as pd
import pytest

from simpipe.artifacts.metrics import RETRIEVER
from simpipe.core.errors import ConfigError
from simpipe.evaluation.encoded import Encodings
from simpipe.evaluation.rerank import RerankEvaluator, rerank_task, retrieve
from simpipe.evaluation.search import scored_task
from simpipe.modeling.model import build_model
from tests.evaluation.test_search import COLUMNS, MIN_LABEL, PAIRS, dataset


@pytest.fixture(scope="module")
def retriever(variant_cfg):
    return build_model(variant_cfg("minilm_homedepot_search", "model.max_seq_length=64").model, "cpu")


@pytest.fixture(scope="module")
def reranker(variant_cfg):
    return build_model(variant_cfg("minilm_homedepot_rerank", "model.max_length=64").model, "cpu")


def relevant_titles() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for query, title, label in PAIRS:
        if label >= MIN_LABEL:
            out.setdefault(query, set()).add(title)
    return out


def test_the_candidates_are_the_retrievers_top_k(retriever):
    """Every query with a relevant title keeps the `k` titles of highest cosine similarity, best first."""
    frame = retrieve(retriever, scored_task(dataset(), COLUMNS, MIN_LABEL), 3, "cosine", Encodings(4))
    titles = list(dict.fromkeys(p[1] for p in PAIRS))
    queries = [q for q in dict.fromkeys(p[0] for p in PAIRS) if q in relevant_titles()]
    q = retriever.encode(queries, convert_to_numpy=True)
    d = retriever.encode(titles, convert_to_numpy=True)
    scores = (q / np.linalg.norm(q, axis=1, keepdims=True)) @ (d / np.linalg.norm(d, axis=1, keepdims=True)).T
    assert frame["query"].tolist() == queries  # "garden hose" has no relevant title: not a query
    for row, got_docs, got_scores in zip(scores, frame["documents"], frame["scores"], strict=True):
        top = sorted(range(len(titles)), key=lambda i: (-row[i], i))[:3]
        assert list(got_docs) == [titles[i] for i in top]
        np.testing.assert_allclose(got_scores, row[top], atol=1e-5)


def brute_force(ranked: list[list[str]], queries: list[str], k: int) -> dict[str, float]:
    """MRR@10, NDCG@10, MAP@100, Recall@10 and Recall@k of rankings (one per query, best first), over every
    relevant title of the split: a relevant title that was not retrieved still counts."""
    relevant = relevant_titles()
    out: dict[str, list[float]] = {"mrr@10": [], "ndcg@10": [], "map@100": [], "recall@10": [], f"recall@{k}": []}
    for query, docs in zip(queries, ranked, strict=True):
        hits = np.array([doc in relevant[query] for doc in docs], dtype=float)
        total = len(relevant[query])
        first = np.flatnonzero(hits[:10])
        out["mrr@10"].append(1 / (first[0] + 1) if len(first) else 0.0)
        discounts = 1 / np.log2(np.arange(2, 12))
        out["ndcg@10"].append((hits[:10] * discounts[: len(hits[:10])]).sum() / discounts[: min(total, 10)].sum())
        precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
        out["map@100"].append((precision * hits)[:100].sum() / min(total, 100))
        out["recall@10"].append(hits[:10].sum() / total)
        out[f"recall@{k}"].append(hits[:k].sum() / total)
    return {name: float(np.mean(values)) for name, values in out.items()}


def standardised(scores) -> np.ndarray:
    scores = np.asarray(scores, dtype=float)
    return (scores - scores.mean()) / scores.std()


@pytest.mark.parametrize("fusion", [None, 0.6])
def test_the_reranking_metrics_equal_a_brute_force_computation(reranker, fusion):
    """Candidates by hand: one query's relevant title is not among them (it counts against both rankings),
    and the retriever's order differs from the reranker's. Fused (`eval.rerank_fusion`), the stack ranks by
    0.6 of the reranker's standardised scores and 0.4 of the retriever's."""
    candidates = pd.DataFrame(
        {
            "query": ["cordless drill", "white paint", "tape measure", "led bulb"],
            "documents": [
                ["husky 25 ft tape measure", "corded hammer drill 1/2 in.", "dewalt 20v max cordless drill driver kit"],
                ["dewalt 20v max cordless drill driver kit", "behr premium plus ultra white interior paint"],
                ["stanley 16 ft tape measure", "husky 25 ft tape measure", "flexzilla 50 ft garden hose"],
                ["behr premium plus ultra white interior paint", "flexzilla 50 ft garden hose"],  # no relevant
            ],
            "scores": [[0.9, 0.8, 0.7], [0.6, 0.5], [0.9, 0.4, 0.3], [0.8, 0.2]],
        }
    )
    search = scored_task(dataset(), COLUMNS, MIN_LABEL)
    got = RerankEvaluator(candidates, search, "val", 3, batch_size=4, fusion=fusion)(reranker)
    reranked = []
    for query, docs, first in candidates.itertuples(index=False):
        scores = reranker.predict([[query, doc] for doc in docs])
        if fusion is not None:
            scores = fusion * standardised(scores) + (1 - fusion) * standardised(first)
        order = sorted(range(len(docs)), key=lambda i: -scores[i])  # a model's scores do not tie
        reranked.append([docs[i] for i in order])
    queries = candidates["query"].tolist()
    for name, value in brute_force(reranked, queries, 3).items():
        assert got[f"val_{name}"] == pytest.approx(value, abs=1e-6), name
    for name, value in brute_force([list(d) for d in candidates["documents"]], queries, 3).items():
        assert got[f"val_{RETRIEVER}{name}"] == pytest.approx(value, abs=1e-6), name
    assert got[f"val_{RETRIEVER}mrr@10"] == pytest.approx((1 / 3 + 1 / 2 + 1 + 0) / 4)


def test_a_split_without_a_search_task_is_one_line(variant_cfg):
    data = variant_cfg("minilm_homedepot_rerank").data
    with pytest.raises(ConfigError, match=r"data.search: the val split of homedepot has no search task to rerank"):
        rerank_task(dataset(), data, None, "val")
