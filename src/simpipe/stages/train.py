"""Stage `train`: the mined train split (stage `mine`) and the prepared dev split -> trained/<variant>/
(model + training record), curves to MLflow; of each data set the variant trains on (`train.datasets`:
stages mine_set, prepare_set), each with its loss."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from omegaconf import open_dict
from transformers import set_seed

from simpipe.artifacts.metrics import headline, write_curves
from simpipe.artifacts.trained import Record, TrainedRun, heads_dir, model_dir, write_record
from simpipe.core.io import atomic_dir, write_json
from simpipe.core.paths import Layout
from simpipe.core.versions import library_versions
from simpipe.data.prepared import SEARCH_FILE, load_split, read_search, split_file
from simpipe.evaluation.classifier import save_head
from simpipe.modeling.config import family_of
from simpipe.modeling.hardware import resolve_device, resolve_precision
from simpipe.modeling.model import build_model, model_facts
from simpipe.tracking.emissions import emission_metrics, emissions
from simpipe.tracking.tracker import Tracker, run_params, run_tags
from simpipe.training.catalog import batch_sampler, dev_loss, losses_of, variant_losses
from simpipe.training.checkpoints import RESUME_FILE, fingerprint, resume_point
from simpipe.training.distributed import is_main, world_size
from simpipe.training.loop import SetRows, train
from simpipe.training.sets import TrainingSet, training_sets

log = logging.getLogger(__name__)


def untracked(cfg):
    """`cfg` with MLflow tracking off (DDP workers: rank 0 tracks the run)."""
    cfg = cfg.copy()
    with open_dict(cfg):
        cfg.tracking.enabled = False
    return cfg


def training_files(layout: Layout, variant: str, key: str | None) -> list[Path]:
    """The files training reads of one data set of `variant` (dvc.yaml lists their directories as the
    train stage's deps): its mined train split, its prepared dev split and search threshold."""
    prepared = layout.prepared(variant, key)
    return [split_file(layout.mined(variant, key), "train"), split_file(prepared, "dev"), prepared / SEARCH_FILE]


def set_rows(layout: Layout, cfg, dataset: TrainingSet) -> SetRows:
    """The rows training reads of one of the variant's data sets: its mined train split (stage mine), its
    prepared dev split (the first `train.eval_max_pairs` rows) and search threshold."""
    prepared = layout.prepared(cfg.name, dataset.key)
    train_ds = load_split(layout.mined(cfg.name, dataset.key), "train", stage="mine")
    dev_ds = load_split(prepared, "dev", cfg.train.eval_max_pairs)
    return SetRows(dataset.name, dataset.cfg, train_ds, dev_ds, read_search(prepared))


def run(cfg) -> dict[str, float]:
    layout = Layout.from_cfg(cfg)
    device = resolve_device(cfg.train.device)
    precision = resolve_precision(cfg.train.precision, device)
    own, *sets = training_sets(cfg)
    rows = {s.name: set_rows(layout, cfg, s) for s in [own, *sets]}
    train_ds, dev_ds, min_label = rows[own.name].train, rows[own.name].dev, rows[own.name].min_label
    more = [rows[s.name] for s in sets]
    scored = [r for r in rows.values() if dev_loss(r.cfg)]  # the sets with a dev loss

    checkpoints = layout.checkpoints(cfg.name)
    config_hash = fingerprint(cfg, [path for s in [own, *sets] for path in training_files(layout, cfg.name, s.key)])
    resume_from, interrupted_run = resume_point(checkpoints, config_hash, clean=is_main())
    set_seed(cfg.train.seed)
    model = build_model(cfg.model)
    if not is_main():  # a DDP worker trains alongside rank 0, which tracks the run and writes the outputs
        tracker = Tracker(untracked(cfg))
        train(cfg, model, train_ds, dev_ds, min_label, tracker, checkpoints, device, precision, resume_from, more=more)
        return {}
    if interrupted_run and resume_from is None:  # nothing to resume: close the old run, start a new one
        stale = Tracker(cfg)
        stale.attach(interrupted_run)
        stale.end("KILLED")

    tracker = Tracker(cfg)
    versions = library_versions()
    run_name = cfg.tracking.get("run_name") or cfg.name
    with (
        atomic_dir(layout.trained(cfg.name)) as out,
        tracker.run(run_name, tags={"variant": cfg.name}, resume_run_id=interrupted_run if resume_from else None),
    ):
        write_json(checkpoints / RESUME_FILE, {"fingerprint": config_hash, "mlflow_run_id": tracker.run_id})
        if resume_from is not None:
            tracker.set_tags({"resumed_from": resume_from.name})
        tracker.log_params(run_params(cfg))
        tracker.set_tags(run_tags(device, precision, world_size(), versions))
        sampler = batch_sampler(variant_losses(cfg.train), cfg.train.batch_sampler, losses_of(cfg.model))
        tracker.set_tags({"batch_sampler": sampler})
        started = time.time()
        with emissions(cfg, out) as co2:
            result = train(
                cfg, model, train_ds, dev_ds, min_label, tracker, checkpoints, device, precision, resume_from,
                more=more,
            )  # fmt: skip
        seconds = time.time() - started
        model.save(str(model_dir(out)))
        for name, head in result.heads.items():
            save_head(head, heads_dir(out), name)
        run = TrainedRun(
            variant=cfg.name,
            mlflow_run_id=tracker.run_id,
            mlflow_uri=tracker.uri,
            device=device,
            precision=precision,
            global_step=result.global_step,
            epoch=result.epoch,
            train_seconds=seconds,
            resumed_from=resume_from.name if resume_from else None,
            train_samples=sum(len(r.train) for r in rows.values()),
            eval_samples=sum(len(r.dev) for r in scored) if scored else None,
            processes=world_size(),
            versions=versions,
            tracking_failures=tracker.failures,
            best_step=result.best_step,
            set_samples={name: len(r.train) for name, r in rows.items()} if more else {},
            **model_facts(model, cfg.model),
        )
        write_record(out, Record(run, result.log_history, result.args, co2))
        tracker.log_metrics(emission_metrics(co2), step=result.global_step)
        _, metric = headline(cfg.data, cfg.eval, family_of(cfg.model))  # the dev curve's
        write_curves(layout.metrics(cfg.name), result.log_history, cfg.data.dev_name, metric)
    shutil.rmtree(checkpoints, ignore_errors=True)
    log.info("trained %s in %.1f s (%d steps)", cfg.name, seconds, result.global_step)
    return {"train_seconds": seconds}
