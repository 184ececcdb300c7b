"""The encoding speed the evaluate stage records (speed.json): what it times and what it states."""

from __future__ import annotations

from datasets import Dataset

from simpipe.artifacts.metrics import speed_metrics
from simpipe.core.families import BI_ENCODER, CROSS_ENCODER
from simpipe.evaluation.speed import measure_speed, speed_items
from simpipe.modeling.model import build_model

ROWS = Dataset.from_dict({"query": ["drill", "paint", "drill"], "title": ["18v drill", "red paint", "drill bit"],
                          "score": [1.0, 0.5, 0.5]})  # fmt: skip


def test_the_speed_is_timed_on_the_splits_distinct_texts_or_pairs():
    assert speed_items(ROWS, ROWS.column_names, BI_ENCODER) == ["drill", "18v drill", "paint", "red paint", "drill bit"]
    assert speed_items(ROWS, ROWS.column_names, CROSS_ENCODER) == [
        ("drill", "18v drill"), ("paint", "red paint"), ("drill", "drill bit")
    ]  # fmt: skip


def test_the_speed_states_its_rate_machine_and_threads(variant_cfg):
    """Random static vectors (fast to build): texts per second over at least MIN_SECONDS, on a named CPU."""
    cfg = variant_cfg("minilm_homedepot_search", "model=static", "model.init=random", "model.embedding_dim=8",
                      "mine.enabled=false")  # fmt: skip
    texts = speed_items(ROWS, ROWS.column_names, BI_ENCODER)
    speed = measure_speed(build_model(cfg.model), texts, BI_ENCODER, 2, "cpu")
    assert speed["texts"] == 5 and speed["passes"] > 1 and speed["texts_per_s"] > 0
    assert speed["cpu"] and speed["torch_threads"] >= 1 and speed["device"] == "cpu"
    assert speed_metrics(speed) == {"speed/texts_per_s": speed["texts_per_s"]}
