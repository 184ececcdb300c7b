"""Stage `card`: trained model + metrics -> models/<variant>/ with its README.md model card."""

from __future__ import annotations

import logging

from sentence_transformers import SentenceTransformer

from simpipe.card import build_card_data
from simpipe.data import SPLITS, load_split
from simpipe.io import atomic_dir, read_json, write_text
from simpipe.paths import Layout
from simpipe.reference import CardError, parse_card, reference_card
from simpipe.report import card_section, compare, insert_section
from simpipe.tracking import Tracker

log = logging.getLogger(__name__)


def reproduction(cfg, readme: str, layout: Layout) -> str:
    """The card's "Reproduction" section; without a reference card, a note saying so (and a warning)."""
    try:
        reference = reference_card(cfg.report)
    except CardError as exc:
        log.warning("no Reproduction section in the card: %s", exc)
        return f"## Reproduction\n\nNo reference card to compare with: {exc}\n"
    comparison = compare(reference, parse_card(readme, "README.md"), cfg.report.tolerance)
    link = cfg.report.reference_hub or reference.source
    return card_section(comparison, link, str(layout.report(cfg.name).relative_to(layout.root) / "report.md"))


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
        readme = (out / "README.md").read_text(encoding="utf-8")
        write_text(out / "README.md", insert_section(readme, reproduction(cfg, readme, layout)))
    tracker = Tracker(cfg)
    tracker.attach(record["run"].get("mlflow_run_id"))
    tracker.log_artifact(target / "README.md", artifact_path="card")
    log.info("model card: %s", target / "README.md")
