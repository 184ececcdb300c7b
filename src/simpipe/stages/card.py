"""Stage `card`: trained model + metrics + comparison -> models/<variant>/ with its README.md model card."""

from __future__ import annotations

import logging

from sentence_transformers import SentenceTransformer

from simpipe import record
from simpipe.card import build_card_data, insert_section, reproduction_section
from simpipe.comparison import read_comparison
from simpipe.data.prepared import SPLITS, load_split
from simpipe.io import atomic_dir, write_text
from simpipe.paths import Layout
from simpipe.tracking import Tracker

log = logging.getLogger(__name__)


def run(cfg) -> None:
    layout = Layout.from_cfg(cfg)
    trained = layout.trained(cfg.name)
    rec = record.read_record(trained)
    metrics = record.read_metrics(layout.metrics(cfg.name))
    comparison = read_comparison(layout.metrics(cfg.name))
    splits = {split: load_split(layout.prepared(cfg.name), split) for split in SPLITS}

    model = SentenceTransformer(str(record.model_dir(trained)), device="cpu", local_files_only=True)
    build_card_data(model, splits, rec, metrics, cfg.card, cfg.data, cfg.eval, cfg.train)
    target = layout.model(cfg.name)
    report = layout.report(cfg.name).relative_to(layout.root) / record.REPORT_MD
    with atomic_dir(target) as out:
        model.save(str(out))
        readme = (out / record.CARD_FILE).read_text(encoding="utf-8")
        write_text(out / record.CARD_FILE, insert_section(readme, reproduction_section(comparison, str(report))))
    tracker = Tracker(cfg)
    tracker.attach(rec.run.mlflow_run_id)
    tracker.log_artifact(target / record.CARD_FILE, artifact_path="card")
    log.info("model card: %s", target / record.CARD_FILE)
