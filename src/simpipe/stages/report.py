"""Stage `report`: metrics/<variant>/comparison.json rendered -> reports/<variant>/ (Markdown, HTML, curve PNG)."""

from __future__ import annotations

import logging

from simpipe.artifacts.documents import REPORT_HTML, REPORT_MD, REPORT_PNG
from simpipe.core.io import atomic_dir, write_bytes, write_text
from simpipe.core.paths import Layout
from simpipe.documents.comparison import read_comparison
from simpipe.documents.report import plot_png, to_html, to_markdown

log = logging.getLogger(__name__)


def run(cfg) -> None:
    layout = Layout.from_cfg(cfg)
    comparison = read_comparison(layout.metrics(cfg.name))
    title = f"{cfg.name}: reproduction report"
    png = plot_png(comparison)
    with atomic_dir(layout.report(cfg.name)) as out:
        if png:
            write_bytes(out / REPORT_PNG, png)
        write_text(out / REPORT_MD, to_markdown(comparison, title, REPORT_PNG if png else None))
        write_text(out / REPORT_HTML, to_html(comparison, title, png))
    log.info("%s", comparison.summary)
