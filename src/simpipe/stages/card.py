"""Stage `card`: trained model + metrics -> models/<variant>/ with its README.md model card."""

from __future__ import annotations

import logging

from sentence_transformers import SentenceTransformer

from simpipe.card import build_card_data
from simpipe.data import SPLITS, load_split
from simpipe.io import atomic_dir, read_json
from simpipe.paths import Layout
from simpipe.tracking import Tracker

log = logging.getLogger(__name__)


def run(cfg) -> None:
    layout = Layout.from_cfg(cfg)
    trained = layout.trained(cfg.name)
    record = {name: read_json(trained / f"{name}.json") for name in ("training_args", "log_history", "emissions")}
    record["run"] = read_json(trained / "run.json")
    metrics = read_json(layout.metrics(cfg.name) / "metrics.json")
    splits = {split: load_split(layout.prepared(cfg.name), split) for split in SPLITS}

    model = SentenceTransformer(str(trained / "model"), device="cpu", local_files_only=True)
    build_card_data(cfg, model, splits, record, metrics)
    target = layout.model(cfg.name)
    with atomic_dir(target) as out:
        model.save(str(out))
    if record["run"].get("mlflow_run_id"):
        tracker = Tracker(cfg)
        with tracker.run(run_id=record["run"]["mlflow_run_id"]):
            tracker.log_artifact(target / "README.md", artifact_path="card")
    log.info("model card: %s", target / "README.md")
