"""Benchmarks, each measured side by side in one run; writes bench/RESULTS.md and bench/results.json.

    python bench/run.py [case ...]        (make bench)

Cases (more to come, see issue 6):
  prep         Home Depot text preparation of all 74,067 rows: simpipe (each distinct text and word
               once) vs a naive per-row NLTK run of the same rules; outputs must be identical.
  eval         Home Depot val set (11,851 pairs): simpipe's evaluator (each distinct text encoded once)
               vs sentence-transformers' EmbeddingSimilarityEvaluator; metrics must agree to 1e-6.
  checkpoint   cost of the train stage's crash-safety checkpoints: seconds per save and the
               share of training time at the default interval (MiniLM on Home Depot).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import time
from pathlib import Path

import torch
from transformers import TrainerCallback

from simpipe.config import REPO_ROOT, compose
from simpipe.data import load_split
from simpipe.io import write_json, write_text
from simpipe.modeling import build_model
from simpipe.paths import Layout
from simpipe.stages import prepare
from simpipe.tracking import Tracker
from simpipe.training import train

log = logging.getLogger("bench")
HERE = Path(__file__).resolve().parent


class StepClock(TrainerCallback):
    """Wall time of each optimizer step, and of each checkpoint save (from step end to `on_save`)."""

    def __init__(self) -> None:
        self.steps: list[float] = []
        self.saves: list[float] = []
        self._last = 0.0

    def on_step_begin(self, args, state, control, **kwargs):
        self._begin = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        self._last = time.perf_counter()
        self.steps.append(self._last - self._begin)

    def on_save(self, args, state, control, **kwargs):
        self.saves.append(time.perf_counter() - self._last)


def bench_checkpoint(work: Path, steps: int = 40, every: int = 10) -> dict:
    """Train MiniLM on the Home Depot data for `steps` steps with a checkpoint every `every` steps."""
    cfg = homedepot_cfg(
        work, f"train.max_steps={steps}", f"train.eval_steps={steps * 10}", f"checkpoint.every_steps={every}"
    )
    prepare.run(cfg)
    layout = Layout.from_cfg(cfg)
    clock = StepClock()
    model = build_model(cfg.model)
    train_ds = load_split(layout.prepared(cfg.name), "train")
    dev_ds = load_split(layout.prepared(cfg.name), "dev", 100)
    checkpoints = layout.checkpoints(cfg.name)
    train(cfg, model, train_ds, dev_ds, Tracker(cfg), checkpoints, "cpu", "fp32", callbacks=[clock])
    size = sum(f.stat().st_size for f in checkpoints.rglob("*") if f.is_file())
    step_s = statistics.median(clock.steps)
    save_s = statistics.median(clock.saves)
    default_every = compose("run").checkpoint.every_steps
    return {
        "steps": steps,
        "saves": len(clock.saves),
        "median_step_s": step_s,
        "median_save_s": save_s,
        "checkpoint_mb": size / 2**20,
        "default_every_steps": default_every,
        "overhead_at_default": save_s / (default_every * step_s),
    }


def homedepot_cfg(work: Path, *overrides: str):
    return compose(
        "run",
        [
            "variant=minilm_homedepot",
            f"paths.root={work}",
            f"paths.raw={REPO_ROOT / 'data' / 'raw'}",
            "tracking.enabled=false",
            "tracking.codecarbon.enabled=false",
            *overrides,
        ],
    )


def bench_prep(work: Path) -> dict:
    """simpipe.data.homedepot.prepare_texts vs per-row augment() with uncached NLTK stemming."""
    from unittest import mock

    from simpipe import text
    from simpipe.data.homedepot import TRAIN_COLUMNS, locate, prepare_texts, read_csv

    raw = Layout.from_cfg(homedepot_cfg(work)).raw("home-depot")
    frame = read_csv(locate(raw, "train.csv"), "train.csv", TRAIN_COLUMNS)
    text.stem.cache_clear()
    text.tag_value.cache_clear()
    started = time.perf_counter()
    fast = prepare_texts(frame, None)
    fast_s = time.perf_counter() - started
    with (
        mock.patch.object(text, "stem", text.stem.__wrapped__),
        mock.patch.object(text, "tag_value", text.tag_value.__wrapped__),
    ):
        started = time.perf_counter()
        naive = ([text.augment(q) for q in frame["search_term"]], [text.augment(t) for t in frame["product_title"]])
        naive_s = time.perf_counter() - started
    return {
        "rows": len(frame),
        "simpipe_s": fast_s,
        "naive_s": naive_s,
        "speedup": naive_s / fast_s,
        "identical": fast[0] == naive[0] and fast[1] == naive[1],
    }


def bench_eval(work: Path) -> dict:
    """The same model and val pairs through both evaluators, one after the other."""
    from sentence_transformers.sentence_transformer.evaluation import EmbeddingSimilarityEvaluator

    from simpipe.evaluation import build_evaluator

    cfg = homedepot_cfg(work)
    prepare.run(cfg)
    val = load_split(Layout.from_cfg(cfg).prepared(cfg.name), "dev")
    model = build_model(cfg.model)
    ours = build_evaluator(val, "val", cfg)
    theirs = EmbeddingSimilarityEvaluator(
        sentences1=ours.sentences1,
        sentences2=ours.sentences2,
        scores=ours.scores,
        batch_size=ours.batch_size,
        main_similarity=ours.main_similarity,
        similarity_fn_names=ours.similarity_fn_names,
        name="val",
        write_csv=False,
    )
    timings, results = {}, {}
    for label, evaluator in (("simpipe", ours), ("sentence_transformers", theirs)):
        started = time.perf_counter()
        results[label] = evaluator(model)
        timings[label] = time.perf_counter() - started
    diff = max(abs(results["simpipe"][k] - results["sentence_transformers"][k]) for k in results["simpipe"])
    return {
        "pairs": len(val),
        "distinct_texts": len(set(ours.sentences1) | set(ours.sentences2)),
        "simpipe_s": timings["simpipe"],
        "sentence_transformers_s": timings["sentence_transformers"],
        "speedup": timings["sentence_transformers"] / timings["simpipe"],
        "max_metric_diff": diff,
    }


CASES = {"prep": bench_prep, "eval": bench_eval, "checkpoint": bench_checkpoint}


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.machine(),
    )
    return f"{cpu}, {os.cpu_count()} cores, {platform.platform()}, torch {torch.__version__}"


def render(results: dict) -> str:
    lines = ["# simpipe benchmarks", "", f"Machine: {results['machine']}", ""]
    if "prep" in results:
        r = results["prep"]
        lines += [
            f"## Home Depot text preparation ({r['rows']:,} rows, queries and titles)",
            "",
            "| simpipe | naive per-row NLTK | speed-up | identical output |",
            "|---|---|---|---|",
            f"| {r['simpipe_s']:.2f} s | {r['naive_s']:.1f} s | {r['speedup']:.0f}x | {r['identical']} |",
            "",
            *noted(r),
        ]
    if "eval" in results:
        r = results["eval"]
        lines += [
            f"## Evaluation, Home Depot val ({r['pairs']:,} pairs, {r['distinct_texts']:,} distinct texts)",
            "",
            "| simpipe | EmbeddingSimilarityEvaluator | speed-up | max metric difference |",
            "|---|---|---|---|",
            f"| {r['simpipe_s']:.1f} s | {r['sentence_transformers_s']:.1f} s | {r['speedup']:.2f}x "
            f"| {r['max_metric_diff']:.1e} |",
            "",
            *noted(r),
        ]
    if "checkpoint" in results:
        r = results["checkpoint"]
        lines += [
            "## Checkpoint cost (train stage, MiniLM on Home Depot, CPU)",
            "",
            "| median step | median save | checkpoint size | interval | overhead |",
            "|---|---|---|---|---|",
            f"| {r['median_step_s']:.3f} s | {r['median_save_s']:.2f} s | {r['checkpoint_mb']:.0f} MB "
            f"| every {r['default_every_steps']} steps | {100 * r['overhead_at_default']:.2f} % |",
            "",
            f"{r['saves']} saves of model, optimizer, scheduler and RNG states in {r['steps']} steps; "
            "overhead = save time / (interval x step time).",
            "",
            *noted(r),
            "",
        ]
    return "\n".join(lines)


def noted(r: dict) -> list[str]:
    return [f"Conditions: {r['note']}", ""] if r.get("note") else []


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="*", help=f"any of {', '.join(CASES)} (default: all)")
    parser.add_argument("--work", type=Path, default=REPO_ROOT / "runs" / "bench")
    parser.add_argument("--note", help="conditions of this run, printed in RESULTS.md (e.g. other load)")
    args = parser.parse_args()
    unknown = sorted(set(args.cases) - set(CASES))
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(CASES)}")
    out = HERE / "results.json"
    results = json.loads(out.read_text()) if out.is_file() else {}
    results["machine"] = machine()
    for case in args.cases or CASES:
        log.info("bench %s", case)
        results[case] = {**CASES[case](args.work / case), "note": args.note}
    write_json(out, results)
    write_text(HERE / "RESULTS.md", render(results))


if __name__ == "__main__":
    main()
