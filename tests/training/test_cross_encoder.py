"""Cross-encoders (model.kind=cross_encoder): their losses by config, the activation that follows the loss,
and what only a bi-encoder can do refused in one line."""

from __future__ import annotations

import pytest
import torch
from datasets import Dataset

from simpipe.core.errors import ConfigError
from simpipe.modeling.model import build_model
from simpipe.tracking.tracker import Tracker
from simpipe.training.catalog import CROSS_ENCODER_LOSSES
from simpipe.training.loop import train
from simpipe.training.losses import set_activation
from simpipe.training.mining import query_lists
from tests.training.test_loop import SHAPE_CONFIGS, SHAPED, USER_CSV

RERANKER = ("model=minilm_reranker", "model.max_length=32")
GRADED = {  # graded (query, title) pairs, two titles or more per query
    "sentence1": ["cordless drill", "cordless drill", "cordless drill", "red paint", "red paint", "oak door"],
    "sentence2": ["18v drill kit", "1/2 in. pvc pipe", "drill bit set", "paint, red, 1 gal", "red brick",
                  "interior door, oak"],
    "score": [1.0, 0.0, 0.5, 0.66, 0.33, 1.0],
}  # fmt: skip


@pytest.mark.parametrize(
    ("loss", "setting", "activation"),
    [
        ("BinaryCrossEntropyLoss", "auto", torch.nn.Sigmoid),
        ("MSELoss", "auto", torch.nn.Identity),
        ("MultipleNegativesRankingLoss", "auto", torch.nn.Identity),
        ("LambdaLoss", "auto", torch.nn.Identity),
        ("BinaryCrossEntropyLoss", "identity", torch.nn.Identity),
        ("MSELoss", "sigmoid", torch.nn.Sigmoid),
    ],
)
def test_the_activation_follows_the_loss(variant_cfg, loss, setting, activation):
    """auto: a sigmoid over BCE's logits only, the identity for the rest (a sigmoid saturates MSE and
    listwise logits); a setting of its own wins."""
    data = ["minilm_homedepot_search", "mine.enabled=false"] if loss.startswith("Multiple") else ["minilm_homedepot"]
    cfg = variant_cfg(*data, *RERANKER, f"train.loss={loss}", f"model.activation_fn={setting}")
    model = type("Model", (), {})()
    set_activation(model, cfg.model, cfg.train)
    assert isinstance(model.activation_fn, activation)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["train.loss=CoSENTLoss"],
         r"^train\.loss='CoSENTLoss': unknown loss for a cross_encoder model; choose one of BinaryCrossEntropyLoss"),
        (["train.loss=BinaryCrossEntropyLoss", "train.matryoshka={dims:[64]}"],
         r"^train\.matryoshka='set': model\.kind='cross_encoder' is a cross_encoder model, which has no embeddings"),
        (["train.loss=MultipleNegativesRankingLoss", *USER_CSV, "data.shape=pairs",
          "data.roles={anchor:a,positive:b}", "mine.enabled=false"],
         r"^data\.shape='pairs': a cross_encoder model has no evaluator of its dev and test splits \(pairs\); use "
         r"scored_pairs, labelled_pairs, classified_pairs data"),
    ],
)  # fmt: skip
def test_what_a_cross_encoder_cannot_train_is_one_line(variant_cfg, overrides, message):
    with pytest.raises(ConfigError, match=message):
        variant_cfg("minilm_homedepot", *RERANKER, *overrides)


def test_a_cross_encoder_mines_only_with_a_bi_encoder_named(variant_cfg):
    with pytest.raises(ConfigError, match=r"^mine\.enabled=true needs a pretrained bi-encoder to mine with; "
                                          r"model\.kind='cross_encoder' is none: set mine\.model"):  # fmt: skip
        variant_cfg("minilm_homedepot_search", *RERANKER, "train.loss=MultipleNegativesRankingLoss")


@pytest.mark.slow
def test_a_cross_encoder_learns_a_teachers_margins_of_negatives_a_bi_encoder_mined(run_cfg, mirror):
    """mine.model mines the hard negatives a cross-encoder cannot, train.teacher scores them once (stage
    mine), and the reranker trains on (query, positive, negative) with MarginMSELoss on the teacher's scores."""
    from simpipe.core.paths import Layout
    from simpipe.data.fetch import fetch
    from simpipe.data.prepared import load_split
    from simpipe.stages import stage

    cfg = run_cfg("minilm_homedepot_search", *RERANKER, "+model@mine.model=minilm", "+model@train.teacher=minilm",
                  "train.loss=MarginMSELoss", "train.max_steps=2", "tracking.enabled=false")  # fmt: skip
    fetch(cfg.data, Layout.from_cfg(cfg).raw(cfg.data.raw_subdir), mirror)
    for name in ("prepare", "mine", "train"):
        stage(name)(cfg)
    mined = load_split(Layout.from_cfg(cfg).mined(cfg.name), "train")
    assert mined.column_names == ["sentence_0", "sentence_1", "negative", "label"]
    assert all(len(scores) == 2 for scores in mined["label"])
    assert (Layout.from_cfg(cfg).trained(cfg.name) / "model" / "config_sentence_transformers.json").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("loss", [name for name, loss in CROSS_ENCODER_LOSSES.items() if not loss.teacher])
def test_each_reranker_loss_trains_two_steps(run_cfg, tmp_path, loss):
    """Every cross-encoder loss but a teacher's (its mined triplets: the margins test above) trains
    all-MiniLM-L6-v2 with a new head 2 steps on the quick profile, in its shape, with the dev curve of its eval
    split (Spearman of graded pairs, F1 of classes)."""
    shape = next(s for s in ("scored_pairs", "pairs", "classified_pairs") if s in CROSS_ENCODER_LOSSES[loss].shapes)
    params = ["+train.loss_params.mini_batch_size=2"] if loss.startswith("Cached") else []
    data = {"scored_pairs": ["data=homedepot"], "pairs": SHAPE_CONFIGS["pairs"],
            "classified_pairs": [*SHAPE_CONFIGS["classified_pairs"], "model.num_labels=3"]}[shape]  # fmt: skip
    variant = "minilm_homedepot" if shape == "scored_pairs" else "minilm_homedepot_search"
    cfg = run_cfg(variant, *RERANKER, f"train.loss={loss}", "train.batch_size=4", "train.max_steps=2",
                  "tracking.enabled=false", *data, *params)  # fmt: skip
    torch.manual_seed(0)
    model = build_model(cfg.model)
    before = [p.detach().clone() for p in model.parameters()]
    rows = Dataset.from_dict(SHAPED.get(shape) or GRADED)
    if CROSS_ENCODER_LOSSES[loss].listwise:  # each query's documents in one row, as the mine stage groups them
        rows = Dataset.from_pandas(query_lists(rows.to_pandas(), list(GRADED))[0])
    dev_shape = "classified_pairs" if shape == "classified_pairs" else "labelled_pairs"
    dev = Dataset.from_dict(dict(zip(cfg.data.columns, SHAPED[dev_shape].values(), strict=True)))
    result = train(cfg, model, rows, dev, None, Tracker(cfg), tmp_path / "work", "cpu", "fp32")
    assert result.global_step == 2
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    metric = {"classified_pairs": "f1_macro"}.get(shape, "spearman")
    assert any(f"eval_{cfg.data.dev_name}_{metric}" in entry for entry in result.log_history)


def test_a_listwise_loss_reads_each_querys_documents_in_one_row():
    """The mine stage's rows for a listwise loss: a query's documents and labels in order, a repeated pair
    once, a query with one document left out."""
    pairs = {k: [*v, v[0]] for k, v in GRADED.items()}  # the first pair again
    rows, stats = query_lists(Dataset.from_dict(pairs).to_pandas(), list(GRADED))
    assert rows.columns.tolist() == ["sentence1", "documents", "labels"]
    assert rows["sentence1"].tolist() == ["cordless drill", "red paint"]
    assert rows["documents"][0] == ["18v drill kit", "1/2 in. pvc pipe", "drill bit set"]
    assert rows["labels"][1] == [0.66, 0.33]
    assert stats | {"documents_per_list_mean": 2.5} == {
        "pairs": 7, "repeated_pairs": 1, "queries": 3, "lists": 2, "single_document_queries_left_out": 1,
        "documents_per_list_mean": 2.5, "documents_per_list_max": 3,
    }  # fmt: skip
