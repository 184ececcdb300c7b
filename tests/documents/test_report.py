"""The comparison with a reference (computed once, written as JSON) and its renderings: report and card section."""

import html
from dataclasses import replace

import pytest
from omegaconf import OmegaConf

from simpipe.artifacts.trained import Record, TrainedRun
from simpipe.cards.facts import CardFacts, EvaluatorFacts
from simpipe.cards.sources import load_card
from simpipe.core.config import REPO_ROOT
from simpipe.documents.card import insert_section, reproduction_section
from simpipe.documents.comparison import read_comparison, write_comparison
from simpipe.documents.report import plot_png, to_html, to_markdown
from simpipe.documents.reproduction import compare, reproduced_facts, training_logs
from simpipe.training.sets import TrainingSet

HEADLINE = ("val", "spearman_cosine")
LOG_HISTORY = [
    {"epoch": 0.0337, "step": 100, "eval_val_spearman_cosine": 0.39, "eval_val_pearson_cosine": 0.38},
    {"epoch": 0.1687, "step": 500, "loss": 0.0637, "learning_rate": 4.9e-05},
    {"epoch": 0.1687, "step": 500, "eval_val_spearman_cosine": 0.45},
    {"epoch": 2.7675, "step": 8200, "eval_val_spearman_cosine": 0.5101},
]


@pytest.fixture(scope="module")
def reference() -> CardFacts:
    """The Home Depot seed card's facts, as kept in the repository (no ../shared needed)."""
    return load_card(REPO_ROOT / "references" / "minilm_homedepot.yaml")


METRICS = {"val": {"pearson_cosine": 0.49, "spearman_cosine": 0.5101}, "test": {"spearman_cosine": 0.5}}
WITH_BASE = {
    **METRICS,
    "search/val": {"cosine_mrr@10": 0.41, "cosine_ndcg@10": 0.38},
    "base/val": {"pearson_cosine": 0.3, "spearman_cosine": 0.3124},
    "base/test": {"spearman_cosine": 0.31},
    "base/search/val": {"cosine_mrr@10": 0.30, "cosine_ndcg@10": 0.27},
}
LIFTED = [("val", "spearman_cosine"), ("search/val", "cosine_mrr@10"), ("test", "spearman_cosine")]


def reproduced(train_samples: int = 47402, metrics=None) -> CardFacts:
    run = TrainedRun(
        variant="minilm_homedepot", mlflow_run_id=None, mlflow_uri="sqlite:///x.db", device="cpu",
        precision="fp32", global_step=8889, epoch=3.0, train_seconds=6000.0, resumed_from=None,
        train_samples=train_samples, eval_samples=None, processes=1, versions={"torch": "2.13.0"},
        tracking_failures=[], modules=["Transformer", "Pooling", "Normalize"], architecture="SentenceTransformer(...)",
        output_dim=384, max_seq_length=256, base_model="sentence-transformers/all-MiniLM-L6-v2",
    )  # fmt: skip
    args = {"per_device_train_batch_size": 16, "per_device_eval_batch_size": 16, "num_train_epochs": 3,
            "learning_rate": 5e-05, "use_cpu": True}  # fmt: skip
    emissions = {"emissions": 0.0125, "energy_consumed": 0.03, "duration": 4320.0, "cpu_model": "AMD EPYC"}
    metrics = metrics or METRICS
    columns = ["sentence_0", "sentence_1", "label"]
    view = OmegaConf.create({
        "data": {"train_columns": columns, "dev_name": "val", "shape": "scored_pairs", "eval_shape": "scored_pairs"},
        "train": {"loss": "CosineSimilarityLoss"}, "mine": {"enabled": False, "num_negatives": 1},
        "model": {"kind": "transformer"},
    })  # fmt: skip
    own = TrainingSet(None, "homedepot", view)
    return reproduced_facts(
        Record(run, LOG_HISTORY, args, emissions), metrics, [own], OmegaConf.create({"main_similarity": "cosine"})
    )


@pytest.fixture(scope="module")
def comparison(reference):
    return compare("minilm_homedepot", reference, reproduced(), 0.02, HEADLINE)


def test_metrics_pass_or_fail_against_the_tolerance(comparison):
    rows = {(r.dataset, r.metric): r for r in comparison.metrics}
    assert rows[("val", "spearman_cosine")].passed  # 0.5101 vs 0.5197
    assert not rows[("val", "pearson_cosine")].passed  # 0.49 vs 0.5271
    assert rows[("val", "pearson_cosine")].diff == pytest.approx(0.49 - 0.5271053959513253)
    assert comparison.summary.startswith("1 of 2 reference metrics reproduced within ±0.02; val spearman_cosine")
    assert comparison.passed == 1


def test_a_cards_search_evaluator_named_by_its_split_meets_the_runs_search_metrics():
    """A simpipe card names its search evaluator by the split (`val`), beside the similarity evaluator of
    that split; this run keys them `val` and `search/val`: every reference metric finds its value."""
    card = CardFacts(source="card", evaluators=[
        EvaluatorFacts(name="val", type="SimilarityEvaluator", metrics={"spearman_cosine": 0.51}),
        EvaluatorFacts(name="val", type="SearchEvaluator", metrics={"cosine_ndcg@10": 0.375}),
    ])  # fmt: skip
    rows = {(r.dataset, r.metric): r for r in compare("m", card, reproduced(metrics=WITH_BASE), 0.02, HEADLINE).metrics}
    assert rows[("val", "cosine_ndcg@10")].reproduced == 0.38 and rows[("val", "cosine_ndcg@10")].passed
    assert rows[("val", "spearman_cosine")].reproduced == 0.5101


def test_facts_and_hyperparameters_flag_differences(reference):
    facts = {r.name: r for r in compare("m", reference, reproduced(48), 0.02, HEADLINE).facts}
    assert facts["train_size"].differs and (facts["train_size"].reference, facts["train_size"].reproduced) == (
        47402,
        48,
    )
    assert not facts["modules"].differs and facts["modules"].reference == ["Transformer", "Pooling", "Normalize"]
    comparison = compare("m", reference, reproduced(), 0.02, HEADLINE)
    hyper = {r.name: r for r in comparison.hyperparameters}
    assert not hyper["per_device_train_batch_size"].differs  # '16' in the card, 16 here
    assert hyper["multi_dataset_batch_sampler"].differs  # round_robin vs sentence-transformers' default
    assert hyper["use_cpu"].differs
    env = {r.name: r for r in comparison.environment}
    assert env["emissions (g CO2eq)"].reference is None and env["emissions (g CO2eq)"].reproduced == 12.5
    assert env["hours_used (h)"].reproduced == 1.2


def test_training_logs_like_the_cards():
    rows = training_logs(LOG_HISTORY, "val", "spearman_cosine")
    assert rows[0] == {"Epoch": 0.0337, "Step": 100.0, "Training Loss": None, "val_spearman_cosine": 0.39}
    assert rows[1] == {"Epoch": 0.1687, "Step": 500.0, "Training Loss": 0.0637, "val_spearman_cosine": 0.45}
    assert len(rows) == 3


def test_the_comparison_is_written_once_and_read_back_unchanged(comparison, tmp_path):
    write_comparison(tmp_path, comparison)
    assert read_comparison(tmp_path) == comparison
    assert comparison.reproduced_curve == [(100.0, 0.39), (500.0, 0.45), (8200.0, 0.5101)]
    assert len(comparison.reference_curve) == 84 and comparison.curve_metric == "val_spearman_cosine"


def test_markdown_html_and_plot(comparison):
    png = plot_png(comparison)
    assert png.startswith(b"\x89PNG")
    md = to_markdown(comparison, "r", "curve.png")
    assert "| val | spearman_cosine | 0.5197 | 0.5101 | -0.0096 | pass |" in md
    assert "![val_spearman_cosine during training](curve.png)" in md
    page = to_html(comparison, "r", png)
    assert "data:image/png;base64," in page and "src='http" not in page and "<td class='FAIL'>FAIL</td>" in page


def test_without_a_reference_or_base_the_report_says_so():
    comparison = compare("minilm_sts", None, reproduced(), 0.02, HEADLINE)
    assert comparison.reference is None and comparison.metrics == [] and comparison.baseline == []
    assert comparison.summary == (
        "Nothing to compare with: no reference card (report.reference is null) and no pretrained base model."
    )
    md = to_markdown(comparison, "r", None)
    assert "Reference: `none`" in md and "## Metrics (tolerance" not in md and "Base model →" not in md
    assert reproduction_section(comparison, "reports/x/report.md") == f"## Reproduction\n\n{comparison.summary}\n"


def test_base_model_beside_the_fine_tuned_one_without_a_reference():
    comparison = compare("minilm_sts", None, reproduced(metrics=WITH_BASE), 0.02, HEADLINE, LIFTED)
    rows = {(r.dataset, r.metric): r for r in comparison.baseline}
    assert list(rows) == LIFTED
    assert not any(row.differs for row in comparison.facts + comparison.environment)  # nothing to differ from
    assert rows[("search/val", "cosine_mrr@10")].lift == pytest.approx(0.41 - 0.30)
    assert comparison.base_model == "sentence-transformers/all-MiniLM-L6-v2"
    assert comparison.summary == (
        "No reference card (report.reference is null). Base model sentence-transformers/all-MiniLM-L6-v2: "
        "val spearman_cosine 0.3124 → 0.5101 fine-tuned (+0.1977)."
    )
    md = to_markdown(comparison, "r", None)
    assert "## Base model → fine-tuned (sentence-transformers/all-MiniLM-L6-v2)" in md
    assert "| search/val | cosine_mrr@10 | 0.3000 | 0.4100 | +0.1100 |  |" in md
    section = reproduction_section(comparison, "reports/x/report.md")
    assert "| val | spearman_cosine | 0.3124 | 0.5101 | +0.1977 |" in section


def test_a_model_scored_as_built_names_no_base_model():
    """Static vectors (no pretrained base model): the baseline's rows, said of the model as built."""
    facts = replace(reproduced(metrics=WITH_BASE), base_model=None)
    comparison = compare("static_sts", None, facts, 0.02, HEADLINE, LIFTED)
    assert comparison.base_model is None and len(comparison.baseline) == 3
    assert comparison.summary.endswith("The model as built: val spearman_cosine 0.3124 → 0.5101 fine-tuned (+0.1977).")
    assert "## Base model → fine-tuned (the model as built)\n" in to_markdown(comparison, "r", None)
    assert "Before and after fine-tuning the model as built (same splits" in reproduction_section(comparison, "r.md")


def test_reference_and_base_both_in_the_summary(reference):
    comparison = compare("minilm_homedepot", reference, reproduced(metrics=WITH_BASE), 0.02, HEADLINE, LIFTED)
    assert comparison.summary.startswith("1 of 2 reference metrics reproduced within ±0.02;")
    assert comparison.summary.endswith("val spearman_cosine 0.3124 → 0.5101 fine-tuned (+0.1977).")
    assert comparison.metrics and len(comparison.baseline) == 3
    section = reproduction_section(comparison, "reports/x/report.md")
    assert section.index("| Reference |") < section.index("| Base | Fine-tuned | Lift |")
    assert compare("m", reference, reproduced(), 0.02, HEADLINE).summary.endswith(
        "No pretrained base model to compare with."
    )


def test_card_section_and_its_place(comparison):
    section = reproduction_section(comparison, "reports/x/report.md")
    assert (
        section.startswith("## Reproduction\n") and "| val | spearman_cosine | 0.5197 | 0.5101 | -0.0096 |" in section
    )
    assert "`reports/x/report.md`" in section and comparison.summary in section
    readme = "# M\n\n## Evaluation\nx\n\n## Training Details\ny\n"
    placed = insert_section(readme, section)
    assert placed.index("## Reproduction") < placed.index("## Training Details")
    assert insert_section("# M\n", section).endswith(section)


def test_a_rerankers_search_beside_its_retrievers():
    """`rerank/<split>`: the shown metrics of the retriever alone and reranked, in the summary and the report."""
    reranked = {"ndcg@10": 0.61, "mrr@10": 0.55, "map@100": 0.5, "recall@10": 0.7, "recall@100": 0.9}
    metrics = {**METRICS, "rerank/val": {**reranked, **{f"retriever_{k}": v - 0.05 for k, v in reranked.items()}}}
    comparison = compare("rr", None, reproduced(metrics=metrics), 0.02, HEADLINE, retriever="search")
    assert [(r.dataset, r.metric) for r in comparison.rerank] == [
        ("rerank/val", m) for m in ("ndcg@10", "mrr@10", "map@100", "recall@10")
    ]
    assert comparison.summary.endswith("Reranking search's candidates: rerank/val ndcg@10 0.5600 → 0.6100 (+0.0500).")
    assert "| rerank/val | mrr@10 | 0.5000 | 0.5500 | +0.0500 |  |" in to_markdown(comparison, "r", None)
    assert not compare("rr", None, reproduced(metrics=metrics), 0.02, HEADLINE).rerank  # no retriever: none
    fused = compare("rr", None, reproduced(metrics=metrics), 0.02, HEADLINE, retriever="search", fusion=0.7)
    assert "Reranking search's candidates, scores fused with reranker weight 0.7: rerank/val" in fused.summary
    assert "## Retriever → reranked (search, scores fused with reranker weight 0.7)" in to_markdown(fused, "r", None)


def test_the_measured_speed_is_stated_in_the_report_and_the_card(comparison, tmp_path):
    """speed.json's rate, machine and threads, under the summary; read back with the comparison."""
    speed = {"texts_per_s": 1234.5, "texts": 2000, "passes": 3, "batch_size": 64, "device": "cpu",
             "cpu": "Intel(R) Xeon(R) Processor", "torch_threads": 2, "date": "2026-12-05"}  # fmt: skip
    timed = replace(comparison, speed=speed)
    write_comparison(tmp_path, timed)
    assert read_comparison(tmp_path).speed == speed
    line = "Encodes 1,234 texts/s on Intel(R) Xeon(R) Processor (cpu, 2 torch threads, batch 64; measured 2026-12-05)."
    assert line in to_markdown(timed, "r", None) and line in reproduction_section(timed, "r.md")
    assert html.escape(line) in to_html(timed, "r", None)
    assert "Encodes" not in to_markdown(comparison, "r", None)
    reranker = {**{k: v for k, v in speed.items() if k != "texts_per_s"}, "pairs_per_s": 161.4}  # a cross-encoder
    assert "Scores 161 pairs/s on" in to_markdown(replace(comparison, speed=reranker), "r", None)
