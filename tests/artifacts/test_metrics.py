"""Metric names and prefixes, the headline metric, curves, files written and read back."""

import pytest

from simpipe.artifacts import metrics
from simpipe.artifacts.trained import read_record
from simpipe.core.errors import SimpipeError
from simpipe.core.families import BI_ENCODER, CROSS_ENCODER


@pytest.fixture
def homedepot(variant_cfg):
    return variant_cfg("minilm_homedepot")


def test_headline_metric_derives_from_the_config(homedepot, variant_cfg):
    assert metrics.headline(homedepot.data, homedepot.eval, BI_ENCODER) == ("val", "spearman_cosine")
    dot = variant_cfg("minilm_homedepot", "eval.main_similarity=dot")
    scores = {"val": {"spearman_dot": 0.3, "spearman_cosine": 0.5}}
    assert metrics.headline_value(dot.data, dot.eval, scores, BI_ENCODER) == 0.3


def test_a_cross_encoders_metrics_are_its_evaluators_names(variant_cfg):
    """A cross-encoder scores pairs (no similarity function): Spearman of scored pairs, average precision of
    labelled ones; pairs data would need a reranking evaluator, which names itself."""
    homedepot = variant_cfg("minilm_homedepot")
    assert metrics.headline(homedepot.data, homedepot.eval, CROSS_ENCODER) == ("val", "spearman")
    assert metrics.split_metric("labelled_pairs", "cosine", CROSS_ENCODER) == "average_precision"
    with pytest.raises(SimpipeError, match=r"^data\.shape='pairs': a cross_encoder model has no evaluator of it"):
        metrics.curve_metric("pairs", "cosine", CROSS_ENCODER)


def test_metrics_without_the_headline_say_what_to_rerun(homedepot):
    with pytest.raises(SimpipeError, match=r"metrics\.json has no val/spearman_cosine \(splits: dev\); re-run"):
        metrics.headline_value(homedepot.data, homedepot.eval, {"dev": {"spearman_cosine": 0.5}}, BI_ENCODER)


def test_trainer_log_entries_become_namespaced_mlflow_keys():
    entry = {"loss": 0.1, "eval_val_spearman_cosine": 0.5, "eval_loss": 0.2, "epoch": 1.0, "step": 10}
    assert metrics.curve_metrics(entry, "val") == {"train/loss": 0.1, "val/spearman_cosine": 0.5, "val/loss": 0.2}
    assert metrics.namespaced({"val": {"a": 1.0}, "test": {"a": 2.0}}) == {"val/a": 1.0, "test/a": 2.0}


def test_curves_as_csv():
    history = [{"step": 2, "epoch": 0.5, "loss": 0.3}, {"step": 2, "epoch": 0.5, "eval_val_spearman_cosine": 0.4}]
    dev, loss = metrics.curves(history, "val", "spearman_cosine")
    assert dev == "step,epoch,spearman_cosine\n2,0.5,0.4\n" and loss == "step,epoch,loss\n2,0.5,0.3\n"


def test_reading_what_is_not_there_names_the_stage_to_run(tmp_path):
    with pytest.raises(SimpipeError, match=r"run\.json: no trained model here; run the train stage first"):
        read_record(tmp_path)
    with pytest.raises(SimpipeError, match=r"metrics\.json: no metrics yet; run the evaluate stage first"):
        metrics.read_metrics(tmp_path)


def test_prefixes_are_stripped_and_added_by_one_helper():
    logged = {"eval_val_spearman_cosine": 0.5, "eval_loss": 0.2}
    assert metrics.without_prefix(logged, "eval_val_") == {"spearman_cosine": 0.5}
    assert metrics.with_prefix({"spearman_cosine": 0.5}, "val/") == {"val/spearman_cosine": 0.5}
    assert metrics.with_base({"val": {"a": 1.0}}, {"val": {"a": 0.5}}) == {"val": {"a": 1.0}, "base/val": {"a": 0.5}}
    assert metrics.final_metrics({"val": {"a": 1.0}}, 1.0) == {"val/a": 1.0, "headline": 1.0}
