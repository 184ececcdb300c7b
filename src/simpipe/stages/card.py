"""Stage `card`: trained model + metrics + comparison -> models/<variant>/ with its README.md model card."""

from __future__ import annotations

import logging

from simpipe.artifacts.documents import CARD_FILE, REPORT_MD
from simpipe.artifacts.metrics import read_metrics
from simpipe.artifacts.trained import heads_dir, model_dir, read_record
from simpipe.core.io import atomic_dir, write_text
from simpipe.core.paths import Layout
from simpipe.data.prepared import SPLITS
from simpipe.documents.card import bare_card_data, build_card_data, insert_section, render_card, reproduction_section
from simpipe.documents.comparison import read_comparison
from simpipe.evaluation.classifier import load_heads
from simpipe.evaluation.rerank import candidates_of
from simpipe.modeling.model import load_model
from simpipe.tracking.tracker import Tracker
from simpipe.training.sets import set_splits

log = logging.getLogger(__name__)


def run(cfg) -> None:
    layout = Layout.from_cfg(cfg)
    trained = layout.trained(cfg.name)
    rec = read_record(trained)
    metrics = read_metrics(layout.metrics(cfg.name))
    comparison = read_comparison(layout.metrics(cfg.name))
    sets = set_splits(layout, cfg, SPLITS)

    model = load_model(cfg.model, model_dir(trained), "cpu")
    candidates = candidates_of(layout.candidates(cfg.name), cfg.name, cfg.eval)
    build_card_data(model, sets, rec, metrics, cfg.card, cfg.eval, cfg.train, load_heads(heads_dir(trained)),
                    candidates)  # fmt: skip
    target = layout.model(cfg.name)
    report = layout.report(cfg.name).relative_to(layout.root) / REPORT_MD
    with atomic_dir(target) as out:
        model.save(str(out), create_model_card=False)
        readme = render_card(model, str(out), lambda: bare_card_data(model, rec, cfg.card, sets))
        write_text(out / CARD_FILE, insert_section(readme, reproduction_section(comparison, str(report))))
    tracker = Tracker(cfg)
    tracker.attach(rec.run.mlflow_run_id)
    tracker.log_artifact(target / CARD_FILE, artifact_path="card")
    log.info("model card: %s", target / CARD_FILE)
