import pytest
from datasets import Dataset
from sentence_transformers.sentence_transformer.evaluation import EmbeddingSimilarityEvaluator

from simpipe.config import compose
from simpipe.evaluation import DistinctTextSimilarityEvaluator, evaluate, final_evaluator
from simpipe.modeling import build_model


@pytest.fixture(scope="module")
def minilm():
    return build_model(compose("run", ["variant=minilm_homedepot"]).model)


def test_distinct_text_evaluator_matches_sentence_transformers(minilm):
    # texts repeat across pairs (as queries and titles do), pairs do not: no exact ties in the ranks
    queries = ["white gable vent", "toilet", "kohler toilet", "vent"]
    titles = ["cellwood gable vent", "kohler toilet bowl", "gable vent", "sink", "ceiling fan"]
    pairs = [(q, t) for q in queries for t in titles]
    scores = [((7 * i) % 11) / 10 for i in range(len(pairs))]
    queries, titles = [q for q, _ in pairs], [t for _, t in pairs]
    kwargs = dict(similarity_fn_names=["cosine", "manhattan", "euclidean", "dot"], main_similarity="cosine")
    ours = DistinctTextSimilarityEvaluator(queries, titles, scores, name="val", **kwargs)(minilm)
    reference = EmbeddingSimilarityEvaluator(queries, titles, scores, name="val", **kwargs)(minilm)
    assert ours.keys() == reference.keys()
    for key, value in reference.items():
        assert ours[key] == pytest.approx(value, abs=1e-6), key


def test_final_evaluator_reports_ten_numbers_with_stable_names(minilm):
    cfg = compose("run", ["variant=minilm_homedepot"])
    ds = Dataset.from_dict(
        {"sentence_0": ["a b", "c d", "e f"], "sentence_1": ["a b c", "x", "e"], "label": [1.0, 0.0, 0.5]}
    )
    metrics = evaluate(minilm, final_evaluator(ds, "val", cfg.data.columns, cfg.eval))
    assert len(metrics) == 10 and "spearman_cosine" in metrics and "pearson_max" in metrics


def test_the_curve_during_training_computes_the_main_similarity_only(minilm):
    from simpipe.training import curve_evaluator

    cfg = compose("run", ["variant=minilm_homedepot", "eval.main_similarity=dot"])
    ds = Dataset.from_dict(
        {"sentence_0": ["a b", "c d", "e f"], "sentence_1": ["a b c", "x", "e"], "label": [1.0, 0.0, 0.5]}
    )
    evaluator = curve_evaluator(ds, cfg)
    assert evaluator.batch_size == cfg.train.eval_batch_size
    assert sorted(evaluate(minilm, evaluator)) == ["pearson_dot", "spearman_dot"]
