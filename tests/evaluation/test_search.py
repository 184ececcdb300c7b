"""Search metrics: sentence-transformers' InformationRetrievalEvaluator over a split of scored pairs, pairs or
triplets, checked against a brute-force computation (numpy over the same embeddings)."""

import numpy as np
import pytest
from datasets import Dataset

from simpipe.core.errors import ConfigError
from simpipe.evaluation.encoded import Encodings
from simpipe.evaluation.search import positives_task, scored_task, search_evaluator
from simpipe.evaluation.similarity import evaluate
from simpipe.evaluation.suite import evaluators
from simpipe.modeling.model import build_model

COLUMNS = ["sentence_0", "sentence_1", "label"]
PAIRS = [  # (query, title, label = (relevance - 1) / 2): queries and titles repeat, as in Home Depot
    ("cordless drill", "dewalt 20v max cordless drill driver kit", 1.0),
    ("cordless drill", "ryobi 18v one+ lithium-ion cordless drill", 0.835),
    ("cordless drill", "husky 25 ft tape measure", 0.0),
    ("cordless drill", "corded hammer drill 1/2 in.", 0.665),
    ("white paint", "behr premium plus ultra white interior paint", 1.0),
    ("white paint", "glidden white exterior paint 1 gal", 0.835),
    ("white paint", "dewalt 20v max cordless drill driver kit", 0.0),
    ("tape measure", "husky 25 ft tape measure", 1.0),
    ("tape measure", "stanley 16 ft tape measure", 0.75),
    ("garden hose", "flexzilla 50 ft garden hose", 0.5),  # no relevant title: left out
    ("led bulb", "philips 60w equivalent soft white led bulb", 0.835),
    ("led bulb", "ecosmart 100w equivalent daylight led light bulb", 1.0),
    ("led bulb", "behr premium plus ultra white interior paint", 0.165),
]
MIN_LABEL = 0.75  # relevance 2.5


@pytest.fixture(scope="module")
def model(variant_cfg):
    return build_model(variant_cfg("minilm_homedepot", "model.max_seq_length=64").model, "cpu")


def dataset(pairs=PAIRS) -> Dataset:
    return Dataset.from_dict({name: [pair[i] for pair in pairs] for i, name in enumerate(COLUMNS)})


def brute_force(model, pairs, min_label: float, dim: int | None = None, prompts=None) -> dict[str, float]:
    """MRR@10, NDCG@10 (binary gains), Recall@10/@100 over the same embeddings (truncated to `dim`; queries
    and titles after `prompts`' query and document prompt), ties broken by title order."""
    prompts = prompts or {}
    queries = list(dict.fromkeys(p[0] for p in pairs))
    titles = list(dict.fromkeys(p[1] for p in pairs))
    relevant = {q: {titles.index(t) for qq, t, label in pairs if qq == q and label >= min_label} for q in queries}
    queries = [q for q in queries if relevant[q]]
    q = model.encode([prompts.get("query", "") + t for t in queries], prompt="", convert_to_numpy=True)[:, :dim]
    d = model.encode([prompts.get("document", "") + t for t in titles], prompt="", convert_to_numpy=True)[:, :dim]
    scores = (q / np.linalg.norm(q, axis=1, keepdims=True)) @ (d / np.linalg.norm(d, axis=1, keepdims=True)).T
    out = {"mrr@10": [], "ndcg@10": [], "recall@10": [], "recall@100": []}
    for row, query in zip(scores, queries, strict=True):
        ranking = sorted(range(len(titles)), key=lambda i: (-row[i], i))
        hits = [i in relevant[query] for i in ranking]
        first = next((rank for rank, hit in enumerate(hits[:10]) if hit), None)
        out["mrr@10"].append(0.0 if first is None else 1.0 / (first + 1))
        dcg = sum(hit / np.log2(rank + 2) for rank, hit in enumerate(hits[:10]))
        ideal = sum(1 / np.log2(rank + 2) for rank in range(min(10, len(relevant[query]))))
        out["ndcg@10"].append(dcg / ideal)
        for k in (10, 100):
            out[f"recall@{k}"].append(sum(hits[:k]) / len(relevant[query]))
    return {f"cosine_{name}": float(np.mean(values)) for name, values in out.items()}


def test_search_task_dedupes_texts_and_keeps_queries_with_a_relevant_title():
    queries, corpus, relevant = scored_task(dataset(), COLUMNS, MIN_LABEL)
    assert len(queries) == 5 and len(corpus) == len({p[1] for p in PAIRS})  # each distinct text once
    assert "garden hose" in queries.values() and all(corpus)
    by_text = {text: qid for qid, text in queries.items()}
    assert by_text["garden hose"] not in relevant  # 0.5 < 0.75: no relevant title
    assert {corpus[d] for d in relevant[by_text["tape measure"]]} == {
        "husky 25 ft tape measure",
        "stanley 16 ft tape measure",
    }


def test_search_metrics_equal_a_brute_force_computation(model):
    evaluator = search_evaluator(scored_task(dataset(), COLUMNS, MIN_LABEL), "val", "cosine", Encodings(4))
    got = evaluate(model, evaluator)
    expected = brute_force(model, PAIRS, MIN_LABEL)
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, abs=1e-6), name
    assert 0 < got["cosine_mrr@10"] <= 1


def test_search_threshold_that_leaves_no_relevant_pair_is_a_config_error(variant_cfg):
    cfg = variant_cfg("minilm_homedepot")
    data, eval_cfg = cfg.data, cfg.eval
    with pytest.raises(ConfigError, match=r"data.search.min_relevance: no pair of the val split .*>= 1.25.* lower it"):
        evaluators({"dev": dataset(), "test": dataset()}, data, eval_cfg, 1.25)


def test_the_search_of_pairs_equals_a_brute_force_computation(model):
    """Pairs: each anchor searches the split's distinct positives, its own positives relevant."""
    relevant = [(q, t) for q, t, label in PAIRS if label >= MIN_LABEL]
    pairs = Dataset.from_dict({"anchor": [q for q, _ in relevant], "positive": [t for _, t in relevant]})
    got = evaluate(model, search_evaluator(positives_task(pairs, ["anchor", "positive"]), "dev", "cosine",
                                           Encodings(4)))  # fmt: skip
    expected = brute_force(model, [(q, t, 1.0) for q, t in relevant], 1.0)
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, abs=1e-6), name


def test_the_search_encodes_queries_and_documents_after_their_prompts(variant_cfg):
    """`model.prompts` reach the saved model's prompts, and the search evaluator puts them before the texts."""
    prompts = {"query": "husky tape measure or ", "document": "passage: "}  # strong enough to change the ranking
    cfg = variant_cfg(
        "minilm_homedepot_search", "model.max_seq_length=64",
        "model.prompts={query: 'husky tape measure or ', document: 'passage: '}",
    )  # fmt: skip
    prompted = build_model(cfg.model, "cpu")
    assert prompted.prompts == {**prompted.prompts, **prompts}
    search = search_evaluator(scored_task(dataset(), COLUMNS, MIN_LABEL), "val", "cosine", Encodings(4))
    got = evaluate(prompted, search)
    for name, value in brute_force(prompted, PAIRS, MIN_LABEL, prompts=prompts).items():
        assert got[name] == pytest.approx(value, abs=1e-6), name
    plain = brute_force(prompted, PAIRS, MIN_LABEL)
    assert any(abs(got[name] - plain[name]) > 1e-6 for name in plain)  # the prompts changed the ranking


def test_the_search_of_triplets_puts_the_negatives_in_the_corpus(model):
    triplets = Dataset.from_dict(
        {
            "anchor": ["cordless drill", "white paint", "tape measure"],
            "positive": ["dewalt 20v max cordless drill driver kit", "glidden white exterior paint 1 gal",
                         "stanley 16 ft tape measure"],
            "negative": ["husky 25 ft tape measure", "dewalt 20v max cordless drill driver kit", "flexzilla hose"],
        }
    )  # fmt: skip
    queries, corpus, relevant = positives_task(triplets, ["anchor", "positive", "negative"])
    assert len(corpus) == 5 and "flexzilla hose" in corpus.values()
    got = evaluate(model, search_evaluator((queries, corpus, relevant), "dev", "cosine", Encodings(4)))
    rows = [(a, p, 1.0) for a, p in zip(triplets["anchor"], triplets["positive"], strict=True)]
    rows += [(a, n, 0.0) for a, n in zip(triplets["anchor"], triplets["negative"], strict=True)]
    for name, value in brute_force(model, rows, 1.0).items():
        assert got[name] == pytest.approx(value, abs=1e-6), name
