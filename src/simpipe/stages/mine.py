"""Stage `mine`: the prepared train split -> data/mined/<variant>/train.parquet, the rows the train stage
reads: with `mine.enabled`, each (anchor, positive) pair with hard negatives mined by the base model
(statistics -> metrics/<variant>/mining.json); with a listwise loss (a cross-encoder's), each query's
documents and their labels in one row; otherwise the prepared train split as it is (a copy, which
DVC stores once). With a distillation loss, `train.teacher`'s label of each row, computed once here, not in
every epoch: its scores of the query with each candidate (MarginMSELoss, DistillKLDivLoss) or its embedding
of the text (MSELoss). A training set's (`simpipe mine --set S`, stage mine_set) goes to
data/mined/<variant>/<S>/. Cached by DVC on the train split, the model and the mine settings only, so a
training change never mines again."""

from __future__ import annotations

import logging
import shutil
import time

from simpipe.artifacts.metrics import write_mining
from simpipe.core.io import atomic_files
from simpipe.core.paths import Layout
from simpipe.data.prepared import load_split, split_file
from simpipe.modeling.hardware import resolve_device
from simpipe.modeling.model import build_model
from simpipe.training.catalog import losses_of
from simpipe.training.config import LABEL
from simpipe.training.mining import mine, query_lists, teacher_embeddings, teacher_scores
from simpipe.training.sets import set_key

log = logging.getLogger(__name__)


def run(cfg) -> dict:
    layout = Layout.from_cfg(cfg)
    key = set_key(cfg)
    prepared = layout.prepared(cfg.name, key)
    stats: dict = {}
    loss = losses_of(cfg.model)[cfg.train.loss]
    distilled = loss.teacher
    with atomic_files(layout.mined(cfg.name, key)) as out:
        if loss.listwise:
            frame, stats = query_lists(load_split(prepared, "train").to_pandas(), list(cfg.data.train_columns))
            frame.to_parquet(split_file(out, "train"), index=False)
            log.info("%s: %d query lists (%.1f documents each) of %d pairs for %s; %d single-document queries "
                     "left out", cfg.name, stats["lists"], stats["documents_per_list_mean"], stats["pairs"],
                     cfg.train.loss, stats["single_document_queries_left_out"])  # fmt: skip
        elif not cfg.mine.enabled and not distilled:
            shutil.copyfile(split_file(prepared, "train"), split_file(out, "train"))
            log.info("%s: mine.enabled=false; the prepared train split as it is", cfg.name)
        elif not cfg.mine.enabled:
            frame = load_split(prepared, "train").to_pandas()
        else:
            device = resolve_device(cfg.train.device)
            started = time.time()
            model = build_model(cfg.mine.model or cfg.model, device)  # a cross-encoder mines with mine.model
            frame, stats = mine(model, load_split(prepared, "train"), cfg.mine, list(cfg.data.train_columns))
            stats["seconds"] = time.time() - started
            log.info(
                "%s: mined %d negative(s) for %d of %d pairs in %.0f s (positive %.3f, negative %.3f mean similarity)",
                cfg.name, cfg.mine.num_negatives, stats["rows"], stats["pairs"], stats["seconds"],
                stats["positive_mean"], stats["negative_mean"],
            )  # fmt: skip
        if distilled:  # the teacher's scores or embeddings of every row, once: training reads them as its label
            started = time.time()
            teacher = build_model(cfg.train.teacher, resolve_device(cfg.train.device))
            if distilled == "embedding":
                frame[LABEL] = teacher_embeddings(teacher, frame[frame.columns[0]].tolist(), cfg.mine.batch_size)
            else:
                frame[LABEL] = teacher_scores(teacher, frame, list(frame.columns), cfg.mine.batch_size)
            stats["teacher_seconds"] = time.time() - started
            log.info("%s: %s's %s of %d rows in %.0f s", cfg.name, cfg.train.teacher.name_or_path, distilled,
                     len(frame), stats["teacher_seconds"])  # fmt: skip
        if distilled or cfg.mine.enabled:
            frame.to_parquet(split_file(out, "train"), index=False)
    write_mining(layout.metrics(cfg.name, key), stats)
    return stats
