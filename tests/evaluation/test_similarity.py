import pytest
import torch
from datasets import Dataset
from sentence_transformers.sentence_transformer.evaluation import EmbeddingSimilarityEvaluator

from simpipe.evaluation.encoded import Encodings
from simpipe.evaluation.similarity import SimilarityEvaluator, evaluate
from simpipe.evaluation.suite import evaluators
from simpipe.modeling.model import build_model


@pytest.fixture(scope="module")
def minilm(variant_cfg):
    return build_model(variant_cfg("minilm_homedepot").model)


# texts repeat across pairs (as queries and titles do), pairs do not: no exact ties in the ranks
QUERIES = ["white gable vent", "toilet", "kohler toilet", "vent"]
TITLES = ["cellwood gable vent", "kohler toilet bowl", "gable vent", "sink", "ceiling fan"]
PAIRS = [(q, t) for q in QUERIES for t in TITLES]
SCORES = [((7 * i) % 11) / 10 for i in range(len(PAIRS))]
SIMILARITIES = dict(similarity_fn_names=["cosine", "manhattan", "euclidean", "dot"], main_similarity="cosine")


def ours(autocast=None) -> SimilarityEvaluator:
    return SimilarityEvaluator(
        [q for q, _ in PAIRS],
        [t for _, t in PAIRS],
        SCORES,
        name="val",
        encodings=Encodings(16, autocast=autocast),
        **SIMILARITIES,
    )


def test_distinct_text_evaluator_matches_sentence_transformers(minilm):
    reference = EmbeddingSimilarityEvaluator([q for q, _ in PAIRS], [t for _, t in PAIRS], SCORES, name="val",
                                             **SIMILARITIES)(minilm)  # fmt: skip
    metrics = ours()(minilm)
    assert metrics.keys() == reference.keys()
    for key, value in reference.items():
        assert metrics[key] == pytest.approx(value, abs=1e-6), key


def test_a_bf16_curve_leaves_the_fp32_metrics_unchanged(minilm):
    """The training curve's bf16 autocast is scoped to its own calls: fp32 metrics before and after
    it agree to 1e-6, and the bf16 curve stays close to them."""
    before = ours()(minilm)
    curve = ours(autocast=torch.bfloat16)(minilm)
    after = ours()(minilm)
    assert not torch.is_autocast_enabled("cpu")
    for key, value in before.items():
        assert after[key] == pytest.approx(value, abs=1e-6), key
        assert curve[key] == pytest.approx(value, abs=0.05), key
    assert curve != before  # the curve really ran in bf16


def test_final_evaluator_reports_ten_numbers_with_stable_names(minilm, variant_cfg):
    cfg = variant_cfg("minilm_homedepot")
    ds = Dataset.from_dict(
        {"sentence_0": ["a b", "c d", "e f"], "sentence_1": ["a b c", "x", "e"], "label": [1.0, 0.0, 0.5]}
    )
    metrics = evaluate(minilm, evaluators({"dev": ds, "test": ds}, cfg.data, cfg.eval, None)["val"])
    assert len(metrics) == 10 and "spearman_cosine" in metrics and "pearson_max" in metrics
