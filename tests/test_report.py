import pytest
from omegaconf import OmegaConf

from simpipe.config import REPO_ROOT
from simpipe.reference import CardError, load_card, parse_card, reference_card
from simpipe.report import card_section, compare, insert_section, modules, plot_png, to_html, to_markdown

SEEDS = REPO_ROOT.parent / "shared" / "seeds"

REPRODUCED = """---
base_model: sentence-transformers/all-MiniLM-L6-v2
model-index:
- name: x
  results:
  - task:
      type: semantic-similarity
    dataset:
      name: val
      type: val
    metrics:
    - type: pearson_cosine
      value: 0.49
    - type: spearman_cosine
      value: 0.5101
co2_eq_emissions:
  emissions: 12.5
  energy_consumed: 0.03
  hours_used: 1.2
---
# x

### Full Model Architecture
```
SentenceTransformer(
  (0): Transformer({'max_seq_length': 256})
  (1): Pooling({'embedding_dimension': 384})
  (2): Normalize()
)
```

## Training Details

### Training Dataset

* Size: 47,402 training samples
* Columns: <code>sentence_0</code>, <code>sentence_1</code>, and <code>label</code>
* Loss: [<code>CosineSimilarityLoss</code>](x)

#### Non-Default Hyperparameters

- `per_device_train_batch_size`: 16
- `num_train_epochs`: 3

### Training Logs
| Epoch | Step | Training Loss | val_spearman_cosine |
|:-----:|:----:|:-------------:|:-------------------:|
| 0.0337 | 100 | - | 0.39 |
| 2.7675 | 8200 | 0.0456 | 0.5101 |
"""


@pytest.fixture(scope="module")
def comparison():
    return compare(load_card(SEEDS / "003_45aad721b0a4e677.txt"), parse_card(REPRODUCED, "reproduced.md"), 0.02)


def test_metrics_pass_or_fail_against_the_tolerance(comparison):
    rows = {(r.dataset, r.metric): r for r in comparison.metrics}
    assert rows[("val", "spearman_cosine")].passed  # 0.5101 vs 0.5197
    assert not rows[("val", "pearson_cosine")].passed  # 0.49 vs 0.5271
    assert rows[("val", "pearson_cosine")].diff == pytest.approx(0.49 - 0.5271053959513253)
    assert comparison.summary().startswith("1 of 2 reference metrics reproduced within ±0.02; val spearman_cosine")


def test_facts_and_hyperparameters_flag_differences(comparison):
    facts = {r.name: r for r in comparison.facts}
    assert not facts["train_size"].differs and not facts["modules"].differs
    assert facts["modules"].reference == ["Transformer", "Pooling", "Normalize"]
    hyper = {r.name: r for r in comparison.hyperparameters}
    assert not hyper["per_device_train_batch_size"].differs
    assert hyper["multi_dataset_batch_sampler"].differs  # round_robin vs not stated
    env = {r.name: r for r in comparison.environment}
    assert env["emissions (g CO2eq)"].reference is None and env["emissions (g CO2eq)"].reproduced == 12.5


def test_markdown_html_and_plot(comparison):
    png = plot_png(comparison)
    assert png.startswith(b"\x89PNG")
    md = to_markdown(comparison, "r", "curve.png")
    assert "| val | spearman_cosine | 0.5197 | 0.5101 | -0.0096 | pass |" in md
    assert "![Spearman (cosine) during training](curve.png)" in md
    page = to_html(comparison, "r", png)
    assert "data:image/png;base64," in page and "src='http" not in page and "<td class='FAIL'>FAIL</td>" in page


def test_no_curves_no_plot():
    glove = load_card(SEEDS / "000_4e6af143f06ae203.txt")
    assert plot_png(compare(glove, glove)) is None
    assert modules(glove) == ["WordEmbeddings", "LSTM", "Pooling"]


def test_missing_reference_is_a_clear_error(tmp_path):
    cfg = OmegaConf.create({"reference": str(tmp_path / "nope.md"), "reference_hub": None})
    with pytest.raises(CardError, match=r"report\.reference='.*nope\.md': reference card not found; set it"):
        reference_card(cfg)


def test_card_section_and_its_place(comparison):
    section = card_section(comparison, "ref/README.md", "reports/x/report.md")
    assert (
        section.startswith("## Reproduction\n") and "| val | spearman_cosine | 0.5197 | 0.5101 | -0.0096 |" in section
    )
    readme = "# M\n\n## Evaluation\nx\n\n## Training Details\ny\n"
    assert insert_section(readme, section).index("## Reproduction") < insert_section(readme, section).index(
        "## Training Details"
    )
    assert insert_section("# M\n", section).endswith(section)
