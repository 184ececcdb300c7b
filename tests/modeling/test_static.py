"""Static token embeddings (model.kind=static): built from a tokenizer or distilled from a transformer, trained
with in-batch negatives and Matryoshka, saved and loaded unchanged, and what they cannot train refused."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from datasets import Dataset

from simpipe.core.errors import ConfigError
from simpipe.modeling.model import build_model, load_model, model_facts
from simpipe.tracking.tracker import Tracker
from simpipe.training.loop import train
from tests.helpers.cards import tiny_bert
from tests.training.test_loop import SHAPED

STATIC = ("model=static", "model.init=random", "model.embedding_dim=32", "mine.enabled=false")


@pytest.fixture(scope="module")
def distilled_from(tmp_path_factory):
    """A tiny random BERT (all-MiniLM-L6-v2's tokenizer, 32 dims) to distil static vectors from."""
    directory = tmp_path_factory.mktemp("tiny")
    tiny_bert(directory)
    return str(directory / "bert")


@pytest.mark.slow
@pytest.mark.parametrize("init", ["random", "distill"])
def test_a_static_model_trains_two_steps_with_matryoshka(run_cfg, tmp_path, distilled_from, init):
    """Random vectors over a tokenizer, or a tiny BERT's distilled (model2vec, PCA to 16 dims): 2 steps of
    in-batch negatives under Matryoshka on pairs; the vectors move."""
    source = [f"model.name_or_path={distilled_from}", "model.package=null"] if init == "distill" else []
    cfg = run_cfg("minilm_homedepot_search", *STATIC, f"model.init={init}", "model.embedding_dim=16", *source,
                  "train.batch_size=4", "train.max_steps=2", "train.learning_rate=0.2", "tracking.enabled=false",
                  "train.matryoshka={dims:[16,8]}")  # fmt: skip
    torch.manual_seed(0)
    model = build_model(cfg.model)
    assert model.get_embedding_dimension() == 16
    before = model[0].embedding.weight.detach().clone()
    dev = Dataset.from_dict(dict(zip(cfg.data.columns, SHAPED["labelled_pairs"].values(), strict=True)))
    result = train(
        cfg, model, Dataset.from_dict(SHAPED["pairs"]), dev, 0.5, Tracker(cfg), tmp_path / "w", "cpu", "fp32"
    )
    assert result.global_step == 2
    assert not torch.equal(before, model[0].embedding.weight)


def test_a_saved_static_model_loads_with_the_same_embeddings(variant_cfg, tmp_path):
    """Saved and loaded by the bi-encoder class: the same embeddings; what a card states of it is strict JSON
    (a static model has no sequence limit: none, not infinity)."""
    cfg = variant_cfg("minilm_homedepot_search", *STATIC)
    torch.manual_seed(0)
    model = build_model(cfg.model, "cpu")
    texts = ["cordless drill", "18v drill kit with two batteries", "red paint"]
    model.save(str(tmp_path / "model"))
    loaded = load_model(cfg.model, tmp_path / "model", "cpu")
    np.testing.assert_array_equal(model.encode(texts), loaded.encode(texts))
    facts = model_facts(loaded, cfg.model)
    assert (facts["output_dim"], facts["max_seq_length"], facts["base_model"]) == (32, None, None)


def test_random_static_vectors_follow_the_seed(variant_cfg):
    cfg = variant_cfg("minilm_homedepot_search", *STATIC)
    weights = []
    for _ in range(2):
        torch.manual_seed(7)
        weights.append(build_model(cfg.model)[0].embedding.weight)
    assert torch.equal(*weights)


def test_a_static_model_trains_with_no_cached_loss(variant_cfg):
    with pytest.raises(ConfigError, match=r"^train\.loss='CachedMultipleNegativesRankingLoss': model\.kind='static' "
                                          r"reads a batch as one bag of token ids"):  # fmt: skip
        variant_cfg("minilm_homedepot_search", *STATIC, "train.loss=CachedMultipleNegativesRankingLoss")


def test_distilled_vectors_are_kept_and_read_back(distilled_from, tmp_path, monkeypatch):
    """The second build of the same distillation reads the user's cache: the same vectors, no model2vec."""
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding

    from simpipe.core.config import compose

    monkeypatch.setenv("SIMPIPE_CACHE", str(tmp_path))
    cfg = compose("run", ["variant=static_sts", f"model.name_or_path={distilled_from}", "model.package=null",
                          "model.embedding_dim=16"]).model  # fmt: skip
    first = build_model(cfg)
    monkeypatch.setattr(StaticEmbedding, "from_distillation", None)  # a second distillation would fail
    again = build_model(cfg)
    assert torch.equal(first[0].embedding.weight, again[0].embedding.weight)
    assert len(list((tmp_path / "static").iterdir())) == 1
