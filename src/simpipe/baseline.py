"""The base model as a baseline: the pretrained model a variant fine-tunes, scored before fine-tuning.

Stage `baseline` writes its metrics to `metrics/<variant>/base/metrics.json` (cached by DVC on the
model, eval and data settings only, so a training change never re-scores it); the evaluate stage
adds them to metrics.json under `base/<key>` beside the fine-tuned model's, and the comparison
stage computes the lift.
"""

from __future__ import annotations

from pathlib import Path

from simpipe.record import Metrics

# metrics.json / MLflow namespace of the base model's metrics, and their directory under metrics/<variant>/
BASE = "base"


def base_dir(metrics_dir: Path) -> Path:
    """Where the baseline stage writes the base model's metrics.json."""
    return Path(metrics_dir) / BASE


def with_base(metrics: Metrics, base: Metrics) -> Metrics:
    """The fine-tuned model's metrics plus the base model's, each key under `base/`."""
    return {**metrics, **{f"{BASE}/{key}": values for key, values in base.items()}}


def base_of(metrics: Metrics, key: str) -> dict[str, float]:
    """The base model's metrics of `key` (e.g. `val`) in a metrics.json written by the evaluate stage."""
    return metrics.get(f"{BASE}/{key}", {})
