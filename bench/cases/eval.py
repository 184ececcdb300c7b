"""Home Depot val set (11,851 pairs): simpipe's evaluator (each distinct text encoded once) vs
sentence-transformers' EmbeddingSimilarityEvaluator; metrics must agree to 1e-6."""

from __future__ import annotations

import time
from pathlib import Path

from bench.common import homedepot_cfg, table_section
from simpipe.core.paths import Layout
from simpipe.data.prepared import load_split
from simpipe.modeling.model import build_model
from simpipe.stages import prepare


def measure(work: Path) -> dict:
    """The same model and val pairs through both evaluators, one after the other."""
    from sentence_transformers.sentence_transformer.evaluation import EmbeddingSimilarityEvaluator

    from simpipe.evaluation import final_evaluator

    cfg = homedepot_cfg(work)
    prepare.run(cfg)
    val = load_split(Layout.from_cfg(cfg).prepared(cfg.name), "dev")
    model = build_model(cfg.model)
    ours = final_evaluator(val, "val", cfg.data.columns, cfg.eval)
    theirs = EmbeddingSimilarityEvaluator(
        sentences1=ours.sentences1,
        sentences2=ours.sentences2,
        scores=ours.scores,
        batch_size=ours.batch_size,
        main_similarity=ours.main_similarity,
        similarity_fn_names=ours.similarity_fn_names,
        name="val",
        write_csv=False,
    )
    model.encode(ours.sentences1[:256], batch_size=ours.batch_size)  # warm-up: the first side must not pay it
    timings, results = {}, {}
    for label, evaluator in (("simpipe", ours), ("sentence_transformers", theirs)):
        started = time.perf_counter()
        results[label] = evaluator(model)
        timings[label] = time.perf_counter() - started
    diff = max(abs(results["simpipe"][k] - results["sentence_transformers"][k]) for k in results["simpipe"])
    return {
        "pairs": len(val),
        "distinct_texts": len(set(ours.sentences1) | set(ours.sentences2)),
        "simpipe_s": timings["simpipe"],
        "sentence_transformers_s": timings["sentence_transformers"],
        "speedup": timings["sentence_transformers"] / timings["simpipe"],
        "max_metric_diff": diff,
    }


def targets(r: dict) -> list[tuple[str, str, str, bool]]:
    """(what, measured, target, met) rows of RESULTS.md's summary."""
    rows = []
    met = r["speedup"] >= 1.3 and r["max_metric_diff"] <= 1e-6
    rows.append(("eval vs EmbeddingSimilarityEvaluator", f"{r['speedup']:.2f}x, diff {r['max_metric_diff']:.1e}",
                 ">= 1.3x, diff <= 1e-6", met))  # fmt: skip
    return rows


def section(r: dict) -> list[str]:
    """This case's part of RESULTS.md."""
    return table_section(
        r,
        f"Evaluation, Home Depot val ({r['pairs']:,} pairs, {r['distinct_texts']:,} distinct texts)",
        ["simpipe", "EmbeddingSimilarityEvaluator", "speed-up", "max metric difference"],
        [[f"{r['simpipe_s']:.1f} s", f"{r['sentence_transformers_s']:.1f} s", f"{r['speedup']:.2f}x",
          f"{r['max_metric_diff']:.1e}"]],
    )  # fmt: skip
