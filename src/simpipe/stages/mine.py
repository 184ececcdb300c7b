"""Stage `mine`: the prepared train split -> data/mined/<variant>/train.parquet, the rows the train stage
reads. With `mine.enabled`, each (anchor, positive) pair with hard negatives mined by the base model or
`mine.model` (statistics -> metrics/<variant>/mining.json): as triplets, or as labelled pairs (the positive 1,
each negative 0) for a loss that takes those and no triplets (a cross-encoder's BCE or listwise loss). With a
listwise loss, each query's documents and their labels in one row. With a distillation loss, `train.teacher`'s
label of each row, computed once here, not in every epoch: its scores of the query with each candidate
(MarginMSELoss, DistillKLDivLoss) or its embedding of the text (MSELoss). Otherwise the prepared train split as
it is (a copy, which DVC stores once). A training set's (`simpipe mine --set S`, stage mine_set) goes to
data/mined/<variant>/<S>/. Cached by DVC on the train split, the model and the mine settings only, so a
training change never mines again."""

from __future__ import annotations

import logging
import shutil
import time

import pandas as pd
from datasets import Dataset

from simpipe.artifacts.metrics import write_mining
from simpipe.core.io import atomic_files
from simpipe.core.paths import Layout
from simpipe.data.prepared import load_split, split_file
from simpipe.training.catalog import Loss, losses_of
from simpipe.training.config import LABEL, train_shape
from simpipe.training.sets import set_key

log = logging.getLogger(__name__)


def run(cfg) -> dict:
    layout = Layout.from_cfg(cfg)
    key = set_key(cfg)
    prepared = layout.prepared(cfg.name, key)
    loss = losses_of(cfg.model)[cfg.train.loss]
    stats: dict = {}
    with atomic_files(layout.mined(cfg.name, key)) as out:
        if cfg.mine.enabled or loss.teacher or loss.listwise:
            frame, stats = rows(cfg, loss, load_split(prepared, "train"))
            frame.to_parquet(split_file(out, "train"), index=False)
        else:
            shutil.copyfile(split_file(prepared, "train"), split_file(out, "train"))
            log.info("%s: mine.enabled=false; the prepared train split as it is", cfg.name)
    write_mining(layout.metrics(cfg.name, key), stats)
    return stats


def rows(cfg, loss: Loss, train: Dataset) -> tuple[pd.DataFrame, dict]:
    """The rows `loss` (its `catalog.Loss`) trains on, made of the prepared `train` split, and their
    statistics: with mined negatives (as triplets, or labelled pairs: `train_shape`), a teacher's labels, each
    query's documents in one row for a listwise loss."""
    # imported here: a variant that mines nothing (most) copies its train split without loading torch (~5 s)
    from simpipe.modeling.hardware import resolve_device
    from simpipe.modeling.model import build_model
    from simpipe.training.mining import labelled_pairs, mine, query_lists, teacher_embeddings, teacher_scores

    stats: dict = {}
    frame = train.to_pandas()
    if cfg.mine.enabled:
        started = time.time()
        model = build_model(cfg.mine.model or cfg.model, resolve_device(cfg.train.device))  # a CE's: mine.model
        frame, stats = mine(model, train, cfg.mine, list(cfg.data.train_columns))
        stats["seconds"] = time.time() - started
        log.info(
            "%s: mined %d negative(s) for %d of %d pairs in %.0f s (positive %.3f, negative %.3f mean similarity)",
            cfg.name, cfg.mine.num_negatives, stats["rows"], stats["pairs"], stats["seconds"],
            stats["positive_mean"], stats["negative_mean"],
        )  # fmt: skip
        if train_shape(cfg.data.shape, True, loss) == "labelled_pairs":
            frame = labelled_pairs(frame)
    if loss.teacher:  # the teacher's scores or embeddings of every row, once: training reads them as its label
        started = time.time()
        teacher = build_model(cfg.train.teacher, resolve_device(cfg.train.device))
        if loss.teacher == "embedding":
            frame[LABEL] = teacher_embeddings(teacher, frame[frame.columns[0]].tolist(), cfg.mine.batch_size)
        else:
            frame[LABEL] = teacher_scores(teacher, frame, list(frame.columns), cfg.mine.batch_size)
        stats["teacher_seconds"] = time.time() - started
        log.info("%s: %s's %s of %d rows in %.0f s", cfg.name, cfg.train.teacher.name_or_path, loss.teacher,
                 len(frame), stats["teacher_seconds"])  # fmt: skip
    if loss.listwise:
        pairs = [*cfg.data.train_columns, LABEL] if cfg.mine.enabled else list(cfg.data.train_columns)
        frame, lists = query_lists(frame, pairs)
        stats |= {f"lists_{name}": value for name, value in lists.items()}
        log.info("%s: %d query lists (%.1f documents each) of %d pairs for %s; %d single-document queries "
                 "left out", cfg.name, lists["lists"], lists["documents_per_list_mean"], lists["pairs"],
                 cfg.train.loss, lists["single_document_queries_left_out"])  # fmt: skip
    return frame, stats
