"""Seeded train/val/test splits: random (as sklearn's train_test_split twice) or grouped by a key."""

from __future__ import annotations

import math

import numpy as np

from simpipe.core.errors import ConfigError


def sizes(n: int, test_fraction: float, val_fraction: float, source: str = "the data") -> tuple[int, int, int]:
    """(train, val, test) sizes: test = ceil(n*test), val = ceil(rest*val), as train_test_split twice;
    `source`: the file split (named in the error when a split would be empty).

    74,067 rows with 0.2/0.2 -> 47,402 / 11,851 / 14,814 (the seed card's 47,402).
    """
    test = math.ceil(n * test_fraction)
    val = math.ceil((n - test) * val_fraction)
    train = n - test - val
    if min(train, val, test) <= 0:
        empty = ", ".join(name for name, size in (("train", train), ("dev", val), ("test", test)) if size <= 0)
        raise ConfigError(
            f"{source}: {n} rows split by data.split (test_fraction={test_fraction}, val_fraction={val_fraction}) "
            f"into {train}/{val}/{test} leave {empty} empty; add rows, change the fractions, or give one file "
            "per split (data.files: {train: ..., dev: ..., test: ...})"
        )
    return train, val, test


def random_split(
    n: int, test_fraction: float, val_fraction: float, seed: int, source: str = "the data"
) -> dict[str, np.ndarray]:
    """Row indices of a shuffled split (each split in shuffled order) of `source`'s `n` rows."""
    n_train, n_val, _ = sizes(n, test_fraction, val_fraction, source)
    order = np.random.default_rng(seed).permutation(n)
    return {
        "train": order[:n_train],
        "dev": order[n_train : n_train + n_val],
        "test": order[n_train + n_val :],
    }


def grouped_split(
    groups: list[str], test_fraction: float, val_fraction: float, seed: int, source: str = "the data"
) -> dict[str, np.ndarray]:
    """Row indices of a split of `source` in which no group (e.g. search term) appears in two splits.

    Whole groups are dealt in shuffled order until each split reaches its target row count,
    so sizes come close to, not exactly at, those of `random_split`.
    """
    n = len(groups)
    _, n_val, n_test = sizes(n, test_fraction, val_fraction, source)
    rng = np.random.default_rng(seed)
    keys, inverse = np.unique(np.asarray(groups, dtype=object), return_inverse=True)
    counts = np.bincount(inverse, minlength=len(keys))
    assignment = np.empty(len(keys), dtype=np.int8)  # 0 train, 1 dev, 2 test
    filled = [0, 0, 0]
    for key in rng.permutation(len(keys)):
        target = 2 if filled[2] < n_test else 1 if filled[1] < n_val else 0
        assignment[key] = target
        filled[target] += counts[key]
    rows = assignment[inverse]
    out = {name: rng.permutation(np.flatnonzero(rows == i)) for i, name in enumerate(("train", "dev", "test"))}
    empty = [name for name, idx in out.items() if len(idx) == 0]
    if empty:
        raise ConfigError(
            f"{source}: the grouped split (data.split.grouped=true) leaves {', '.join(empty)} empty: too few "
            f"distinct queries ({len(keys)}); add rows or set data.split.grouped=false"
        )
    return out
