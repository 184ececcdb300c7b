import pytest

from simpipe.cards.errors import CardError
from simpipe.cards.parse import parse_card
from simpipe.cards.sources import facts_yaml, load_card, reference_facts
from simpipe.core.config import REPO_ROOT
from tests.helpers.config import VARIANTS

# the seed card each in-repo facts file was written from (`simpipe reference`)
SEED_CARDS = {"glove_bilstm_sts": "000_4e6af143f06ae203.txt", "minilm_homedepot": "003_45aad721b0a4e677.txt"}


@pytest.fixture(scope="module")
def glove(shared):
    return load_card(shared / "seeds" / SEED_CARDS["glove_bilstm_sts"])


@pytest.fixture(scope="module")
def homedepot(shared):
    return load_card(shared / "seeds" / SEED_CARDS["minilm_homedepot"])


def test_glove_card_with_flattened_front_matter(glove):
    assert glove.metrics["sts-dev"]["spearman_cosine"] == pytest.approx(0.7657600316758283)
    assert len(glove.metrics["sts-dev"]) == 10
    assert (glove.output_dim, glove.train_size, glove.eval_size) == (2048, 5749, 1500)
    assert glove.columns == ["sentence1", "sentence2", "score"] and glove.loss == "CosineSimilarityLoss"
    assert glove.non_default_hyperparameters["per_device_train_batch_size"] == "32"
    assert glove.non_default_hyperparameters["warmup_ratio"] == "0.1"
    assert "Embedding(400001, 300)" in glove.architecture and "LSTM(300, 1024" in glove.architecture
    assert glove.modules == ["WordEmbeddings", "LSTM", "Pooling"]
    assert glove.co2["hardware_used"] == "1 x NVIDIA GeForce RTX 3090" and glove.co2["hours_used"] == 0.003
    assert glove.training_logs == []
    assert glove.datasets[0].hub_id == "sentence-transformers/stsb" and glove.datasets[0].revision.startswith("d999f12")
    assert glove.language == ["en"] and glove.unparsed == [
        "front matter: not valid YAML (indentation lost?); read line by line"
    ]


def test_homedepot_card(homedepot):
    assert homedepot.metrics == {"val": {"pearson_cosine": pytest.approx(0.5271053959513253),
                                         "spearman_cosine": pytest.approx(0.5196782645468574)}}  # fmt: skip
    assert homedepot.train_size == 47402 and homedepot.base_model == "sentence-transformers/all-MiniLM-L6-v2"
    assert homedepot.non_default_hyperparameters["per_device_train_batch_size"] == "16"
    assert homedepot.all_hyperparameters["num_train_epochs"] == "3"
    assert homedepot.all_hyperparameters["learning_rate"] == "5e-05"
    assert len(homedepot.training_logs) == 1  # one run
    logs = homedepot.training_log
    assert len(logs) == 84
    assert logs[0] == {"Epoch": 0.0337, "Step": 100.0, "Training Loss": None, "val_spearman_cosine": 0.3862}
    assert logs[4]["Training Loss"] == 0.0637
    assert logs[-1]["Step"] == 8200 and logs[-1]["val_spearman_cosine"] == 0.5197
    assert homedepot.versions["Sentence Transformers"] == "4.1.0"
    assert homedepot.co2 == {}


def test_metrics_from_tables_when_front_matter_has_no_model_index():
    text = """---
tags:
- sentence-transformers
---
# My model

## Evaluation

#### Semantic Similarity

* Datasets: `sts-dev` and `sts-test`

| Metric              | sts-dev    | sts-test   |
|:--------------------|:-----------|:-----------|
| pearson_cosine      | 0.8        | 0.7        |
| **spearman_cosine** | **0.81**   | **0.72**   |
"""
    card = parse_card(text)
    assert card.metrics == {"sts-dev": {"pearson_cosine": 0.8, "spearman_cosine": 0.81},
                            "sts-test": {"pearson_cosine": 0.7, "spearman_cosine": 0.72}}  # fmt: skip
    assert card.title == "My model" and card.training_logs == [] and card.train_size is None


def test_single_dataset_table_without_front_matter():
    text = (
        "## Evaluation\n\n#### Semantic Similarity\n\n* Dataset: `val`\n\n"
        "| Metric | Value |\n|:--|:--|\n| spearman_cosine | 0.5 |\n"
    )
    assert parse_card(text).metrics == {"val": {"spearman_cosine": 0.5}}


def test_text_that_is_no_card():
    with pytest.raises(CardError, match=r"notes\.md: not a sentence-transformers model card"):
        parse_card("just some notes\n", source="notes.md")


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(CardError, match=r"README\.md: card not found; point to a model card, a facts file or a hub id"):
        load_card(tmp_path / "README.md")
    (tmp_path / "bin.md").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(CardError, match="not UTF-8 text"):
        load_card(tmp_path / "bin.md")


@pytest.mark.parametrize("variant", sorted(SEED_CARDS))
def test_in_repo_facts_are_what_simpipe_reference_writes_from_the_seed_card(shared, variant):
    hub = {"glove_bilstm_sts": "tomaarsen/glove-bilstm-sts"}.get(variant)
    card = shared / "seeds" / SEED_CARDS[variant]
    written = facts_yaml(load_card(card), card.name, hub)
    assert (REPO_ROOT / "references" / f"{variant}.yaml").read_text(encoding="utf-8") == written


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_reference_of_a_variant_loads_without_the_seed_cards(variant_cfg, variant):
    reference = variant_cfg(variant).report.reference
    if reference is None:
        pytest.skip(f"{variant} has no reference")
    facts = reference_facts(str(REPO_ROOT / reference))
    assert facts.metrics and facts.modules and facts.train_size and facts.architecture is None
    assert SEED_CARDS.get(variant, "README.md") in facts.source  # a seed card, or a card simpipe wrote


def test_facts_round_trip_through_yaml(tmp_path):
    card = parse_card(
        "---\nbase_model: org/base\n---\n# M\n\n## Evaluation\n\n#### Semantic Similarity\n\n* Dataset: `val`\n\n"
        "| Metric | Value |\n|:--|:--|\n| spearman_cosine | 0.5 |\n",
        "README.md",
    )
    path = tmp_path / "m.yaml"
    path.write_text(facts_yaml(card, "README.md", "org/m"))
    facts = load_card(path)
    assert facts.metrics == {"val": {"spearman_cosine": 0.5}} and facts.base_model == "org/base"
    assert facts.source == "org/m / README.md"


def test_a_yaml_file_that_is_no_facts_file(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("source: a\nspeed: 3\n")
    with pytest.raises(
        CardError,
        match=r"x\.yaml: not a facts file of this simpipe \(unknown keys: speed\); rewrite it with `simpipe reference",
    ):
        load_card(path)


def test_no_reference_is_none_and_an_unknown_one_a_clear_error(tmp_path):
    assert reference_facts(None) is None
    with pytest.raises(
        CardError, match=r"report\.reference='nope\.md': not found; give a model card \(README\.md\), a facts file"
    ):
        reference_facts("nope.md")
    with pytest.raises(CardError, match=r"report\.reference='org/missing-model': no such file, and its README\.md"):
        reference_facts("org/missing-model")  # HF_HUB_OFFLINE=1 in tests
