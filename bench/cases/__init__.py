"""One module per benchmark case: `measure(work) -> dict` (side by side, in one run), `targets(result)` (the
summary rows of RESULTS.md) and `section(result)` (its part of RESULTS.md)."""

from bench.cases import checkpoint, dvc, eval, prep, quality, rerank, rss, static, steps, train

CASES = {
    "prep": prep,
    "eval": eval,
    "steps": steps,
    "train": train,
    "quality": quality,
    "dvc": dvc,
    "rss": rss,
    "checkpoint": checkpoint,
    "rerank": rerank,
    "static": static,
}
