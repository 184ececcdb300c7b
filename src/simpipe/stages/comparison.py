"""Stage `comparison`: the run record and metrics beside the reference -> metrics/<variant>/comparison.json."""

from __future__ import annotations

import logging

from simpipe import record
from simpipe.comparison import compare, reproduced_facts, shown_metrics, write_comparison
from simpipe.paths import Layout
from simpipe.reference import reference_facts

log = logging.getLogger(__name__)


def run(cfg) -> dict[str, int]:
    layout = Layout.from_cfg(cfg)
    metrics = record.read_metrics(layout.metrics(cfg.name))
    rec = record.read_record(layout.trained(cfg.name))
    reproduced = reproduced_facts(rec, metrics, cfg.data, cfg.eval, cfg.train)
    reference = reference_facts(cfg.report.reference)
    headline = record.headline(cfg.data, cfg.eval)
    shown = shown_metrics(cfg.data, cfg.eval)
    comparison = compare(cfg.name, reference, reproduced, cfg.report.tolerance, headline, shown)
    path = write_comparison(layout.metrics(cfg.name), comparison)
    log.info("%s (%s)", comparison.summary, path)
    return {"passed": comparison.passed, "metrics": len(comparison.metrics)}
