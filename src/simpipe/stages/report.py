"""Stage `report`: the reference card beside the reproduced one -> reports/<variant>/."""

from __future__ import annotations

import logging
from pathlib import Path

from simpipe.io import atomic_dir, write_text
from simpipe.paths import Layout
from simpipe.reference import CardError, ReferenceCard, load_card
from simpipe.report import compare, plot_png, to_html, to_markdown

log = logging.getLogger(__name__)


def reference_card(report_cfg) -> ReferenceCard:
    """The reference card from `report.reference` (a file), else `report.reference_hub` (a hub model id)."""
    path = Path(report_cfg.reference) if report_cfg.reference else None
    if path is not None and path.is_file():
        return load_card(path)
    if report_cfg.get("reference_hub"):
        try:
            from huggingface_hub import hf_hub_download

            return load_card(Path(hf_hub_download(report_cfg.reference_hub, "README.md")))
        except CardError:
            raise
        except Exception as exc:  # offline or unknown id: one clear error below
            hub = f" nor from the hub ({report_cfg.reference_hub}: {type(exc).__name__})"
    else:
        hub = ""
    raise CardError(
        f"report.reference={report_cfg.reference!r}: reference card not found{hub}; "
        "set it to a model card (README.md) path or report.reference_hub to a hub model id"
    )


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
