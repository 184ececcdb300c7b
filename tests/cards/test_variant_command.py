"""`simpipe variant --from-card` in a copy of the project: the files it writes, the variant in params.yaml,
what it lists as not reproducible, the one-line stop of the stage that needs a missing piece, its refusals;
the round trip of a card simpipe wrote (slow: the real `dvc repro`); the seed cards' variants."""

from __future__ import annotations

import json

import pytest
import yaml
from omegaconf import OmegaConf

from simpipe.cards.sources import load_card
from simpipe.cards.variant import NOT_STATED, variant_from_card
from simpipe.core.config import CONF_DIR
from tests.cards.test_sources import SEED_CARDS
from tests.helpers import cards
from tests.helpers.config import VARIANTS, variant_config
from tests.helpers.processes import copy_simpipe, dvc, project_copy

QUICK = [f"profile@variants.{v}=quick" for v in VARIANTS]


@pytest.fixture
def repo(tmp_path, mirror):
    return project_copy(tmp_path, mirror, *QUICK)


def test_a_variant_from_a_card_is_written_and_listed_and_stops_where_a_piece_is_missing(repo, tmp_path):
    card = cards.matryoshka_card(tmp_path / "card")
    result = copy_simpipe(repo, "variant", "--from-card", str(card), "--name", "tiny_mrl")
    assert result.returncode == 0, result.stderr
    written = yaml.safe_load((repo / "conf" / "variant" / "tiny_mrl.yaml").read_text())
    assert written["train"]["loss"] == "MultipleNegativesRankingLoss" and written["name"] == "tiny_mrl"
    assert written["report"] == {"reference": "references/tiny_mrl.yaml"}
    assert (repo / "references" / "tiny_mrl.yaml").is_file()
    config = (repo / "conf" / "config.yaml").read_text()
    assert "  - variant@variants.tiny_mrl: tiny_mrl\n" in config
    assert "  - optional profile@variants.tiny_mrl: null\n" in config
    artifact = yaml.safe_load((repo / "dvc.yaml").read_text())["artifacts"]["tiny_mrl"]
    assert artifact["path"] == "models/tiny_mrl" and artifact["type"] == "model"
    params = OmegaConf.load(repo / "params.yaml")
    assert params.variants.tiny_mrl.train.matryoshka.dims == [32, 16, 8]
    assert "tiny_mrl: not reproducible as the card states: model.name_or_path: the card names no base model" in (
        result.stderr
    )
    assert "tiny_mrl: `dvc repro` will stop here until it is set: variants.tiny_mrl.data.name: missing" in (
        result.stderr
    )
    stopped = copy_simpipe(repo, "prepare", "--variant", "tiny_mrl")
    assert stopped.returncode == 2
    assert stopped.stderr.strip().splitlines()[-1].startswith("simpipe prepare: error: data.name: missing; set it")
    again = copy_simpipe(repo, "variant", "--from-card", str(card), "--name", "tiny_mrl")
    assert again.returncode == 2 and "tiny_mrl.yaml: exists; choose another --name or pass --force" in again.stderr


def test_a_hand_written_card_file_loses_no_fact_and_substitutes_no_value(repo, tmp_path):
    """A 3.x card file with `\\r\\r\\n` line ends on disk, its four data sets in `<details>` blocks: every
    data set and log row read; warmup steps over the logged steps; no base model, an unknown batch size and
    a lambda listed, each `???` or left out, never a default; `dvc repro will stop here` names this variant."""
    card = tmp_path / "modern.md"
    card.write_bytes(cards.modern_hand_card().replace("\n", "\r\r\n").encode())
    legacy = tmp_path / "legacy.md"  # a broken variant before it in the pipeline
    legacy.write_text(cards.legacy_hand_card())
    assert copy_simpipe(repo, "variant", "--from-card", str(legacy), "--name", "hand_legacy").returncode == 0
    result = copy_simpipe(repo, "variant", "--from-card", str(card), "--name", "hand_modern")
    assert result.returncode == 0, result.stderr
    facts = yaml.safe_load((repo / "references" / "hand_modern.yaml").read_text())
    assert [d["name"] for d in facts["datasets"]] == list(cards.MODERN_NAMES)
    assert [row["Step"] for row in facts["training_logs"][0]] == [1, 50, 100, 150, 175]
    text = (repo / "conf" / "variant" / "hand_modern.yaml").read_text()
    written = yaml.safe_load(text)
    assert written["model"] == {"max_seq_length": 128, "name_or_path": NOT_STATED, "package": None}
    train = written["train"]
    assert (train["warmup_ratio"], train["batch_size"], train["epochs"]) == (round(100 / 175, 4), NOT_STATED, 3)
    assert (train["logging_steps"], train["eval_steps"]) == (50, 50)  # the interval, not the first row's step
    assert "loss_params" not in train and train["learning_rate"] == pytest.approx(2e-5)
    header = " ".join(line.strip("# -") for line in text.splitlines() if line.startswith("#"))
    for listed in (
        "model.name_or_path: the card names no base model",
        "train.batch_size: the card states per_device_train_batch_size='unknown'",
        "train.loss_params.similarity_fct: the card's MultipleNegativesRankingLoss uses '<lambda>'",
    ):
        assert listed in header, listed
    stop = [line for line in result.stderr.splitlines() if "will stop here" in line]
    assert len(stop) == 1 and "variants.hand_modern." in stop[0] and "hand_legacy" not in stop[0]


def test_a_2x_card_file_with_every_table_layout(repo, tmp_path):
    """Evaluation Results tables of a 2.x card: a split per row, epochs per row without outer pipes, metric
    names over values; the splits name data.dev_name / test_name, nothing else does."""
    card = tmp_path / "legacy.md"
    card.write_text(cards.legacy_hand_card())
    result = copy_simpipe(repo, "variant", "--from-card", str(card), "--name", "hand_legacy", "--data", "stsb")
    assert result.returncode == 0, result.stderr
    facts = yaml.safe_load((repo / "references" / "hand_legacy.yaml").read_text())
    assert [(e["name"], e["params"], e["metrics"]) for e in facts["evaluators"]] == [
        ("dev", {}, {"accuracy": 0.91, "f1": 0.88}), ("test", {}, {"accuracy": 0.89, "f1": 0.86}),
        ("results", {"epoch": 0, "steps": -1}, {"cosine_spearman": 0.81}),
        ("results", {"epoch": 1, "steps": -1}, {"cosine_spearman": 0.84}),
        ("results", {}, {"src2trg": 0.95, "trg2src": 0.94}),
    ]  # fmt: skip
    written = yaml.safe_load((repo / "conf" / "variant" / "hand_legacy.yaml").read_text())
    assert written["data"] == {"dev_name": "dev", "test_name": "test"}
    assert written["train"] == {"batch_size": 16, "learning_rate": 2e-05, "warmup_ratio": 0.1, "weight_decay": 0.01,
                                "eval_loss": False}  # fmt: skip


def test_a_new_variant_on_a_data_group_is_written_with_both_config_lines(repo):
    """`simpipe variant --new NAME --data GROUP`: the file, the variant's and its profile's lines in
    conf/config.yaml (so `profile@variants.NAME=quick` composes), a loss that takes the data's shape."""
    result = copy_simpipe(repo, "variant", "--new", "my_search", "--data", "homedepot_pairs")
    assert result.returncode == 0, result.stderr
    written = yaml.safe_load((repo / "conf" / "variant" / "my_search.yaml").read_text())
    assert written["defaults"][:2] == [{"/data": "homedepot_pairs"}, {"/model": "minilm"}]
    assert written["train"] == {"loss": "MultipleNegativesRankingLoss"}  # CosineSimilarityLoss takes no pairs
    quick = copy_simpipe(repo, "params", *QUICK, "profile@variants.my_search=quick")
    assert quick.returncode == 0, quick.stderr
    assert OmegaConf.load(repo / "params.yaml").variants.my_search.train.max_steps == 4
    user = copy_simpipe(repo, "variant", "--new", "mine", "--data", "files", "--model", "glove_bilstm")
    assert user.returncode == 0, user.stderr
    assert "mine: to set: data.files: conf/data/files.yaml leaves it to set" in user.stderr
    assert "mine: `dvc repro` will stop here until it is set: variants.mine.data.name: missing" in user.stderr
    refused = copy_simpipe(repo, "variant", "--new", "other", "--data", "nope")
    assert refused.returncode == 2 and "--data nope: no conf/data/nope.yaml; choose one of files" in refused.stderr


REFUSED = {
    "sparse": "a sparse-encoder card; simpipe trains",
    "text": "not a sentence-transformers model card",
    "hub": "--from-card='org/missing-model': no such file, and its README.md could not be downloaded",
}


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_a_card_that_cannot_be_trained_or_read_is_refused_and_nothing_written(repo, tmp_path, kind):
    if kind == "text":
        card = tmp_path / "notes.md"
        card.write_text("just some notes\n")
    elif kind == "hub":
        card = "org/missing-model"  # offline here (HF_HUB_OFFLINE=1): the download fails
    else:
        card = tmp_path / "README.md"
        card.write_text(cards.SPARSE_CARD)
    before = {p: p.read_bytes() for p in [*(repo / "conf").rglob("*.yaml"), repo / "params.yaml", repo / "dvc.yaml"]}
    result = copy_simpipe(repo, "variant", "--from-card", str(card), "--name", "refused")
    assert result.returncode == 2
    (line,) = [line for line in result.stderr.splitlines() if "error" in line]
    expected = REFUSED[kind]
    assert line.startswith("simpipe variant: error: ") and expected in line
    assert {p: p.read_bytes() for p in before} == before and not (repo / "references" / "refused.yaml").exists()


@pytest.mark.parametrize("variant", sorted(SEED_CARDS))
def test_the_seed_cards_make_the_shipped_variants(shared, variant):
    """Every key the variant from the seed card sets equals the shipped variant's (after composition); what
    the card does not state comes from the data group, and the output says so."""
    card = load_card(shared / "seeds" / SEED_CARDS[variant])
    data = {"minilm_homedepot": "homedepot"}.get(variant)
    mapped = variant_from_card(card, variant, f"references/{variant}.yaml", data)
    shipped = yaml.safe_load((CONF_DIR / "variant" / f"{variant}.yaml").read_text())
    assert mapped.config["defaults"] == shipped["defaults"]
    composed = variant_config(variant)
    for group, keys in mapped.config.items():
        if group in ("defaults", "name"):
            continue
        for key, value in keys.items():
            assert OmegaConf.to_object(composed[group])[key] == value, f"{group}.{key}: card {value!r}"
    assert mapped.from_data[0].startswith(f"data={data or 'stsb'}: the data set, its text processing and its split")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("variant", "data", "overrides"),
    [
        # (a one-set bi-encoder card's round trip is the multi-set one's STS-b set: minilm_sts's recipe)
        ("minilm_multitask", ["--data", "homedepot=homedepot_search"], []),
        # its pairs alone: a card cannot name the variant whose candidates it reranks; trained on the graded
        # pairs, not on mined labelled ones (a card states a set's labels, not that its negatives were mined)
        ("minilm_homedepot_rerank", ["--data", "homedepot_raw"],
         [f"variants.minilm_homedepot_rerank.{key}" for key in
          ("eval.retriever=minilm_homedepot_rerank", "data.shape=scored_pairs", "mine.enabled=false")]),
        # random vectors: a static card names neither its tokenizer nor how its vectors began
        ("static_sts", [], ["variants.static_sts.model.init=random"]),
    ],
)  # fmt: skip
def test_a_card_simpipe_wrote_reproduces_itself(repo, variant, data, overrides):
    """The quick-profile card of minilm_multitask (two data sets, two losses, a mined set whose
    local data is given as --data SET=GROUP), of minilm_homedepot_rerank (a cross-encoder: its card is
    sentence-transformers' CrossEncoder card) and of static_sts (static token vectors) -> a new variant
    (quick profile too) -> `dvc repro`: every metric of every set within 0.005, and the report compares the
    run with the card it came from."""
    again = f"{variant}_round_trip"
    assert copy_simpipe(repo, "params", *QUICK, *overrides).returncode == 0
    dvc("repro", f"card@{variant}", cwd=repo)
    made = copy_simpipe(repo, "variant", "--from-card", f"models/{variant}/README.md", "--name", again, *data)
    assert made.returncode == 0, made.stderr
    sets = copy_simpipe(repo, "params", *QUICK, *overrides, f"profile@variants.{again}=quick")
    assert sets.returncode == 0, sets.stderr
    dvc("repro", f"report@{again}", cwd=repo)
    first, second = (json.loads((repo / "metrics" / v / "metrics.json").read_text()) for v in (variant, again))
    assert set(second) == set(first)
    for key in (key for key in first if not key.startswith("base/")):
        for metric, value in first[key].items():
            assert second[key][metric] == pytest.approx(value, abs=0.005), f"{key} {metric}"
    comparison = json.loads((repo / "metrics" / again / "comparison.json").read_text())
    assert comparison["reference"].endswith("README.md") and comparison["metrics"]
    assert all(row["passed"] for row in comparison["metrics"])
