"""The run record: metric names, the headline metric, curves, files written and read back, the CO2 block."""

import pytest
from omegaconf import OmegaConf

from simpipe import record
from simpipe.errors import ConfigError, SimpipeError
from simpipe.record import co2_eq_emissions


def test_co2_block_like_the_seed_card():
    record = {
        "emissions": 0.00017,
        "energy_consumed": 0.00044,
        "duration": 10.8,
        "on_cloud": "N",
        "cpu_model": "13th Gen Intel(R) Core(TM) i7-13700K",
        "ram_total_size": 31.7,
        "gpu_model": "1 x NVIDIA GeForce RTX 3090",
    }
    block = co2_eq_emissions(record)
    assert block["emissions"] == 0.17  # grams
    assert block["hours_used"] == 0.003 and block["on_cloud"] is False
    assert block["hardware_used"] == "1 x NVIDIA GeForce RTX 3090" and block["source"] == "codecarbon"


def test_co2_block_without_gpu_has_no_hardware_used():
    record = {"emissions": 0.0, "energy_consumed": 0.0, "duration": 1.0, "gpu_model": ""}
    assert "hardware_used" not in co2_eq_emissions(record)


def test_co2_block_is_empty_without_a_measurement():
    assert co2_eq_emissions({"error": "RuntimeError: no counters"}) == {}


DATA = OmegaConf.create({"dev_name": "val", "test_name": "test"})
EVAL = OmegaConf.create({"similarity_fns": ["cosine", "dot"], "main_similarity": "cosine"})


def test_headline_metric_derives_from_the_config():
    assert record.headline(DATA, EVAL) == ("val", "spearman_cosine")
    dot = OmegaConf.merge(EVAL, {"main_similarity": "dot"})
    assert record.headline_value(DATA, dot, {"val": {"spearman_dot": 0.3, "spearman_cosine": 0.5}}) == 0.3


def test_a_headline_outside_the_similarities_is_a_config_error():
    bad = OmegaConf.merge(EVAL, {"main_similarity": "manhattan"})
    with pytest.raises(ConfigError, match=r"eval\.main_similarity='manhattan' is not among eval\.similarity_fns"):
        record.headline(DATA, bad)


def test_metrics_without_the_headline_say_what_to_rerun():
    with pytest.raises(SimpipeError, match=r"metrics\.json has no val/spearman_cosine \(splits: dev\); re-run"):
        record.headline_value(DATA, EVAL, {"dev": {"spearman_cosine": 0.5}})


def test_trainer_log_entries_become_namespaced_mlflow_keys():
    entry = {"loss": 0.1, "eval_val_spearman_cosine": 0.5, "eval_loss": 0.2, "epoch": 1.0, "step": 10}
    assert record.curve_metrics(entry, "val") == {"train/loss": 0.1, "val/spearman_cosine": 0.5, "val/loss": 0.2}
    assert record.namespaced({"val": {"a": 1.0}, "test": {"a": 2.0}}) == {"val/a": 1.0, "test/a": 2.0}


def test_curves_as_csv():
    history = [{"step": 2, "epoch": 0.5, "loss": 0.3}, {"step": 2, "epoch": 0.5, "eval_val_spearman_cosine": 0.4}]
    dev, loss = record.curves(history, "val", "spearman_cosine")
    assert dev == "step,epoch,spearman_cosine\n2,0.5,0.4\n" and loss == "step,epoch,loss\n2,0.5,0.3\n"


def test_reading_what_is_not_there_names_the_stage_to_run(tmp_path):
    with pytest.raises(SimpipeError, match=r"run\.json: no trained model here; run the train stage first"):
        record.read_record(tmp_path)
    with pytest.raises(SimpipeError, match=r"metrics\.json: no metrics yet; run the evaluate stage first"):
        record.read_metrics(tmp_path)
