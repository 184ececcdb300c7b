"""`simpipe push`: copy a variant's locally written results into MLflow after the fact, for a model
trained while the store was unreachable (the train stage's warnings say so), or into another store."""

from __future__ import annotations

import logging

from simpipe.errors import SimpipeError
from simpipe.io import read_json
from simpipe.paths import Layout
from simpipe.stages.evaluate import log_final_metrics
from simpipe.stages.train import run_params, run_tags
from simpipe.tracking import Tracker, emission_metrics
from simpipe.training import curve_metrics

log = logging.getLogger(__name__)


def push(cfg) -> str:
    """A new MLflow run with the params, curves, emissions, final metrics and card of `trained/<variant>/`."""
    layout = Layout.from_cfg(cfg)
    trained = layout.trained(cfg.name)
    if not (trained / "run.json").is_file():
        raise SimpipeError(f"{trained}: no trained model to push; run the train stage (`dvc repro train@{cfg.name}`)")
    record = read_json(trained / "run.json")
    history = read_json(trained / "log_history.json")
    co2 = read_json(trained / "emissions.json")
    metrics = layout.metrics(cfg.name) / "metrics.json"
    card = layout.model(cfg.name) / "README.md"
    tracker = Tracker(cfg)
    tags = {"variant": cfg.name, "simpipe.pushed_from": str(trained.resolve())}
    with tracker.run(run_name=cfg.tracking.get("run_name") or cfg.name, tags=tags):
        tracker.log_params(run_params(cfg))
        processes = record.get("processes", 1)
        tracker.set_tags(run_tags(record["device"], record["precision"], processes, record["versions"]))
        for entry in history:
            tracker.log_metrics(curve_metrics(entry, cfg.data.dev_name), step=entry["step"])
        tracker.log_metrics(emission_metrics(co2), step=record["global_step"])
        if metrics.is_file():
            log_final_metrics(tracker, cfg, read_json(metrics), record["global_step"])
        if card.is_file():
            tracker.log_artifact(card, artifact_path="card")
    if tracker.failures or tracker.run_id is None:
        reason = tracker.failures[0] if tracker.failures else "tracking.enabled is false"
        raise SimpipeError(f"push to {tracker.uri} incomplete: {reason}; fix tracking.uri and push again")
    log.info("pushed %s to %s as run %s", cfg.name, tracker.uri, tracker.run_id)
    return tracker.run_id
