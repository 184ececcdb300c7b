"""Final metrics of a full GloVe run and a 1-epoch Home Depot run in fp32 with the dev curve every
`train.eval_steps` (the settings before the fast path) and with the defaults, and the dev curve's share of
each train stage."""

from __future__ import annotations

import logging
from pathlib import Path

import torch

from bench.common import pipeline_params, run_child, simpipe_cmd, table_section
from simpipe.artifacts.metrics import METRICS_FILE, headline
from simpipe.artifacts.trained import LOG_HISTORY_FILE, RUN_FILE
from simpipe.core.config import compose
from simpipe.core.io import read_json, write_json
from simpipe.core.paths import Layout
from simpipe.modeling.config import family_of

log = logging.getLogger("bench")

QUALITY = {"glove_bilstm_sts": [], "minilm_homedepot": ["train.epochs=1"]}

# the settings compared: before the fast path (fp32, the dev curve every eval_steps) and the defaults
SETTINGS = {"fp32": ["train.precision=fp32", "train.cpu_eval_steps=null"], "default": []}


def curve_share(log_history: list[dict]) -> tuple[float, int]:
    """(share of the training loop spent on dev evaluations, number of evaluations)."""
    evals = [e["eval_runtime"] for e in log_history if "eval_runtime" in e]
    return sum(evals) / log_history[-1]["train_runtime"], len(evals)


def measure(work: Path) -> dict:
    """Each variant of QUALITY in each of SETTINGS: train + evaluate as `simpipe` processes, one after
    the other; final dev/test Spearman from metrics.json."""
    out: dict[str, dict] = {}
    for variant, overrides in QUALITY.items():
        cfg = compose("run", [f"variant={variant}"])
        split, metric = headline(cfg.data, cfg.eval, family_of(cfg.model))
        for setting, changes in SETTINGS.items():
            root = work / setting
            done = root / f"quality-{variant}.json"  # a long case goes on where it stopped
            if done.is_file():
                out.setdefault(variant, {})[setting] = read_json(done)
                log.info("%s %s: measured before, %s", variant, setting, done)
                continue
            params = pipeline_params(root, *(f"variants.{variant}.{o}" for o in (*overrides, *changes)))
            run_child(simpipe_cmd("prepare", variant, params), root / "logs" / f"prepare-{variant}.log")
            wall = run_child(simpipe_cmd("train", variant, params), root / "logs" / f"train-{variant}.log")
            run_child(simpipe_cmd("evaluate", variant, params), root / "logs" / f"evaluate-{variant}.log")
            history = read_json(Layout(root).trained(variant) / LOG_HISTORY_FILE)
            metrics = read_json(Layout(root).metrics(variant) / METRICS_FILE)
            share, evals = curve_share(history)
            out.setdefault(variant, {})[setting] = {
                "precision": read_json(Layout(root).trained(variant) / RUN_FILE)["precision"],
                "steps": history[-1]["step"],
                "dev": metrics[split][metric],
                "test": metrics[cfg.data.test_name][metric],
                "train_runtime_s": history[-1]["train_runtime"],
                "train_wall_s": wall,
                "curve_share": share,
                "curve_evaluations": evals,
                "torch_threads": torch.get_num_threads(),
            }
            write_json(done, out[variant][setting])
            log.info("%s %s: %s", variant, setting, out[variant][setting])
    return {"variants": out}


def targets(r: dict) -> list[tuple[str, str, str, bool]]:
    """(what, measured, target, met) rows of RESULTS.md's summary."""
    rows = []
    for variant, v in r["variants"].items():
        diff = v["default"]["dev"] - v["fp32"]["dev"]
        rows.append((f"final dev Spearman, defaults - fp32, {variant}", f"{diff:+.4f}", "within 0.005",
                     abs(diff) <= 0.005))  # fmt: skip
    return rows


def section(r: dict) -> list[str]:
    """This case's part of RESULTS.md."""
    rows = [
        [v, name, x["precision"], str(x["steps"]), f"{x['dev']:.4f}", f"{x['test']:.4f}",
         f"{x['train_runtime_s']:.0f} s ({x['torch_threads']})",
         f"{x['curve_evaluations']}, {100 * x['curve_share']:.1f} %"]
        for v, settings in r["variants"].items()
        for name, x in settings.items()
    ]  # fmt: skip
    return table_section(
        r,
        "Final metrics and dev-curve cost per setting (full GloVe run, 1-epoch Home Depot run)",
        ["variant", "setting", "precision", "steps", "dev Spearman", "test Spearman", "train loop (torch threads)",
         "dev curve: evaluations, share of the train loop"],
        rows,
        "fp32: `train.precision=fp32`, the dev curve every `train.eval_steps` (simpipe before the fast path); "
        "default: `train.precision=auto` and `train.cpu_eval_steps`. Final metrics: the evaluate stage, fp32 "
        "on the full splits. One run per setting; a case stopped midway goes on where it stopped "
        "(`<work>/<setting>/quality-<variant>.json`), so the train-loop times of a table may come from "
        "different loads and thread counts: compare speed in the table above.",
    )  # fmt: skip
