"""Training throughput (samples/s) of `simpipe train` (its defaults on this machine: bf16 on a CPU with
native bf16, the sparser CPU dev curve; MLflow, codecarbon, callbacks, checkpoints) vs bench/plain_st.py,
a plain fp32 sentence-transformers script with the same hyperparameters, data and dev evaluation as the
seeds; fresh processes, alternating (ABBA), MiniLM on Home Depot and GloVe on STS-b, the MiniLM reranker
(a CrossEncoder, BCE) on its mined labelled pairs."""

from __future__ import annotations

import logging
import statistics
import sys
from datetime import date
from pathlib import Path

from bench.common import HERE, conditions, pipeline_params, run_child, simpipe_cmd, table_section
from simpipe.artifacts.trained import LOG_HISTORY_FILE, RUN_FILE
from simpipe.core.config import compose
from simpipe.core.families import CROSS_ENCODER
from simpipe.core.io import read_json
from simpipe.core.paths import Layout
from simpipe.data.prepared import load_split, read_search, split_file
from simpipe.modeling.config import family_of
from simpipe.modeling.model import build_model, model_source

log = logging.getLogger("bench")

# GloVe: 1 epoch
TRAIN_STEPS = {"minilm_homedepot": 300, "glove_bilstm_sts": 180, "minilm_homedepot_search": 200,
               "minilm_homedepot_rerank": 200}  # fmt: skip


def plain_cmd(work: Path, variant: str, steps: int) -> list[str]:
    """bench/plain_st.py on `variant`'s prepared data: fp32, the dev curve every `train.eval_steps`
    (the seed's interval) on `train.eval_max_pairs` pairs, as a plain script would."""
    cfg = compose("run", [f"variant={variant}"])
    t, prepared, mined = cfg.train, Layout(work).prepared(variant), Layout(work).mined(variant)
    model = model_source(cfg.model) if cfg.model.get("package") is not None else None
    if model is None:  # a model built from modules (GloVe + BiLSTM): the script loads it saved
        model = str(work / "initial" / variant)
        build_model(cfg.model).save(model)
    return [
        sys.executable, str(HERE / "plain_st.py"), "--model", model,
        "--train", str(split_file(mined, "train")), "--output", str(work / "plain" / variant),
        "--result", str(work / "plain" / f"{variant}.json"), "--batch-size", str(t.batch_size),
        "--lr", str(t.learning_rate), "--warmup-ratio", str(t.warmup_ratio), "--epochs", str(t.epochs),
        "--max-steps", str(steps), "--logging-steps", "10", "--seed", str(t.seed),
        "--dev", str(split_file(prepared, "dev")), "--dev-name", cfg.data.dev_name,
        *(["--dev-pairs", str(t.eval_max_pairs)] if t.eval_max_pairs else []),
        "--eval-steps", str(t.eval_steps), "--eval-batch-size", str(t.eval_batch_size),
        *(["--search-min-label", str(read_search(prepared))] if cfg.data.shape == "pairs" else []),
        *(["--cross-encoder", "--max-length", str(cfg.model.max_length)] if family_of(cfg.model) == CROSS_ENCODER
          else ["--loss", t.loss]),
    ]  # fmt: skip


def measure(work: Path, rounds: int = 2, variants: list[str] | None = None) -> dict:
    """`simpipe train` (its defaults) vs the plain fp32 script, `rounds` times each in alternating
    order (ABBA...), per variant (`variants`: some of TRAIN_STEPS, default all) for `TRAIN_STEPS` steps."""
    chosen = {v: n for v, n in TRAIN_STEPS.items() if variants is None or v in variants}
    params = pipeline_params(
        work, *(f"variants.{v}.train.{k}" for v, n in chosen.items() for k in (f"max_steps={n}", "logging_steps=10"))
    )
    out = {}
    for variant, steps in chosen.items():
        run_child(simpipe_cmd("prepare", variant, params), work / "logs" / f"prepare-{variant}.log")
        mine_s = run_child(simpipe_cmd("mine", variant, params), work / "logs" / f"mine-{variant}.log")
        plain = plain_cmd(work, variant, steps)
        runs: dict[str, list[dict]] = {"simpipe": [], "plain": []}
        order = [n for i in range(rounds) for n in (("simpipe", "plain") if i % 2 == 0 else ("plain", "simpipe"))]
        for name in order:
            cmd = simpipe_cmd("train", variant, params) if name == "simpipe" else plain
            seconds = run_child(cmd, work / "logs" / f"{variant}-{name}-{len(runs[name])}.log")
            if name == "simpipe":
                metrics = read_json(Layout(work).trained(variant) / LOG_HISTORY_FILE)[-1]
                precision = read_json(Layout(work).trained(variant) / RUN_FILE)["precision"]
            else:
                metrics = read_json(work / "plain" / f"{variant}.json")
            runs[name].append({"samples_per_s": metrics["train_samples_per_second"], "wall_s": seconds})
            log.info("%s %s: %.2f samples/s, %.1f s wall", variant, name, metrics["train_samples_per_second"], seconds)
        speed = {name: statistics.median(r["samples_per_s"] for r in rs) for name, rs in runs.items()}
        wall = {name: statistics.median(r["wall_s"] for r in rs) for name, rs in runs.items()}
        cfg = compose("run", [f"variant={variant}"])
        out[variant] = {
            "date": date.today().isoformat(),
            "steps": steps,
            "batch_size": cfg.train.batch_size,
            "simpipe_precision": precision,
            "simpipe_eval_steps": cfg.train.cpu_eval_steps or cfg.train.eval_steps,
            "plain_eval_steps": cfg.train.eval_steps,
            "runs": runs,
            "simpipe_samples_per_s": speed["simpipe"],
            "plain_samples_per_s": speed["plain"],
            "ratio": speed["simpipe"] / speed["plain"],
            "simpipe_wall_s": wall["simpipe"],
            "plain_wall_s": wall["plain"],
        }
        if cfg.mine.enabled:  # mining vs the whole train stage: its train loop at the measured speed
            rows = len(load_split(Layout(work).mined(variant), "train"))
            out[variant]["mine_wall_s"] = mine_s
            out[variant]["train_full_s"] = cfg.train.epochs * rows / speed["simpipe"]
            out[variant]["mine_share"] = mine_s / out[variant]["train_full_s"]
    return {"rounds": rounds, "variants": out}


def targets(r: dict) -> list[tuple[str, str, str, bool]]:
    """(what, measured, target, met) rows of RESULTS.md's summary."""
    rows = []
    for variant, v in r["variants"].items():
        native = v.get("conditions", r)["machine"]["native_bf16"]
        target = 1.3 if native else 0.98
        rows.append((f"train stage samples/s vs plain fp32 script, {variant}", f"{v['ratio']:.2f}x",
                     f">= {target:g}x" + (" (native bf16)" if native else ""), v["ratio"] >= target))  # fmt: skip
        if "mine_share" in v:
            rows.append((f"mine stage vs train stage, {variant}", f"{v['mine_share']:.1%}", "<= 10 %",
                         v["mine_share"] <= 0.10))  # fmt: skip
    return rows


def section(r: dict) -> list[str]:
    """This case's part of RESULTS.md."""
    rows = [
        [f"{v} ({x['steps']} x {x['batch_size']})" + (f", {x['date']}" if "date" in x else ""),
         f"{x['simpipe_samples_per_s']:.2f} samples/s ({x['simpipe_precision']}, dev curve every "
         f"{x['simpipe_eval_steps']} steps)",
         f"{x['plain_samples_per_s']:.2f} samples/s (dev curve every {x['plain_eval_steps']} steps)",
         f"**{x['ratio']:.2f}x**", f"{x['simpipe_wall_s']:.0f} s / {x['plain_wall_s']:.0f} s"]
        for v, x in r["variants"].items()
    ]  # fmt: skip
    return table_section(
        r,
        "Train stage throughput vs a plain fp32 sentence-transformers script",
        [
            "variant (steps x batch)",
            "`simpipe train` (defaults)",
            "plain fp32 script",
            "ratio",
            "wall, simpipe / plain",
        ],
        rows,
        f"Samples/s of the Trainer's train loop (its evaluations included), median of {r['rounds']} fresh "
        "processes per side, alternating (simpipe, plain, plain, simpipe); simpipe with MLflow tracking "
        "(SQLite), codecarbon, its callbacks and checkpoints; the plain script is `bench/plain_st.py`. Both "
        "evaluate the same dev pairs at the end; the plain script also every `train.eval_steps` (the seeds' "
        "interval), simpipe every `train.cpu_eval_steps` on the CPU.",
        *(
            f"{v}: {conditions(x['conditions'])}. The other rows: see the conditions below."
            for v, x in r["variants"].items()
            if "conditions" in x
        ),
    )
