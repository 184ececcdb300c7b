"""`simpipe track`: copy a variant's locally written results into MLflow after the fact, for a model
trained while the store was unreachable (the train stage's warnings say so), or into another store."""

from __future__ import annotations

import logging

from simpipe.artifacts.documents import CARD_FILE
from simpipe.artifacts.metrics import METRICS_FILE, curve_metrics, final_metrics, headline_value, read_metrics
from simpipe.artifacts.trained import read_record
from simpipe.core.errors import SimpipeError
from simpipe.core.paths import Layout
from simpipe.data.naming import dataset_name
from simpipe.data.prepared import SPLITS, split_file
from simpipe.modeling.config import family_of
from simpipe.tracking.emissions import emission_metrics
from simpipe.tracking.tracker import Tracker, run_params, run_tags

log = logging.getLogger(__name__)


def track(cfg) -> str:
    """A new MLflow run with the params, curves, emissions, final metrics, card and data sets (the prepared
    splits still on disk) of `trained/<variant>/`."""
    layout = Layout.from_cfg(cfg)
    trained = layout.trained(cfg.name)
    rec = read_record(trained)
    run = rec.run
    metrics_dir = layout.metrics(cfg.name)
    metrics = read_metrics(metrics_dir) if (metrics_dir / METRICS_FILE).is_file() else None
    card = layout.model(cfg.name) / CARD_FILE
    tracker = Tracker(cfg)
    tags = {"variant": cfg.name, "simpipe.pushed_from": str(trained.resolve())}
    with tracker.run(run_name=cfg.tracking.get("run_name") or cfg.name, tags=tags):
        tracker.log_params(run_params(cfg))
        tracker.set_tags(run_tags(run.device, run.precision, run.processes, run.versions))
        for entry in rec.log_history:
            tracker.log_metrics(curve_metrics(entry, cfg.data.dev_name), step=entry["step"])
        tracker.log_metrics(emission_metrics(rec.emissions), step=run.global_step)
        if metrics is not None:
            value = headline_value(cfg.data, cfg.eval, metrics, family_of(cfg.model))
            tracker.log_metrics(final_metrics(metrics, value), step=run.global_step)
        if card.is_file():
            tracker.log_artifact(card, artifact_path="card")
        prepared = {split: split_file(layout.prepared(cfg.name), split) for split in SPLITS}
        tracker.log_inputs(dataset_name(cfg.data), {split: path for split, path in prepared.items() if path.is_file()})
    if tracker.failures or tracker.run_id is None:
        reason = tracker.failures[0] if tracker.failures else "tracking.enabled is false"
        raise SimpipeError(
            f"tracking {cfg.name} in {tracker.uri} incomplete: {reason}; fix tracking.uri and run it again"
        )
    log.info("tracked %s in %s as run %s", cfg.name, tracker.uri, tracker.run_id)
    return tracker.run_id
