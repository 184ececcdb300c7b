"""Cost of the train stage's crash-safety checkpoints: seconds per save and the share of training time at
the default interval (MiniLM on Home Depot)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from transformers import TrainerCallback

from bench.common import homedepot_cfg, table_section
from simpipe.core.config import compose
from simpipe.core.paths import Layout
from simpipe.data.prepared import load_split, read_search
from simpipe.modeling.model import build_model
from simpipe.stages import prepare
from simpipe.tracking.tracker import Tracker
from simpipe.training.loop import train


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


def measure(work: Path, steps: int = 40, every: int = 10) -> dict:
    """Train MiniLM on the Home Depot data for `steps` steps with a checkpoint every `every` steps."""
    cfg = homedepot_cfg(
        work, f"train.max_steps={steps}", f"train.eval_steps={steps * 10}", f"checkpoint.every_steps={every}"
    )
    prepare.run(cfg)
    layout = Layout.from_cfg(cfg)
    clock = StepClock()
    model = build_model(cfg.model)
    prepared = layout.prepared(cfg.name)
    train_ds, dev_ds = load_split(prepared, "train"), load_split(prepared, "dev", 100)
    checkpoints = layout.checkpoints(cfg.name)
    train(cfg, model, train_ds, dev_ds, read_search(prepared), Tracker(cfg), checkpoints, "cpu", "fp32",
          callbacks=[clock])  # fmt: skip
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


def targets(r: dict) -> list[tuple[str, str, str, bool]]:
    """No target: a cost measured for the record."""
    return []


def section(r: dict) -> list[str]:
    """This case's part of RESULTS.md."""
    row = [f"{r['median_step_s']:.3f} s", f"{r['median_save_s']:.2f} s", f"{r['checkpoint_mb']:.0f} MB",
           f"every {r['default_every_steps']} steps", f"{100 * r['overhead_at_default']:.2f} %"]  # fmt: skip
    return [
        *table_section(
            r,
            "Checkpoint cost (train stage, MiniLM on Home Depot, CPU)",
            ["median step", "median save", "checkpoint size", "interval", "overhead"],
            [row],
            f"{r['saves']} saves of model, optimizer, scheduler and RNG states in {r['steps']} steps; "
            "overhead = save time / (interval x step time).",
        ),
        "",
    ]
