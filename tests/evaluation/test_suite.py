"""The evaluators of a split by its shape, encoding each distinct text once, and at each Matryoshka dim."""

import pytest
from datasets import Dataset
from sentence_transformers import SimilarityFunction
from sentence_transformers.sentence_transformer.evaluation import (
    BinaryClassificationEvaluator,
    EmbeddingSimilarityEvaluator,
    InformationRetrievalEvaluator,
    TripletEvaluator,
)

from simpipe.artifacts.metrics import SEARCH_AT, without_prefix
from simpipe.evaluation.search import scored_task
from simpipe.evaluation.suite import evaluators, score
from simpipe.modeling.model import build_model
from tests.evaluation.test_search import COLUMNS, MIN_LABEL, PAIRS, brute_force, dataset


@pytest.fixture(scope="module")
def model(variant_cfg):
    return build_model(variant_cfg("minilm_homedepot", "model.max_seq_length=64").model, "cpu")


def own(model, evaluator) -> dict[str, float]:
    """sentence-transformers' evaluator run as shipped (each evaluator encodes its own texts), unprefixed."""
    return without_prefix({k: float(v) for k, v in evaluator(model).items()}, f"{evaluator.name}_")


def close(got: dict[str, float], expected: dict[str, float]) -> None:
    assert got.keys() == expected.keys()
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, abs=1e-6), name


def test_encode_once_gives_the_metrics_of_separate_encoding(model, variant_cfg):
    """Home Depot's shape: similarity and search evaluators share the split's embeddings, each distinct
    text encoded once; the metrics equal sentence-transformers' own evaluators encoding separately."""
    cfg = variant_cfg("minilm_homedepot")
    splits = {"dev": dataset(), "test": dataset()}
    by_key = evaluators(splits, cfg.data, cfg.eval, MIN_LABEL)
    assert sorted(by_key) == ["search/test", "search/val", "test", "val"]
    got = score(model, by_key)
    texts = {p[0] for p in PAIRS} | {p[1] for p in PAIRS}
    assert by_key["val"].encodings.encoded == len(texts)  # queries and titles once, for both evaluators
    ds = dataset()
    similarity = EmbeddingSimilarityEvaluator(ds[COLUMNS[0]], ds[COLUMNS[1]], ds[COLUMNS[2]], name="val",
                                              similarity_fn_names=list(cfg.eval.similarity_fns))  # fmt: skip
    close(got["val"], own(model, similarity))
    queries, corpus, relevant = scored_task(ds, COLUMNS, MIN_LABEL)
    cosine = SimilarityFunction.COSINE
    search = InformationRetrievalEvaluator(
        queries, corpus, relevant, name="val", mrr_at_k=SEARCH_AT["mrr"], ndcg_at_k=SEARCH_AT["ndcg"],
        accuracy_at_k=SEARCH_AT["accuracy"], precision_recall_at_k=SEARCH_AT["recall"], map_at_k=SEARCH_AT["map"],
        score_functions={"cosine": SimilarityFunction.to_similarity_fn(cosine)}, main_score_function=cosine,
    )  # fmt: skip
    close(got["search/val"], own(model, search))


def test_matryoshka_metrics_equal_truncated_embeddings_by_hand(model, variant_cfg):
    cfg = variant_cfg("minilm_homedepot", "train.matryoshka={dims:[384,64,16]}")
    by_key = evaluators({"dev": dataset(), "test": dataset()}, cfg.data, cfg.eval, MIN_LABEL, [384, 64, 16])
    got = score(model, by_key)
    assert by_key["val"].encodings.encoded == len({p[0] for p in PAIRS} | {p[1] for p in PAIRS})  # no re-encoding
    for dim in (64, 16):
        expected = brute_force(model, PAIRS, MIN_LABEL, dim)
        for name, value in expected.items():
            assert got[f"search/val/dim_{dim}"][name] == pytest.approx(value, abs=1e-6), (dim, name)
        ds = dataset()
        truncated = EmbeddingSimilarityEvaluator(ds[COLUMNS[0]], ds[COLUMNS[1]], ds[COLUMNS[2]], name="val",
                                                 similarity_fn_names=["cosine"], truncate_dim=dim)  # fmt: skip
        assert got[f"val/dim_{dim}"]["spearman_cosine"] == pytest.approx(own(model, truncated)["spearman_cosine"],
                                                                          abs=1e-6)  # fmt: skip
    assert got["val/dim_384"] == pytest.approx(got["val"], abs=1e-6)  # the full size: untruncated


TRIPLETS = {
    "anchor": ["cordless drill", "white paint", "tape measure", "led bulb"],
    "positive": ["dewalt 20v max cordless drill driver kit", "behr premium plus ultra white interior paint",
                 "husky 25 ft tape measure", "ecosmart 100w equivalent daylight led light bulb"],
    "negative": ["husky 25 ft tape measure", "dewalt 20v max cordless drill driver kit",
                 "flexzilla 50 ft garden hose", "glidden white exterior paint 1 gal"],
}  # fmt: skip


@pytest.mark.parametrize("shape", ["triplets", "labelled_pairs", "pairs"])
def test_each_shape_gets_its_evaluators(model, variant_cfg, shape):
    user = ["data=files", "data.name=x", "data.raw_subdir=x", "data.files=x.csv", f"data.shape={shape}"]
    roles = {
        "triplets": "{anchor:a,positive:p,negative:n}",
        "labelled_pairs": "{sentence1:a,sentence2:b,label:y}",
        "pairs": "{anchor:a,positive:p}",
    }
    losses = {"triplets": "TripletLoss", "labelled_pairs": "ContrastiveLoss", "pairs": "MultipleNegativesRankingLoss"}
    cfg = variant_cfg("minilm_sts", *user, f"data.roles={roles[shape]}", f"train.loss={losses[shape]}")
    if shape == "labelled_pairs":
        rows = {
            "sentence1": TRIPLETS["anchor"] * 2,
            "sentence2": TRIPLETS["positive"] + TRIPLETS["negative"],
            "label": [1.0] * 4 + [0.0] * 4,
        }
    else:
        rows = {k: v for k, v in TRIPLETS.items() if shape == "triplets" or k != "negative"}
    ds = Dataset.from_dict(rows)
    by_key = evaluators({"dev": ds, "test": ds}, cfg.data, cfg.eval, None)
    got = score(model, by_key)
    fns = list(cfg.eval.similarity_fns)
    if shape == "triplets":
        assert sorted(got) == ["dev", "search/dev", "search/test", "test"]
        reference = TripletEvaluator(rows["anchor"], rows["positive"], rows["negative"], name="dev",
                                     similarity_fn_names=fns)  # fmt: skip
        close(got["dev"], own(model, reference))
    elif shape == "labelled_pairs":
        assert sorted(got) == ["dev", "test"]
        reference = BinaryClassificationEvaluator(rows["sentence1"], rows["sentence2"], [int(v) for v in rows["label"]],
                                                  name="dev", similarity_fn_names=fns)  # fmt: skip
        close(got["dev"], own(model, reference))
    else:
        assert sorted(got) == ["search/dev", "search/test"] and "cosine_ndcg@10" in got["search/dev"]
