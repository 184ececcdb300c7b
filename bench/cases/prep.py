"""Home Depot text preparation of all 74,067 rows: simpipe (each distinct text and word once) vs a naive
per-row NLTK run of the same rules; outputs must be identical."""

from __future__ import annotations

import time
from pathlib import Path

from bench.common import homedepot_cfg, table_section
from simpipe.core.paths import Layout


def measure(work: Path) -> dict:
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


def targets(r: dict) -> list[tuple[str, str, str, bool]]:
    """(what, measured, target, met) rows of RESULTS.md's summary."""
    rows = []
    met = r["identical"] and r["speedup"] >= 20 and r["simpipe_s"] < 5
    rows.append(("prep vs naive per-row NLTK", f"{r['speedup']:.1f}x, {r['simpipe_s']:.2f} s, "
                 f"identical {r['identical']}", "identical, >= 20x, < 5 s", met))  # fmt: skip
    return rows


def section(r: dict) -> list[str]:
    """This case's part of RESULTS.md."""
    return table_section(
        r,
        f"Home Depot text preparation ({r['rows']:,} rows, queries and titles)",
        ["simpipe", "naive per-row NLTK", "speed-up", "identical output"],
        [[f"{r['simpipe_s']:.2f} s", f"{r['naive_s']:.1f} s", f"{r['speedup']:.0f}x", str(r["identical"])]],
    )
