"""The benchmark runner's own logic (the measurements run with `make bench`)."""

import importlib.util

import pytest
import yaml

from simpipe.config import REPO_ROOT

_spec = importlib.util.spec_from_file_location("simpipe_bench", REPO_ROOT / "bench" / "run.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_ran_stages_reads_dvc_output():
    out = "Running stage 'card@glove_bilstm_sts':\n> simpipe card\nStage 'x' didn't change, skipping\n"
    assert bench.ran_stages(out + "Running stage 'report@glove_bilstm_sts':\n") == [
        "card@glove_bilstm_sts",
        "report@glove_bilstm_sts",
    ]


def test_summary_marks_missed_targets():
    results = {
        "train": {"ratio": 0.97},
        "dvc": {"noop_s": 2.0, "card_change_ran": ["card@a", "report@a"]},
        "rss": {"stages": {"prepare@a": {"peak_rss_gib": 0.3}, "train@a": {"peak_rss_gib": 1.5}}},
    }
    rows = "\n".join(bench.summary(results))
    assert "| training samples/s vs plain script | 0.970 | >= 0.98 | **no** |" in rows
    assert "| `dvc repro`, nothing changed | 2.0 s | < 5 s | yes |" in rows
    assert "| stages re-run after a card-only change | card, report | card only | **no** |" in rows
    assert "| peak RSS, train | 1.50 GiB | < 4 GiB | yes |" in rows


def test_pipeline_params_roots_everything_in_the_work_dir(tmp_path):
    params = yaml.safe_load(bench.pipeline_params(tmp_path, "variants.minilm_homedepot.train.max_steps=7").read_text())
    assert params["paths"]["root"] == str(tmp_path)
    assert params["tracking"]["uri"] == f"sqlite:///{tmp_path / 'mlflow.db'}"
    assert params["variants"]["minilm_homedepot"]["train"]["max_steps"] == 7


def test_peak_rss_comes_from_the_stage_log(tmp_path):
    log = tmp_path / "train.log"
    log.write_text("x\n2026-11-25 simpipe INFO stage train@a done in 3.0 s, peak RSS 1.37 GiB\n")
    assert bench.logged_peak_rss(log) == 1.37
    log.write_text("Traceback ...\n")
    with pytest.raises(RuntimeError, match="no 'peak RSS' line"):
        bench.logged_peak_rss(log)
