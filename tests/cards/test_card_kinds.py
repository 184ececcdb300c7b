"""Cards written by sentence-transformers' own card machinery (tiny models trained a few steps, then
`model.save()`, offline; tests/helpers/cards.py): the facts each keeps, and the variant `--from-card` makes
of it, or its one-line refusal."""

from __future__ import annotations

import dataclasses
import math

import pytest
import yaml

from simpipe.cards.errors import CardError
from simpipe.cards.facts import EVAL, TRAIN
from simpipe.cards.parse import parse_card
from simpipe.cards.sources import facts_yaml, load_card
from simpipe.cards.variant import NOT_STATED, variant_from_card
from simpipe.cli import main
from simpipe.core.config import CONF_DIR
from simpipe.core.errors import ConfigError
from simpipe.training.catalog import LOSSES
from tests.helpers import cards

REFERENCE = "references/x.yaml"


@pytest.fixture(scope="module")
def card_file(tmp_path_factory):
    """Each kind of card, written once per module on first use: {kind: README.md path}."""
    made = {}

    def make(kind: str):
        if kind not in made:
            made[kind] = getattr(cards, f"{kind}_card")(tmp_path_factory.mktemp(kind))
        return made[kind]

    return make


def variant(card, data=None):
    return variant_from_card(card, "x", REFERENCE, data)


def test_matryoshka_of_mnrl_with_an_ir_evaluator_per_dim(card_file):
    card = load_card(card_file("matryoshka"))
    (train,) = card.datasets
    assert (train.split, train.loss, train.columns, train.size) == (TRAIN, "MatryoshkaLoss", ["anchor", "positive"], 16)
    assert train.loss_params == {"loss": "MultipleNegativesRankingLoss", "matryoshka_dims": [32, 16, 8],
                                 "matryoshka_weights": [1, 1, 1], "n_dims_per_step": -1}  # fmt: skip
    assert [(e.name, e.type, e.params.get("truncate_dim")) for e in card.evaluators] == [
        ("dim_32", "InformationRetrievalEvaluator", 32), ("dim_16", "InformationRetrievalEvaluator", 16),
        ("dim_8", "InformationRetrievalEvaluator", 8),
    ]  # fmt: skip
    assert all(0 <= e.metrics["cosine_ndcg@10"] <= 1 and len(e.metrics) == 15 for e in card.evaluators)
    assert card.model_type == "sentence-transformer" and not card.adapter
    assert card.non_default_hyperparameters["batch_sampler"] == "no_duplicates"

    mapped = variant(card)
    train_keys = mapped.config["train"]
    assert train_keys["loss"] == "MultipleNegativesRankingLoss"
    assert train_keys["matryoshka"] == {"dims": [32, 16, 8], "weights": None}
    assert "batch_sampler" not in train_keys  # auto picks no_duplicates for MNRL, as the card did
    assert (train_keys["batch_size"], train_keys["max_steps"], train_keys["seed"]) == (4, 4, 7)
    assert (train_keys["eval_steps"], train_keys["logging_steps"], train_keys["eval_loss"]) == (2, 1, False)
    assert mapped.config["data"] == {"dev_name": "dim_32"}
    # no base model named: `???`, not the group's all-MiniLM-L6-v2 (the card's model is a random BERT)
    assert mapped.config["model"] == {"max_seq_length": 32, "name_or_path": NOT_STATED, "package": None}
    assert mapped.missing == [
        "model.name_or_path: the card names no base model; set it (a hub id or a path)",
        "data: the card names no hub data set; give --data GROUP (conf/data/) or set data.hub_id and data.roles",
    ]


@pytest.mark.parametrize(
    ("kind", "wrappers"),
    [
        ("adaptive", {"adaptive_layers": {"kl_temperature": 0.5}}),
        ("matryoshka_2d", {"adaptive_layers": {}, "matryoshka": {"dims": [32, 16], "weights": None,
                                                                 "n_dims_per_step": 2}}),
    ],
)  # fmt: skip
def test_the_layer_wrappers_map_to_their_keys(card_file, kind, wrappers):
    """AdaptiveLayerLoss -> train.adaptive_layers (what differs from its defaults); Matryoshka2dLoss -> both
    train.adaptive_layers and train.matryoshka; the inner loss is train.loss."""
    train = variant(load_card(card_file(kind))).config["train"]
    assert train["loss"] == "MultipleNegativesRankingLoss"
    assert {key: train.get(key) for key in ("adaptive_layers", "matryoshka") if key in train} == wrappers


def test_two_datasets_with_a_loss_each(card_file):
    card = load_card(card_file("two_dataset"))
    assert [(d.split, d.name, d.loss, d.size) for d in card.datasets] == [
        (TRAIN, "pairs", "MultipleNegativesRankingLoss", 16), (TRAIN, "scored", "CoSENTLoss", 16),
        (EVAL, "pairs", "MultipleNegativesRankingLoss", 8), (EVAL, "scored", "CoSENTLoss", 8),
    ]  # fmt: skip
    assert card.datasets[1].loss_params == {"scale": 20.0, "similarity_fct": "pairwise_cos_sim"}
    assert card.datasets[1].columns == ["sentence1", "sentence2", "score"]
    assert card.loss == "MultipleNegativesRankingLoss" and card.train_size == 32 and card.eval_size == 16

    mapped = variant(card)
    train_keys = mapped.config["train"]
    assert train_keys["loss"] == "MultipleNegativesRankingLoss" and "loss_params" not in train_keys  # defaults
    assert train_keys["batch_sampler"] == "batch_sampler"  # what the card used; auto would pick no_duplicates
    assert train_keys["learning_rate"] == pytest.approx(1e-4) and "eval_loss" not in train_keys
    # the second set trains beside the first with its own loss (and data group, here the hub reader)
    assert train_keys["datasets"] == {"scored": {"data": {"dev_name": "scored-dev", "test_name": "scored-test"},
                                                 "loss": "CoSENTLoss"}}  # fmt: skip
    assert {"/data@train.datasets.scored.data": "hub"} in mapped.config["defaults"] and mapped.sets == ["scored"]
    assert "train.datasets.scored.data: the card names no hub data set; give --data scored=GROUP" in " ".join(
        mapped.missing
    )


def test_a_further_set_takes_its_data_group_splits_and_mined_negatives(card_file):
    """`--data search=homedepot_pairs`: the card's second set reads Home Depot's pairs view; its negative
    column is a mined one (mine.enabled, how it was mined listed); its dev split is its own evaluator's, its
    test split the group's, renamed where the first set has it."""
    card = load_card(card_file("mined_two_dataset"))
    mapped = variant_from_card(card, "x", REFERENCE, None, {"search": "homedepot_pairs"})
    assert {"/data@train.datasets.search.data": "homedepot_pairs"} in mapped.config["defaults"]
    assert mapped.config["data"] == {"dev_name": "scored-dev"}  # its test split: hub.yaml's `test`
    assert mapped.config["train"]["datasets"]["search"] == {
        "data": {"dev_name": "search-val", "test_name": "search-test"},
        "loss": "MultipleNegativesRankingLoss",
        "mine": {"enabled": True},
    }
    assert any(line.startswith("train.datasets.search.mine: the card's negative column(s) are mined hard negatives")
               for line in mapped.missing)  # fmt: skip
    assert not any("train.datasets.search.data" in line for line in mapped.missing)
    with pytest.raises(ConfigError, match=r"^--data nope=stsb: the card has no further data set nope; its further "
                                          r"sets: search$"):  # fmt: skip
        variant_from_card(card, "x", REFERENCE, None, {"nope": "stsb"})
    with pytest.raises(ConfigError, match=r"^--data nope: no conf/data/nope.yaml; choose one of "):
        variant_from_card(card, "x", REFERENCE, None, {"search": "nope"})


def test_one_own_data_group_and_further_sets_by_name(card_file, capsys):
    """Two groups for the variant's own data set: refused in one line before anything is written."""
    argv = ["variant", "--from-card", str(card_file("mined_two_dataset")), "--name", "never_written"]
    assert main([*argv, "--data", "homedepot", "--data", "stsb"]) == 2
    assert capsys.readouterr().err.strip() == (
        "simpipe variant: error: --data stsb: one --data GROUP for the variant's own data set (--data homedepot "
        "given); a further data set's is --data SET=GROUP"
    )
    assert not (CONF_DIR / "variant" / "never_written.yaml").exists()


@pytest.mark.parametrize(
    ("kind", "train", "data_shape"),
    [
        ("nli", {"loss": "SoftmaxLoss", "learning_rate": 3e-5}, "classified_pairs"),
        ("batch_triplet", {"loss": "BatchHardTripletLoss", "loss_params": {"margin": 2.0}}, "labelled_texts"),
    ],
)
def test_a_card_of_a_new_recipe_makes_its_variant(card_file, kind, train, data_shape):
    """SoftmaxLoss (its num_labels comes from the data) and a batch triplet loss (the group_by_label sampler
    that `auto` picks for it): every train key the recipe set, nothing listed but what is not on the card."""
    card = load_card(card_file(kind))
    mapped = variant(card)
    assert {k: v for k, v in mapped.config["train"].items() if k in train} == train
    assert "batch_sampler" not in mapped.config["train"]
    assert (mapped.config["train"]["max_steps"], mapped.config["train"]["seed"]) == (4, 7)
    assert [line.split(":")[0] for line in mapped.missing] == ["model.name_or_path", "data"]
    assert data_shape in LOSSES[train["loss"]].shapes


def test_a_gist_card_needs_its_guide_set(card_file):
    """The card prints the guide model, never its name: train.guide is `???` and listed, the loss mapped."""
    mapped = variant(load_card(card_file("gist")))
    train = mapped.config["train"]
    assert (train["loss"], train["loss_params"], train["guide"]) == ("GISTEmbedLoss", {"temperature": 0.05}, NOT_STATED)
    assert any(line.startswith("train.guide: the card's GISTEmbedLoss is guided by 'SentenceTransformer(")
               for line in mapped.missing)  # fmt: skip


@pytest.mark.parametrize(("kind", "loss"), [("margin_mse", "MarginMSELoss"), ("mse", "MSELoss")])
def test_a_distillation_card_needs_its_teacher_set(card_file, kind, loss):
    """MarginMSELoss, MSELoss: the loss mapped (the label column is the teacher's scores or embedding of
    each row, which the mine stage computes with train.teacher); no card names the teacher: `???`, listed."""
    mapped = variant(load_card(card_file(kind)))
    assert (mapped.config["train"]["loss"], mapped.config["train"]["teacher"]) == (loss, NOT_STATED)
    assert any(line.startswith(f"train.teacher: the card's {loss} learns a teacher's {LOSSES[loss].teacher}")
               for line in mapped.missing)  # fmt: skip


def test_three_data_sets_with_three_losses(card_file):
    """MNRL, CoSENT (scale 10) and SoftmaxLoss: the first set's loss is train.loss, the others train.datasets,
    the round-robin sampler train.multi_dataset_sampler."""
    card = load_card(card_file("three_dataset"))
    mapped = variant(card)
    train = mapped.config["train"]
    assert train["loss"] == "MultipleNegativesRankingLoss" and train["multi_dataset_sampler"] == "round_robin"
    assert {k: {x: v for x, v in s.items() if x != "data"} for k, s in train["datasets"].items()} == {
        "scored": {"loss": "CoSENTLoss", "loss_params": {"scale": 10.0}}, "nli": {"loss": "SoftmaxLoss"},
    }  # fmt: skip
    assert mapped.sets == ["scored", "nli"]
    assert "train.datasets.nli.loss: SoftmaxLoss's num_labels=3 comes from the data (its class ids)" in mapped.from_data


def test_two_evaluators_with_one_name_before_and_after_training(card_file):
    card = load_card(card_file("before_after"))
    before, after = card.evaluators
    assert before.name == after.name == "sts-dev" and before.type == after.type == "EmbeddingSimilarityEvaluator"
    assert before.metrics["pearson_cosine"] != after.metrics["pearson_cosine"]
    assert card.metrics == {"sts-dev": after.metrics}  # what the saved model scores
    assert [row["Step"] for row in card.training_log] == [-1, 1, 2, 3, 4]  # the evaluation before, then steps
    assert "data" not in variant(card, "stsb").config  # its dev split is sts-dev, data=stsb's default name


def test_a_nan_metric_stays_nan(card_file, tmp_path):
    card = load_card(card_file("nan"))
    (evaluator,) = card.evaluators
    assert math.isnan(evaluator.metrics["spearman_cosine"]) and math.isnan(evaluator.metrics["pearson_cosine"])
    path = tmp_path / "facts.yaml"
    path.write_text(facts_yaml(card, "README.md", None))
    assert math.isnan(load_card(path).metrics["flat-dev"]["spearman_cosine"])
    assert math.isnan(card.training_log[1]["flat-dev_spearman_cosine"])
    assert variant(card, "stsb").config["data"] == {"dev_name": "flat-dev"}  # a NaN run still names its split


def test_an_unnamed_evaluator_keeps_the_model_index_precision(card_file):
    """The Evaluation block rounds to 4 digits; the model-index (dataset `unknown`) holds the full values."""
    card = load_card(card_file("unnamed"))
    (evaluator,) = card.evaluators
    assert evaluator.type == "EmbeddingSimilarityEvaluator" and evaluator.task == "Semantic Similarity"
    index = yaml.safe_load(card_file("unnamed").read_text().split("---")[1])["model-index"][0]["results"][0]
    assert index["dataset"]["type"] == "unknown"
    full = {m["type"]: m["value"] for m in index["metrics"]}
    assert evaluator.metrics["spearman_cosine"] == full["spearman_cosine"] != round(full["spearman_cosine"], 4)


@pytest.mark.parametrize("ending", ["\r\n", "\r\r\n", "\r"])
def test_line_endings_of_any_kind(card_file, ending):
    text = card_file("before_after").read_text(encoding="utf-8")
    plain = dataclasses.asdict(parse_card(text, "README.md"))
    ended = parse_card(text.replace("\n", ending), "README.md")
    assert dataclasses.asdict(ended) == plain
    assert variant(ended, "stsb") == variant(parse_card(text, "README.md"), "stsb")
    assert len(plain["training_logs"][0]) == 5 and len(plain["evaluators"]) == 2


def test_training_logs_of_two_fits_are_two_runs():
    table = "| Epoch | Step | Training Loss | val_spearman_cosine |\n|:-:|:-:|:-:|:-:|\n"
    rows = "".join(f"| {s / 10} | {s} | 0.1 | {0.5 + s / 100} |\n" for s in (1, 2, 3))
    text = f"## Training Details\n\n### Training Logs\n{table}{rows}{rows.replace('0.1 ', '0.05 ')}"
    card = parse_card(text, "README.md")
    assert [[row["Step"] for row in run] for run in card.training_logs] == [[1, 2, 3], [1, 2, 3]]
    assert card.training_log[0]["Training Loss"] == 0.05


def test_a_card_in_the_2x_layout(card_file):
    card = load_card(card_file("legacy"))
    assert card.modules == ["Transformer", "Pooling"] and card.max_seq_length == 128 and card.output_dim == 32
    assert card.fit_parameters["epochs"] == 2 and card.fit_parameters["optimizer_params"] == {"lr": 2e-05}
    assert card.fit_parameters["dataloaders"] == [{
        "class": "torch.utils.data.dataloader.DataLoader", "length": 360, "batch_size": 16,
        "sampler": "torch.utils.data.sampler.RandomSampler", "batch_sampler": "torch.utils.data.sampler.BatchSampler",
    }]  # fmt: skip
    assert card.loss == "CosineSimilarityLoss" and card.model_type == "sentence-transformer"
    mteb, dev = card.evaluators
    assert (mteb.name, mteb.task, mteb.params["revision"][:7], mteb.metrics) == (
        "mteb/stsbenchmark-sts", "STS", "b0fddb5", {"cos_sim_pearson": 81.25, "cos_sim_spearman": 80.5},
    )  # fmt: skip
    assert (dev.name, dev.metrics) == ("sts-dev", {"cosine_spearman": 0.8123})

    mapped = variant(card, "stsb")
    assert mapped.config["train"] == {"batch_size": 16, "epochs": 2, "learning_rate": 2e-05, "warmup_ratio": 0.05,
                                      "weight_decay": 0.01, "eval_steps": 50, "eval_loss": False}  # fmt: skip
    assert "data" not in mapped.config  # data=stsb: dev_name sts-dev is its default; MTEB names no split
    assert mapped.config["defaults"][0] == {"/data": "stsb"}
    assert mapped.config["model"] == {"max_seq_length": 128, "name_or_path": NOT_STATED, "package": None}


def test_a_cross_encoder_card_makes_a_reranker_variant(card_file):
    """A CrossEncoder's card (BinaryCrossEntropyLoss, its printed defaults): the reranker model group with the
    card's max length and head, the cross-encoder's loss; the variant composes and checks once the base
    model is set."""
    card = load_card(card_file("cross_encoder"))
    assert (card.model_type, card.loss, card.num_labels, card.max_seq_length) == (
        "cross-encoder", "BinaryCrossEntropyLoss", 1, 64)  # fmt: skip
    mapped = variant(card, "homedepot")
    assert {"/model": "minilm_reranker"} in mapped.config["defaults"]
    assert mapped.config["model"] == {"max_length": 64, "name_or_path": NOT_STATED, "package": None}
    train = mapped.config["train"]
    assert (train["loss"], train["batch_size"], train["max_steps"]) == ("BinaryCrossEntropyLoss", 4, 4)
    assert "loss_params" not in train  # activation_fn and pos_weight as the loss's defaults print them
    assert [line.split(":")[0] for line in mapped.missing] == ["model.name_or_path"]


def test_a_sparse_encoder_card_is_refused():
    card = parse_card(cards.SPARSE_CARD, "sparse/README.md")
    assert card.model_type == "sparse-encoder"
    with pytest.raises(CardError, match=r"README\.md: a sparse-encoder card; simpipe trains sentence-transformer "
                                        r"and cross-encoder models \(sparse encoders are not supported\)"):  # fmt: skip
        variant(card)


def test_a_hand_written_card_is_warned(caplog):
    text = "---\nlicense: mit\n---\n# My model\n\nI fine-tuned it on my data.\n\n## Results\n\nIt works well.\n"
    card = parse_card(text, "README.md")
    assert card.unparsed == [
        "section 'Results': not read",
        "no model, data, loss, evaluation or training facts found: a hand-written card? Write the variant by "
        "hand (conf/variant/minilm_sts.yaml is an example)",
    ]
    assert [r.getMessage() for r in caplog.records] == [f"README.md: {line}" for line in card.unparsed]
    mapped = variant(card, "stsb")
    stated = ("batch_size", "epochs", "learning_rate", "lr_scheduler", "warmup_ratio", "weight_decay")
    # the card states nothing: what shapes training most is `???`, not the group's defaults, and listed
    assert mapped.config["train"] == {"eval_loss": False, **dict.fromkeys(stated, NOT_STATED)}
    assert mapped.config["model"] == {"max_seq_length": NOT_STATED, "name_or_path": NOT_STATED, "package": None}
    assert mapped.missing[:3] == [
        "model.max_seq_length: the card does not state it; set it (tokens per text)",
        "model.name_or_path: the card names no base model; set it (a hub id or a path)",
        "train.loss: the card names no loss; set it",
    ]
    assert [line.split(":")[0] for line in mapped.missing[3:]] == [f"train.{key}" for key in stated]


def test_an_unknown_data_group_is_refused(card_file):
    with pytest.raises(ConfigError, match=r"--data nope: no conf/data/nope\.yaml; choose one of files, homedepot"):
        variant(load_card(card_file("before_after")), "nope")


def test_an_adapter_card_is_flagged():
    text = "---\ntags:\n- sentence-transformers\n- peft\nbase_model: org/base\n---\n# M\n"
    card = parse_card(text, "README.md")
    assert card.adapter and card.model_type == "sentence-transformer"
    assert "model: the card's model is a PEFT adapter; simpipe trains full weights only" in variant(card).missing
