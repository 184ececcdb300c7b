"""Encoding throughput of a static model (static_homedepot_search's: all-MiniLM-L6-v2's token vectors
distilled, untrained: training does not change the cost) vs all-MiniLM-L6-v2 on the same 10,000 distinct Home
Depot texts (raw queries and titles of the train split, row by row), same torch threads, same batch size, in
fp32; each after a warm-up batch, alternating (static, MiniLM, MiniLM, static), the median of each."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import torch

from bench.common import table_section, variant_cfg
from simpipe.core.families import BI_ENCODER
from simpipe.core.paths import Layout
from simpipe.data.prepared import load_split
from simpipe.evaluation.speed import speed_items
from simpipe.modeling.model import build_model
from simpipe.stages import prepare

TEXTS = 10_000
BATCH = 256
ROUNDS = 2


def measure(work: Path) -> dict:
    cfg = variant_cfg(work, "static_homedepot_search")
    prepare.run(cfg)
    train = load_split(Layout.from_cfg(cfg).prepared(cfg.name), "train")
    texts = speed_items(train, train.column_names, BI_ENCODER)[:TEXTS]
    models = {"static": build_model(cfg.model, "cpu"),
              "all-MiniLM-L6-v2": build_model(variant_cfg(work, "minilm_homedepot_search").model, "cpu")}  # fmt: skip
    seconds: dict[str, list[float]] = {name: [] for name in models}
    order = [n for i in range(ROUNDS) for n in (list(models) if i % 2 == 0 else list(models)[::-1])]
    for name in order:
        model = models[name]
        model.encode(texts[:BATCH], batch_size=BATCH)  # warm-up
        started = time.perf_counter()
        model.encode(texts, batch_size=BATCH)
        seconds[name].append(time.perf_counter() - started)
    rates = {name: len(texts) / statistics.median(s) for name, s in seconds.items()}
    return {
        "texts": len(texts),
        "batch_size": BATCH,
        "threads": torch.get_num_threads(),
        "seconds": seconds,
        "texts_per_s": rates,
        "ratio": rates["static"] / rates["all-MiniLM-L6-v2"],
        "embedding_dim": cfg.model.embedding_dim,
    }


def targets(r: dict) -> list[tuple[str, str, str, bool]]:
    """(what, measured, target, met) rows of RESULTS.md's summary."""
    return [("encode texts/s, static vs all-MiniLM-L6-v2", f"{r['ratio']:.0f}x", ">= 100x", r["ratio"] >= 100)]


def section(r: dict) -> list[str]:
    """This case's part of RESULTS.md."""
    rows = [[name, f"{rate:,.0f}", f"{statistics.median(r['seconds'][name]):.2f} s"]
            for name, rate in r["texts_per_s"].items()]  # fmt: skip
    return [
        *table_section(
            r,
            "Encoding throughput: static embeddings vs all-MiniLM-L6-v2 (CPU)",
            ["model", "texts/s", f"{r['texts']:,} texts"],
            rows,
            f"**{r['ratio']:.0f}x**. The same {r['texts']:,} distinct Home Depot texts (raw queries and titles), "
            f"batch {r['batch_size']}, fp32, {r['threads']} torch threads; static: {r['embedding_dim']}-d vectors "
            f"distilled from all-MiniLM-L6-v2 (model2vec); median of {ROUNDS} alternating runs after a warm-up.",
        ),
        "",
    ]
