"""The process topology of a run launched by `torchrun` / `accelerate launch` (DDP), read from
the environment they set; a plain `simpipe train` is one process of rank 0."""

from __future__ import annotations

import os

from simpipe.core.errors import ConfigError


def world_size() -> int:
    """Number of training processes (all nodes)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def is_main() -> bool:
    """Rank 0: the process that tracks the run and writes the stage's outputs."""
    return int(os.environ.get("RANK", "0")) == 0


def per_device_batch(global_batch: int, key: str) -> int:
    """Split a config's (global) batch size over the processes, so that a DDP run takes the same
    optimiser steps on the same batches as one process does."""
    n = world_size()
    if global_batch % n:
        raise ConfigError(
            f"{key}={global_batch} does not split over {n} processes; use a multiple of {n} "
            f"(it is the global batch: each process takes {key} / {n})"
        )
    return global_batch // n
