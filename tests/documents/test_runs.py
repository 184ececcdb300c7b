"""Run comparison from an MLflow store: which params differ, the table, the best run, the report files."""

import subprocess
import sys

import pytest
from omegaconf import OmegaConf

from simpipe.core.errors import SimpipeError
from simpipe.documents.runs import RunRow, best, changed_params, find_runs, table, text_table, write_report
from simpipe.tracking.tracker import Tracker


def row(name, variant="v", headline=None, **params) -> RunRow:
    metrics = {} if headline is None else {"headline": headline, "sts-dev/spearman_cosine": headline}
    return RunRow(
        name, name, "FINISHED", {"data.dev_name": "sts-dev", **params}, metrics, {"variant": variant}, 0, 90_000
    )


def test_changed_params_are_the_ones_that_differ():
    rows = [row("a", **{"train.lr": "1", "train.bs": "8"}), row("b", **{"train.lr": "2", "train.bs": "8"})]
    assert changed_params(rows) == ["train.lr"]


def test_across_variants_only_training_params_count():
    rows = [
        row("a", "x", **{"data.name": "stsb", "train.lr": "1"}),
        row("b", "y", **{"data.name": "hd", "train.lr": "2"}),
    ]
    assert changed_params(rows) == ["train.lr"]


def test_a_multi_dataset_run_shows_every_set_and_its_headline():
    """A run of minilm_multitask's shape (params as the train stage logs them): its sets and the other set's
    headline metric beside the run's own."""
    more = "train.datasets.homedepot"
    params = {"data.name": "stsb", f"{more}.loss": "MultipleNegativesRankingLoss", f"{more}.data.shape": "pairs",
              f"{more}.data.dev_name": "val"}  # fmt: skip
    multi = row("m", "minilm_multitask", headline=0.89, **params)
    multi.metrics["search/val/cosine_ndcg@10"] = 0.5543
    header, cells = table([multi, row("s", "minilm_sts", headline=0.8948, **{"data.name": "stsb"})])
    assert "train.datasets.homedepot.loss" not in header  # sets are a column, not a changed param
    assert cells[0][header.index("data sets")] == "stsb + homedepot" and cells[1][header.index("data sets")] == "stsb"
    assert cells[0][header.index("other sets' headline")] == "homedepot search/val/cosine_ndcg@10 0.5543"


def test_table_best_and_text_layout():
    rows = [row("a", headline=0.5, **{"train.lr": "1"}), row("b", headline=0.7, **{"train.lr": "2"}), row("c")]
    header, cells = table(rows)
    assert header[:4] == ["run", "variant", "status", "train.lr"]
    assert cells[1][header.index("headline")] == "0.7000" and cells[2][header.index("headline")] == "–"
    assert cells[0][header.index("min")] == "1.5"
    assert best(rows).name == "b" and best([row("c")]) is None
    lines = text_table(header, cells).splitlines()
    assert len(lines) == 5 and set(lines[1]) <= {"-", " "}
    assert lines[2].index("0.5000") == lines[3].index("0.7000")  # aligned columns


def test_write_report_without_curves_skips_the_chart(tmp_path):
    written = write_report([row("a", headline=0.5)], tmp_path, "t")
    assert [p.name for p in written] == ["runs.md", "runs.html"]
    assert "| a | v | FINISHED |" in (tmp_path / "runs.md").read_text()


def test_find_runs_reads_params_metrics_and_curves(run_cfg):
    cfg = run_cfg("glove_bilstm_sts")
    for lr, values in (("0.1", [0.2, 0.4]), ("0.2", [0.3, 0.6])):
        tracker = Tracker(cfg)
        with tracker.run(run_name=f"lr{lr}", tags={"variant": "glove_bilstm_sts"}):
            tracker.log_params({"train.learning_rate": lr, "data.dev_name": "sts-dev"})
            for step, value in enumerate(values):
                tracker.log_metrics({"sts-dev/spearman_cosine": value}, step=step * 10)
            tracker.log_metrics({"headline": values[-1]})
    rows = find_runs(tracker.uri, "simpipe")
    assert [r.name for r in rows] == ["lr0.2", "lr0.1"]
    assert rows[0].curve == [(0, 0.3), (10, 0.6)] and best(rows).name == "lr0.2"
    assert find_runs(tracker.uri, "simpipe", variant="other") == []
    with pytest.raises(SimpipeError, match="no MLflow experiment 'nope'"):
        find_runs(tracker.uri, "nope")


def test_runs_command_prints_the_table_and_writes_the_report(tmp_path, run_cfg):
    cfg = run_cfg("glove_bilstm_sts")
    tracker = Tracker(cfg)
    with tracker.run(run_name="r1", tags={"variant": "glove_bilstm_sts"}):
        tracker.log_params({"data.dev_name": "sts-dev"})
        tracker.log_metrics({"headline": 0.61, "sts-dev/spearman_cosine": 0.61}, step=5)
    params = tmp_path / "params.yaml"
    params.write_text(OmegaConf.to_yaml({**OmegaConf.to_container(cfg), "variants": {}}))
    args = [sys.executable, "-m", "simpipe", "runs", "--params", str(params), "--output", str(tmp_path / "cmp")]
    result = subprocess.run(args, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "r1" in result.stdout and "0.6100" in result.stdout
    assert (tmp_path / "cmp" / "runs.png").is_file()
    result = subprocess.run([*args, "--variant", "none"], capture_output=True, text=True)
    assert result.returncode == 2 and "error: no training runs in experiment 'simpipe'" in result.stderr
