import pytest

from simpipe.config import REPO_ROOT
from simpipe.reference import CardError, load_card, parse_card

SEEDS = REPO_ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def glove():
    return load_card(SEEDS / "000_4e6af143f06ae203.txt")


@pytest.fixture(scope="module")
def homedepot():
    return load_card(SEEDS / "003_45aad721b0a4e677.txt")


def test_glove_card_with_flattened_front_matter(glove):
    assert glove.metrics["sts-dev"]["spearman_cosine"] == pytest.approx(0.7657600316758283)
    assert len(glove.metrics["sts-dev"]) == 10
    assert (glove.output_dim, glove.train_size, glove.eval_size) == (2048, 5749, 1500)
    assert glove.columns == ["sentence1", "sentence2", "score"] and glove.loss == "CosineSimilarityLoss"
    assert glove.non_default_hyperparameters["per_device_train_batch_size"] == "32"
    assert glove.non_default_hyperparameters["warmup_ratio"] == "0.1"
    assert "Embedding(400001, 300)" in glove.architecture and "LSTM(300, 1024" in glove.architecture
    assert glove.co2["hardware_used"] == "1 x NVIDIA GeForce RTX 3090" and glove.co2["hours_used"] == 0.003
    assert glove.training_logs == []


def test_homedepot_card(homedepot):
    assert homedepot.metrics == {"val": {"pearson_cosine": pytest.approx(0.5271053959513253),
                                         "spearman_cosine": pytest.approx(0.5196782645468574)}}  # fmt: skip
    assert homedepot.train_size == 47402 and homedepot.base_model == "sentence-transformers/all-MiniLM-L6-v2"
    assert homedepot.non_default_hyperparameters["per_device_train_batch_size"] == "16"
    assert homedepot.all_hyperparameters["num_train_epochs"] == "3"
    assert homedepot.all_hyperparameters["learning_rate"] == "5e-05"
    logs = homedepot.training_logs
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
    with pytest.raises(CardError, match="reference card not found"):
        load_card(tmp_path / "README.md")
    (tmp_path / "bin.md").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(CardError, match="not UTF-8 text"):
        load_card(tmp_path / "bin.md")
