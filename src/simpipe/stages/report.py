"""Stage `report`: the reference card beside the reproduced one -> reports/<variant>/."""

from __future__ import annotations

import logging

from simpipe.io import atomic_dir, write_text
from simpipe.paths import Layout
from simpipe.reference import load_card, reference_card
from simpipe.report import compare, plot_png, to_html, to_markdown

log = logging.getLogger(__name__)


def run(cfg) -> dict[str, int]:
    layout = Layout.from_cfg(cfg)
    reference = reference_card(cfg.report)
    reproduced = load_card(layout.model(cfg.name) / "README.md")
    comparison = compare(reference, reproduced, cfg.report.tolerance)
    title = f"{cfg.name}: reproduction report"
    png = plot_png(comparison)
    with atomic_dir(layout.report(cfg.name)) as out:
        if png:
            (out / "curve.png").write_bytes(png)
        write_text(out / "report.md", to_markdown(comparison, title, "curve.png" if png else None))
        write_text(out / "report.html", to_html(comparison, title, png))
    log.info("%s", comparison.summary())
    return {"passed": comparison.passed, "metrics": len(comparison.metrics)}
