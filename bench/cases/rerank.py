"""Cost of retrieve and rerank on the CPU: the first stage (encode a query, search the split's titles) and
the reranking of its top k (a cross-encoder scores k pairs), per query, for k = 10, 30, 100; the same val
queries of Home Depot (raw text) through both, one after the other. The models' weights do not change
the cost: all-MiniLM-L6-v2 retrieves and reranks (a new head), at minilm_homedepot_rerank's max length."""

from __future__ import annotations

import time
from pathlib import Path

import torch
from sentence_transformers.util import cos_sim

from bench.common import table_section, variant_cfg
from simpipe.core.paths import Layout
from simpipe.data.prepared import load_split, read_search
from simpipe.evaluation.search import scored_task
from simpipe.modeling.model import build_model
from simpipe.stages import prepare

KS = (10, 30, 100)
QUERIES = 200  # val queries timed (of 4,012)


def measure(work: Path) -> dict:
    cfg = variant_cfg(work, "minilm_homedepot_rerank")
    prepare.run(cfg)
    prepared = Layout.from_cfg(cfg).prepared(cfg.name)
    queries, corpus, relevant = scored_task(load_split(prepared, "dev"), cfg.data.columns, read_search(prepared))
    texts = [queries[qid] for qid in sorted(relevant)][:QUERIES]
    titles = list(corpus.values())
    retriever = build_model(variant_cfg(work, "minilm_homedepot_search").model, "cpu")
    reranker = build_model(cfg.model, "cpu")
    batch = cfg.eval.batch_size

    started = time.perf_counter()
    index = retriever.encode(titles, batch_size=batch, convert_to_tensor=True)
    index_s = time.perf_counter() - started
    started = time.perf_counter()
    top = []
    for text in texts:  # one query at a time, as a search box sends them
        scores = cos_sim(retriever.encode([text], convert_to_tensor=True), index)[0]
        top.append(torch.topk(scores, max(KS)).indices.tolist())
    first_ms = 1000 * (time.perf_counter() - started) / len(texts)

    rerank = {}
    for k in KS:
        started = time.perf_counter()
        for text, hits in zip(texts, top, strict=True):
            reranker.predict([[text, titles[i]] for i in hits[:k]], batch_size=batch)
        seconds = time.perf_counter() - started
        rerank[str(k)] = {"pairs_per_s": k * len(texts) / seconds, "ms_per_query": 1000 * seconds / len(texts)}
    return {
        "queries": len(texts),
        "corpus": len(titles),
        "index_s": index_s,
        "first_stage_ms_per_query": first_ms,
        "rerank": rerank,
        "threads": torch.get_num_threads(),
    }


def targets(r: dict) -> list[tuple[str, str, str, bool]]:
    """No target: costs measured for the record."""
    return []


def section(r: dict) -> list[str]:
    """This case's part of RESULTS.md."""
    first = r["first_stage_ms_per_query"]
    rows = [["first stage alone", "-", f"{first:.1f} ms", "1.0x"]]
    for k, cost in r["rerank"].items():
        total = first + cost["ms_per_query"]
        rows.append([f"+ rerank top {k}", f"{cost['pairs_per_s']:.0f} pairs/s", f"{total:.1f} ms",
                     f"{total / first:.1f}x"])  # fmt: skip
    return [
        *table_section(
            r,
            "Retrieve and rerank: cost per query (Home Depot val, CPU)",
            ["stack", "reranking throughput", "per query", "vs first stage"],
            rows,
            f"{r['queries']} val queries one at a time over {r['corpus']:,} titles (indexed once in "
            f"{r['index_s']:.1f} s); all-MiniLM-L6-v2 as retriever and as reranker (max length 64), fp32, "
            f"{r['threads']} torch threads.",
        ),
        "",
    ]
