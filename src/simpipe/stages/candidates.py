"""Stage `candidates`: for a reranker (a cross-encoder whose `eval.retriever` names another variant), the
retriever variant's trained bi-encoder searches each dev and test split of the reranker's own data, and
keeps the top `eval.rerank_top_k` documents of every query with a relevant one -> data/candidates/<variant>/
(simpipe.artifacts.candidates). A variant that reranks nothing writes only `candidates.json`.

Cached by DVC on the retriever's trained model, the prepared dev and test splits and the retrieval
settings: a change of the reranker (its training, its loss) never searches again."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from simpipe.artifacts.candidates import write_candidates, write_manifest
from simpipe.artifacts.trained import model_dir
from simpipe.core.errors import DataError
from simpipe.core.io import atomic_dir
from simpipe.core.paths import Layout
from simpipe.evaluation.config import reranks

log = logging.getLogger(__name__)


def run(cfg) -> dict[str, int]:
    layout = Layout.from_cfg(cfg)
    retriever, top_k = cfg.eval.retriever, cfg.eval.rerank_top_k
    queries: dict[str, int] = {}
    with atomic_dir(layout.candidates(cfg.name)) as out:
        if reranks(cfg.name, cfg.eval):
            queries = search(cfg, layout, out)
        write_manifest(out, retriever if reranks(cfg.name, cfg.eval) else None, top_k, queries)
    return queries


def search(cfg, layout: Layout, out: Path) -> dict[str, int]:
    """The retriever's top documents of each dev and test query -> `out`; the queries of each split."""
    # imported here: a variant that reranks nothing (most) writes its manifest without loading torch (~5 s)
    from simpipe.core.families import BI_ENCODER
    from simpipe.data.prepared import EVAL_SPLITS, split_names
    from simpipe.evaluation.encoded import Encodings
    from simpipe.evaluation.rerank import rerank_task, retrieve
    from simpipe.modeling.hardware import resolve_device
    from simpipe.modeling.model import load_family
    from simpipe.training.sets import set_splits

    retriever, top_k = cfg.eval.retriever, cfg.eval.rerank_top_k
    path = model_dir(layout.trained(retriever))
    if not path.is_dir():
        raise DataError(f"{path}: eval.retriever={retriever!r} has no trained model; run "
                        f"`dvc repro train@{retriever}` first")  # fmt: skip
    model = load_family(BI_ENCODER, path, resolve_device(cfg.train.device), "eval.retriever needs a")
    own = set_splits(layout, cfg, EVAL_SPLITS)[0]
    names = split_names(cfg.data)
    queries = {}
    for split in EVAL_SPLITS:
        started = time.time()
        task = rerank_task(own.splits[split], cfg.data, own.min_label, names[split])
        encodings = Encodings(cfg.eval.batch_size)  # a split's titles: a GPU needs no larger batches
        frame = retrieve(model, task, top_k, cfg.eval.main_similarity, encodings)
        write_candidates(out, split, frame)
        queries[split] = len(frame)
        log.info("%s: %s's top %d of %d documents for %d %s queries in %.0f s", cfg.name, retriever,
                 top_k, len(task[1]), len(frame), names[split], time.time() - started)  # fmt: skip
    return queries
