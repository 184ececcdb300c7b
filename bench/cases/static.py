"""Encoding throughput of a static model (static_homedepot_search's: all-MiniLM-L6-v2's token vectors
distilled, untrained: training does not change the cost) vs all-MiniLM-L6-v2 on the same 10,000 distinct Home
Depot texts (raw queries and titles of the train split, row by row), same torch threads, in fp32, at each batch
size of BATCHES: a static model's cost is its tokenizer's, which a larger batch spreads, while the transformer's
is compute. Each after a warm-up batch, alternating (static, MiniLM, MiniLM, static), the median of each; the
ratio compares each model at its fastest batch size."""

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
BATCHES = (256, 1024, 4096)
ROUNDS = 2


def measure(work: Path) -> dict:
    cfg = variant_cfg(work, "static_homedepot_search")
    prepare.run(cfg)
    train = load_split(Layout.from_cfg(cfg).prepared(cfg.name), "train")
    texts = speed_items(train, train.column_names, BI_ENCODER)[:TEXTS]
    models = {"static": build_model(cfg.model, "cpu"),
              "all-MiniLM-L6-v2": build_model(variant_cfg(work, "minilm_homedepot_search").model, "cpu")}  # fmt: skip
    seconds: dict[str, dict[str, list[float]]] = {name: {str(b): [] for b in BATCHES} for name in models}
    order = [n for i in range(ROUNDS) for n in (list(models) if i % 2 == 0 else list(models)[::-1])]
    for name in order:
        model = models[name]
        for batch in BATCHES:
            model.encode(texts[:batch], batch_size=batch)  # warm-up
            started = time.perf_counter()
            model.encode(texts, batch_size=batch)
            seconds[name][str(batch)].append(time.perf_counter() - started)
    rates = {name: {b: len(texts) / statistics.median(s) for b, s in by_batch.items()}
             for name, by_batch in seconds.items()}  # fmt: skip
    best = {name: max(by_batch.values()) for name, by_batch in rates.items()}
    return {
        "texts": len(texts),
        "batch_sizes": list(BATCHES),
        "threads": torch.get_num_threads(),
        "seconds": seconds,
        "texts_per_s": rates,
        "ratio": best["static"] / best["all-MiniLM-L6-v2"],
        "ratio_same_batch": {b: rates["static"][b] / rates["all-MiniLM-L6-v2"][b] for b in rates["static"]},
        "embedding_dim": cfg.model.embedding_dim,
    }


def targets(r: dict) -> list[tuple[str, str, str, bool]]:
    """(what, measured, target, met) rows of RESULTS.md's summary."""
    return [("encode texts/s, static vs all-MiniLM-L6-v2", f"{r['ratio']:.0f}x", ">= 100x", r["ratio"] >= 100)]


def section(r: dict) -> list[str]:
    """This case's part of RESULTS.md."""
    batches = [str(b) for b in r["batch_sizes"]]
    rows = [[name, *(f"{by_batch[b]:,.0f}" for b in batches)] for name, by_batch in r["texts_per_s"].items()]
    rows.append(["ratio", *(f"{r['ratio_same_batch'][b]:.0f}x" for b in batches)])
    return [
        *table_section(
            r,
            "Encoding throughput: static embeddings vs all-MiniLM-L6-v2 (CPU)",
            ["texts/s at batch size", *batches],
            rows,
            f"**{r['ratio']:.0f}x**, each model at its fastest batch size. The same {r['texts']:,} distinct Home "
            f"Depot texts (raw queries and titles), fp32, {r['threads']} torch threads; static: "
            f"{r['embedding_dim']}-d vectors distilled from all-MiniLM-L6-v2 (model2vec); median of {ROUNDS} "
            "alternating runs after a warm-up. The static model's cost is its tokenizer's, which larger batches "
            "spread; the transformer's is compute.",
        ),
        "",
    ]
