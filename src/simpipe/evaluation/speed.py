"""How fast a trained model encodes on this machine (`metrics/<variant>/speed.json`, evaluate stage): texts per
second of a bi-encoder, (query, document) pairs per second of a cross-encoder, with the CPU model, device
and torch threads it was measured with. Kept out of metrics.json, whose values a rerun reproduces exactly:
a speed is a fact of the machine as much as of the model."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date

import torch
from sentence_transformers.base.model import BaseModel

from simpipe.core.families import CROSS_ENCODER
from simpipe.modeling.hardware import cpu_model

# texts (pairs) timed: the split's first distinct ones; repeated until MIN_SECONDS have passed (a static
# model encodes a thousand texts in milliseconds)
MAX_ITEMS = 2000
MIN_SECONDS = 2.0


def measure_speed(model: BaseModel, items: Sequence, family: str, batch_size: int, device: str) -> dict:
    """Texts (a cross-encoder: pairs) per second `model` encodes (scores) at `batch_size` in fp32: the first
    MAX_ITEMS of `items` after one warm-up batch, again until MIN_SECONDS have passed."""
    items = list(items)[:MAX_ITEMS]
    run = (lambda batch: model.predict(batch, batch_size=batch_size)) if family == CROSS_ENCODER else (
        lambda batch: model.encode(batch, batch_size=batch_size))  # fmt: skip
    run(items[:batch_size])  # warm-up: first-call allocations and kernel choices
    passes, started = 0, time.perf_counter()
    while passes == 0 or time.perf_counter() - started < MIN_SECONDS:
        run(items)
        passes += 1
    seconds = time.perf_counter() - started
    unit = "pairs" if family == CROSS_ENCODER else "texts"
    return {
        f"{unit}_per_s": passes * len(items) / seconds,
        unit: len(items),
        "passes": passes,
        "batch_size": batch_size,
        "device": device,
        "cpu": cpu_model(),
        "torch_threads": torch.get_num_threads(),
        "date": date.today().isoformat(),
    }


def speed_items(rows, columns: Sequence[str], family: str) -> list:
    """What the speed is measured on, from a split's `rows` (`columns`: its columns, texts first): its
    distinct texts row by row, in order of appearance; a cross-encoder's distinct (first, second) pairs."""
    if family == CROSS_ENCODER:
        return list(dict.fromkeys(zip(rows[columns[0]], rows[columns[1]], strict=True)))
    values = zip(*(rows[column] for column in columns), strict=True)
    return list(dict.fromkeys(text for row in values for text in row if isinstance(text, str)))
