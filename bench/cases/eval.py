"""Final evaluation of Home Depot val (11,851 pairs): the similarity and search evaluators of the split as
sentence-transformers ships them (each encodes all of its texts), as simpipe ran them before encode-once
(each evaluator encodes its own distinct texts), and as now (one encoding of each distinct text for both);
the metrics must agree to 1e-6."""

from __future__ import annotations

import time
from pathlib import Path

from bench.common import homedepot_cfg, table_section
from simpipe.core.paths import Layout
from simpipe.data.prepared import load_split, read_search
from simpipe.evaluation.encoded import Encodings
from simpipe.evaluation.suite import evaluators, score
from simpipe.modeling.model import build_model
from simpipe.stages import prepare

SIDES = ("sentence_transformers", "per_evaluator", "encode_once")


def shipped(by_key: dict) -> dict:
    """sentence-transformers' own evaluators with the same inputs: every text encoded by each."""
    from sentence_transformers.sentence_transformer.evaluation import (
        EmbeddingSimilarityEvaluator,
        InformationRetrievalEvaluator,
    )

    sim, search = by_key["val"], by_key["search/val"]
    return {
        "val": EmbeddingSimilarityEvaluator(
            sim.sentences1, sim.sentences2, sim.scores, batch_size=sim.batch_size, main_similarity="cosine",
            similarity_fn_names=sim.similarity_fn_names, name="val", write_csv=False,
        ),
        "search/val": InformationRetrievalEvaluator(
            dict(zip(search.queries_ids, search.queries, strict=True)),
            dict(zip(search.corpus_ids, search.corpus, strict=True)), search.relevant_docs,
            mrr_at_k=search.mrr_at_k, ndcg_at_k=search.ndcg_at_k, accuracy_at_k=search.accuracy_at_k,
            precision_recall_at_k=search.precision_recall_at_k, map_at_k=search.map_at_k,
            batch_size=search.batch_size, name="val", write_csv=False, score_functions=search.score_functions,
            main_score_function="cosine",
        ),
    }  # fmt: skip


def measure(work: Path) -> dict:
    """The same model and val split through the three, one after the other."""
    cfg = homedepot_cfg(work)
    prepare.run(cfg)
    prepared = Layout.from_cfg(cfg).prepared(cfg.name)
    splits = {split: load_split(prepared, split) for split in ("dev", "test")}
    model = build_model(cfg.model)

    def ours(shared: bool) -> dict:
        by_key = evaluators(splits, cfg.data, cfg.eval, read_search(prepared))
        by_key = {k: e for k, e in by_key.items() if k in ("val", "search/val")}
        if not shared:  # as before encode-once: an Encodings of its own per evaluator
            for evaluator in by_key.values():
                evaluator.encodings = Encodings(cfg.eval.batch_size, cfg.eval.cuda_batch_size)
        return by_key

    sides = {"sentence_transformers": shipped(ours(True)), "per_evaluator": ours(False), "encode_once": ours(True)}
    model.encode(splits["dev"][cfg.data.columns[0]][:256], batch_size=64)  # warm-up: the first side must not pay it
    timings, results, encoded = {}, {}, {}
    for side in SIDES:
        started = time.perf_counter()
        if side == "sentence_transformers":
            results[side] = {
                k: {m.removeprefix("val_"): v for m, v in e(model).items()} for k, e in sides[side].items()
            }
        else:
            results[side] = score(model, sides[side])
            encoded[side] = sum({id(e.encodings): e.encodings.encoded for e in sides[side].values()}.values())
        timings[side] = time.perf_counter() - started
    reference = results["sentence_transformers"]
    diff = max(abs(results[s][k][m] - reference[k][m]) for s in SIDES for k in reference for m in reference[k])
    sim = sides["encode_once"]["val"]
    return {
        "pairs": len(splits["dev"]),
        "distinct_texts": len(set(sim.sentences1) | set(sim.sentences2)),
        "texts_encoded": encoded,
        "seconds": timings,
        "speedup": timings["per_evaluator"] / timings["encode_once"],
        "speedup_vs_sentence_transformers": timings["sentence_transformers"] / timings["encode_once"],
        "max_metric_diff": diff,
    }


def targets(r: dict) -> list[tuple[str, str, str, bool]]:
    """(what, measured, target, met) rows of RESULTS.md's summary."""
    met = r["speedup"] > 1.0 and r["max_metric_diff"] <= 1e-6
    return [("final evaluation, encode-once vs before", f"{r['speedup']:.2f}x, diff {r['max_metric_diff']:.1e}",
             "faster, diff <= 1e-6", met)]  # fmt: skip


def section(r: dict) -> list[str]:
    """This case's part of RESULTS.md."""
    s, n = r["seconds"], r["texts_encoded"]
    return table_section(
        r,
        f"Final evaluation, Home Depot val ({r['pairs']:,} pairs, {r['distinct_texts']:,} distinct texts): "
        "similarity + search evaluators",
        ["sentence-transformers' evaluators", "before: per evaluator", "encode once", "speed-up", "max diff"],
        [[f"{s['sentence_transformers']:.1f} s", f"{s['per_evaluator']:.1f} s ({n['per_evaluator']:,} texts)",
          f"{s['encode_once']:.1f} s ({n['encode_once']:,} texts)",
          f"**{r['speedup']:.2f}x** ({r['speedup_vs_sentence_transformers']:.2f}x vs sentence-transformers)",
          f"{r['max_metric_diff']:.1e}"]],
    )  # fmt: skip
