"""The benchmark runner's own logic (the measurements run with `make bench`)."""

import json

import pytest
import yaml
from bench import common
from bench.cases import dvc, quality
from bench.render import render, summary

from simpipe.core.config import REPO_ROOT


def test_ran_stages_reads_dvc_output():
    out = "Running stage 'card@glove_bilstm_sts':\n> simpipe card\nStage 'x' didn't change, skipping\n"
    assert dvc.ran_stages(out + "Running stage 'report@glove_bilstm_sts':\n") == [
        "card@glove_bilstm_sts",
        "report@glove_bilstm_sts",
    ]


def test_summary_marks_missed_targets():
    results = {
        "train": {
            "machine": {"native_bf16": True},
            "variants": {"minilm_homedepot": {"ratio": 1.29}, "glove_bilstm_sts": {"ratio": 1.8}},
        },
        "quality": {"variants": {"glove_bilstm_sts": {"fp32": {"dev": 0.70}, "default": {"dev": 0.6940}}}},
        "dvc": {"noop_s": 2.0, "card_change_ran": ["card@a", "report@a"]},
        "rss": {"stages": {"prepare@a": {"peak_rss_gib": 0.3}, "train@a": {"peak_rss_gib": 1.5}}},
    }
    rows = "\n".join(summary(results))
    assert (
        "| train stage samples/s vs plain fp32 script, minilm_homedepot | 1.29x | >= 1.3x (native bf16) | **no** |"
        in rows
    )
    assert (
        "| train stage samples/s vs plain fp32 script, glove_bilstm_sts | 1.80x | >= 1.3x (native bf16) | yes |" in rows
    )
    assert "| final dev Spearman, defaults - fp32, glove_bilstm_sts | -0.0060 | within 0.005 | **no** |" in rows
    assert "| `dvc repro`, nothing changed | 2.0 s | < 5 s | yes |" in rows
    assert (
        "| stages re-run after a card-only change | card, report | card only | **no** |" in rows
    )  # dvc.yaml: none after card
    assert "| peak RSS, train | 1.50 GiB | < 4 GiB | yes |" in rows


def test_pipeline_params_roots_everything_in_the_work_dir(tmp_path):
    params = yaml.safe_load(common.pipeline_params(tmp_path, "variants.minilm_homedepot.train.max_steps=7").read_text())
    assert params["paths"]["root"] == str(tmp_path)
    assert params["tracking"]["uri"] == f"sqlite:///{tmp_path / 'mlflow.db'}"
    assert params["variants"]["minilm_homedepot"]["train"]["max_steps"] == 7


def test_peak_rss_comes_from_the_stage_log(tmp_path):
    log = tmp_path / "train.log"
    log.write_text("x\n2026-11-25 simpipe INFO stage train@a done in 3.0 s, peak RSS 1.37 GiB\n")
    assert common.logged_peak_rss(log) == 1.37
    log.write_text("Traceback ...\n")
    with pytest.raises(RuntimeError, match="no 'peak RSS' line"):
        common.logged_peak_rss(log)


def test_curve_share_sums_the_evaluations_of_the_train_loop():
    history = [{"eval_runtime": 3.0, "step": 10}, {"loss": 0.1, "step": 10}, {"eval_runtime": 2.0, "step": 20},
               {"train_runtime": 50.0, "step": 20}]  # fmt: skip
    assert quality.curve_share(history) == (0.1, 2)


def test_the_machine_line_names_the_cpu_and_its_bf16_units():
    m = {"cpu": "AMD EPYC", "cores": 2, "torch_threads": 2, "platform": "Linux", "torch": "2.13.0",
         "native_bf16": True, "flags": ["avx2", "avx512_bf16", "avx512f", "sse2"]}  # fmt: skip
    line = common.describe(m)
    assert line.startswith("AMD EPYC, 2 cores (2 torch threads)")
    assert "flags: avx2 avx512f avx512_bf16; native bf16 (avx512_bf16)" in line


def test_a_stopped_quality_case_goes_on_where_it_stopped(tmp_path, monkeypatch):
    """Settings measured before (their result files) are read back, not re-run."""
    monkeypatch.setattr(quality, "QUALITY", {"glove_bilstm_sts": []})
    for setting in quality.SETTINGS:
        (tmp_path / setting).mkdir()
        (tmp_path / setting / "quality-glove_bilstm_sts.json").write_text(f'{{"dev": 0.7, "setting": "{setting}"}}')
    monkeypatch.setattr(quality, "run_child", lambda *a: pytest.fail("re-ran a measured setting"))
    result = quality.measure(tmp_path)["variants"]["glove_bilstm_sts"]
    assert {name: r["setting"] for name, r in result.items()} == {"fp32": "fp32", "default": "default"}


def test_no_stage_depends_on_the_card_so_a_card_change_reruns_card_only():
    assert dvc.after_card() == []


def test_results_md_is_rendered_from_results_json_alone():
    """No hand-written claim in RESULTS.md: it is what the renderer makes of results.json (and dvc.yaml)."""
    results = json.loads((REPO_ROOT / "bench" / "results.json").read_text())
    assert (REPO_ROOT / "bench" / "RESULTS.md").read_text() == render(results)
