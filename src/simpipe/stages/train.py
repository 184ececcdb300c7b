"""Stage `train`: prepared data -> trained/<variant>/ (model + training record), curves to MLflow."""

from __future__ import annotations

import csv
import io
import logging
import shutil
import time

from omegaconf import OmegaConf
from transformers import set_seed

from simpipe.config import flatten
from simpipe.data import load_split
from simpipe.io import atomic_dir, write_json, write_text
from simpipe.modeling import build_model
from simpipe.paths import Layout
from simpipe.tracking import Tracker, emission_metrics, emissions, library_versions
from simpipe.training import resolve_device, resolve_precision, train

log = logging.getLogger(__name__)


def curves(log_history: list[dict], dev_name: str) -> tuple[str, str]:
    """CSV texts of the dev Spearman curve and the training-loss curve (DVC plots)."""
    key = f"eval_{dev_name}_spearman_cosine"
    dev, loss = io.StringIO(), io.StringIO()
    dev_w, loss_w = csv.writer(dev, lineterminator="\n"), csv.writer(loss, lineterminator="\n")
    dev_w.writerow(["step", "epoch", "spearman_cosine"])
    loss_w.writerow(["step", "epoch", "loss"])
    for entry in log_history:
        if key in entry:
            dev_w.writerow([entry["step"], round(entry["epoch"], 4), entry[key]])
        if "loss" in entry:
            loss_w.writerow([entry["step"], round(entry["epoch"], 4), entry["loss"]])
    return dev.getvalue(), loss.getvalue()


def run(cfg) -> dict[str, float]:
    layout = Layout.from_cfg(cfg)
    device = resolve_device(cfg.train.device)
    precision = resolve_precision(cfg.train.precision, device)
    prepared = layout.prepared(cfg.name)
    train_ds = load_split(prepared, "train")
    dev_ds = load_split(prepared, "dev", cfg.train.eval_max_pairs)

    set_seed(cfg.train.seed)
    model = build_model(cfg.model)
    tracker = Tracker(cfg)
    versions = library_versions()
    with (
        atomic_dir(layout.trained(cfg.name)) as out,
        tracker.run(run_name=cfg.tracking.get("run_name") or cfg.name, tags={"variant": cfg.name}),
    ):
        tracker.log_params(flatten(OmegaConf.masked_copy(cfg, ["name", "data", "model", "train", "eval"])))
        tracker.set_tags({"device": device, "precision": precision, **{f"version.{k}": v for k, v in versions.items()}})
        started = time.time()
        with emissions(cfg, out) as co2:
            result = train(cfg, model, train_ds, dev_ds, tracker, out / "trainer", device, precision)
        seconds = time.time() - started
        shutil.rmtree(out / "trainer", ignore_errors=True)
        model.save(str(out / "model"))
        write_json(out / "log_history.json", result.log_history)
        write_json(out / "training_args.json", result.args)
        write_json(out / "emissions.json", co2)
        write_json(
            out / "run.json",
            {
                "variant": cfg.name,
                "mlflow_run_id": tracker.run_id,
                "mlflow_uri": tracker.uri,
                "device": device,
                "precision": precision,
                "global_step": result.global_step,
                "epoch": result.epoch,
                "train_seconds": seconds,
                "train_samples": len(train_ds),
                "versions": versions,
                "tracking_failures": tracker.failures,
            },
        )
        tracker.log_metrics(emission_metrics(co2), step=result.global_step)
        dev_csv, loss_csv = curves(result.log_history, cfg.data.dev_name)
        metrics_dir = layout.metrics(cfg.name)
        write_text(metrics_dir / "dev_curve.csv", dev_csv)
        write_text(metrics_dir / "loss_curve.csv", loss_csv)
    log.info("trained %s in %.1f s (%d steps)", cfg.name, seconds, result.global_step)
    return {"train_seconds": seconds}
