"""Stage `card` on local data: no hub call, and a part of the card that fails is left out with a warning,
never failing the stage after training."""

import socket

import huggingface_hub.constants
import pytest
import yaml

from simpipe.core.paths import Layout
from simpipe.data.fetch import fetch
from simpipe.documents import card
from simpipe.stages import STAGES, stage

pytestmark = pytest.mark.slow

VARIANT = "minilm_homedepot_raw"  # a user's CSV: local data


@pytest.fixture
def before_card(run_cfg, mirror):
    """The variant's config, with every stage before `card` run."""
    cfg = run_cfg(VARIANT, "tracking.codecarbon.enabled=false")
    fetch(cfg.data, Layout.from_cfg(cfg).raw(cfg.data.raw_subdir), mirror)
    for name in list(STAGES)[: list(STAGES).index("card")]:
        stage(name)(cfg)
    return cfg


def readme(cfg) -> str:
    return (Layout.from_cfg(cfg).model(cfg.name) / "README.md").read_text()


def test_local_data_makes_no_hub_call(before_card, monkeypatch):
    """With the hub reachable in principle (offline mode off), the card of local data opens no connection."""
    attempts = []

    def connect(self, address):
        attempts.append(address)
        raise OSError("no network in this test")

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(socket.socket, "connect", connect)
    stage("card")(before_card)
    assert attempts == []
    text = readme(before_card)
    assert "#### homedepot_raw\n" in text
    index = yaml.safe_load(text.split("---\n", 2)[1])["model-index"][0]["results"]
    # the model-index names the data set of each split; its type stays the evaluator's name
    assert {(r["dataset"]["name"], r["dataset"]["type"]) for r in index} >= {
        ("homedepot_raw val", "val"),
        ("homedepot_raw test", "test"),
    }


def test_a_failing_part_is_left_out_with_a_warning(before_card, monkeypatch, caplog):
    def broken(self, dataset):
        raise RuntimeError("widget examples broke")

    monkeypatch.setattr(card.SimpipeModelCardData, "set_widget_examples", broken)
    stage("card")(before_card)
    assert "model card: widget examples left out (RuntimeError: widget examples broke)" in caplog.text
    text = readme(before_card)
    front = text.split("---\n", 2)[1]
    assert "widget:" not in front and "## Evaluation" in text and "## Reproduction" in text
    assert "Approximate statistics" in text


def test_a_card_that_cannot_be_rendered_is_rendered_without_its_parts(before_card, monkeypatch, caplog):
    render = card.generate_model_card
    calls = []

    def first_fails(model):
        calls.append(model.model_card_data)
        if len(calls) == 1:
            raise ValueError("template broke")
        return render(model)

    monkeypatch.setattr(card, "generate_model_card", first_fails)
    stage("card")(before_card)
    assert "model card: rendering failed (ValueError: template broke); written without statistics" in caplog.text
    text = readme(before_card)
    assert len(calls) == 2 and "#### homedepot_raw\n" in text and "## Reproduction" in text
    assert "Approximate statistics" not in text and "## Evaluation" not in text  # no statistics, no metrics
