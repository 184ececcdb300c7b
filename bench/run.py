"""Benchmarks, each measured side by side in one run; writes bench/RESULTS.md and bench/results.json.

    python bench/run.py [case ...]        (make bench)

Cases (more to come, see issue 6):
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
    cfg = compose(
        "run",
        [
            "variant=minilm_homedepot",
            f"paths.root={work}",
            f"paths.raw={REPO_ROOT / 'data' / 'raw'}",
            "tracking.enabled=false",
            "tracking.codecarbon.enabled=false",
            f"train.max_steps={steps}",
            f"train.eval_steps={steps * 10}",
            f"checkpoint.every_steps={every}",
        ],
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


CASES = {"checkpoint": bench_checkpoint}


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
    if results.get("note"):
        lines += [f"Note: {results['note']}", ""]
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
        ]
    return "\n".join(lines)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="*", choices=[[], *CASES], default=list(CASES))
    parser.add_argument("--work", type=Path, default=REPO_ROOT / "runs" / "bench")
    parser.add_argument("--note", help="conditions of this run, printed in RESULTS.md (e.g. other load)")
    args = parser.parse_args()
    out = HERE / "results.json"
    results = json.loads(out.read_text()) if out.is_file() else {}
    results["machine"] = machine()
    results["note"] = args.note
    for case in args.cases or CASES:
        log.info("bench %s", case)
        results[case] = CASES[case](args.work / case)
    write_json(out, results)
    write_text(HERE / "RESULTS.md", render(results))


if __name__ == "__main__":
    main()
