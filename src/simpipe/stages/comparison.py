"""Stage `comparison`: the run record and metrics beside the reference, with the measured encoding speed ->
metrics/<variant>/comparison.json."""

from __future__ import annotations

import logging

from simpipe.artifacts.metrics import headline, read_metrics, read_speed
from simpipe.artifacts.trained import read_record
from simpipe.cards.sources import reference_facts
from simpipe.core.paths import Layout
from simpipe.documents.comparison import write_comparison
from simpipe.documents.reproduction import compare, reproduced_facts, shown_metrics
from simpipe.evaluation.config import reranks
from simpipe.modeling.config import family_of
from simpipe.training.sets import training_sets

log = logging.getLogger(__name__)


def run(cfg) -> dict[str, int]:
    layout = Layout.from_cfg(cfg)
    metrics = read_metrics(layout.metrics(cfg.name))
    rec = read_record(layout.trained(cfg.name))
    sets = training_sets(cfg)
    family = family_of(cfg.model)
    reproduced = reproduced_facts(rec, metrics, sets, cfg.eval)
    reference = reference_facts(cfg.report.reference)
    shown = [row for s in sets for row in shown_metrics(s.cfg.data, cfg.eval, metrics, family)]
    retriever = cfg.eval.retriever if reranks(cfg.name, cfg.eval) else None
    comparison = compare(cfg.name, reference, reproduced, cfg.report.tolerance, headline(cfg.data, cfg.eval, family),
                         shown, retriever, cfg.eval.rerank_fusion if retriever else None)  # fmt: skip
    comparison.speed = read_speed(layout.metrics(cfg.name))
    path = write_comparison(layout.metrics(cfg.name), comparison)
    log.info("%s (%s)", comparison.summary, path)
    return {"passed": comparison.passed, "metrics": len(comparison.metrics)}
