"""The reproduction report: a comparison (`simpipe.documents.comparison`, read from comparison.json)
rendered as Markdown, a self-contained HTML page and a curve PNG in `reports/<variant>/`."""

from __future__ import annotations

import html

from simpipe.documents.comparison import AS_BUILT, Comparison, FactRow, fused
from simpipe.documents.render import (
    curves_png,
    html_page,
    html_table,
    markdown_table,
    number,
    png_img,
    signed,
    speed_text,
)


def plot_png(comparison: Comparison) -> bytes | None:
    """PNG of the reference and reproduced dev curves, or None when neither side has one."""
    series = [("reference", comparison.reference_curve), ("reproduced", comparison.reproduced_curve)]
    return curves_png(series, comparison.curve_metric or "spearman_cosine")


def _tables(comparison: Comparison) -> list[tuple[str, list[str], list[list[str]]]]:
    metric_rows = [
        [r.dataset, r.metric, number(r.reference), number(r.reproduced), signed(r.diff), "pass" if r.passed else "FAIL"]
        for r in comparison.metrics
    ]

    def facts(rows: list[FactRow]) -> list[list[str]]:
        return [[r.name, number(r.reference), number(r.reproduced), "differs" if r.differs else ""] for r in rows]

    lift_rows = [
        [r.dataset, r.metric, number(r.base), number(r.fine_tuned), signed(r.lift), ""] for r in comparison.baseline
    ]
    tables = []
    if comparison.reference is not None:
        tables.append(
            (
                f"Metrics (tolerance ±{comparison.tolerance:g})",
                ["dataset", "metric", "reference", "reproduced", "diff", ""],
                metric_rows,
            )
        )
    if comparison.baseline:
        tables.append(
            (
                f"Base model → fine-tuned ({comparison.base_model or AS_BUILT})",
                ["dataset", "metric", "base", "fine-tuned", "lift", ""],
                lift_rows,
            )
        )
    if comparison.rerank:
        rows = [[r.dataset, r.metric, number(r.retriever), number(r.reranked), signed(r.gain), ""]
                for r in comparison.rerank]  # fmt: skip
        tables.append((f"Retriever → reranked ({comparison.retriever}{fused(comparison.fusion)})",
                       ["dataset", "metric", "retriever", "reranked", "gain", ""], rows))  # fmt: skip
    return [
        *tables,
        ("Model and data", ["", "reference", "reproduced", ""], facts(comparison.facts)),
        ("Non-default hyperparameters", ["", "reference", "reproduced", ""], facts(comparison.hyperparameters)),
        ("CO2, energy, duration, hardware", ["", "reference", "reproduced", ""], facts(comparison.environment)),
    ]  # fmt: skip


def to_markdown(comparison: Comparison, title: str, plot_name: str | None) -> str:
    lines = [
        f"# {title}",
        "",
        f"Reference: `{comparison.reference or 'none'}`  ",
        f"Reproduced: `{comparison.variant}` (this pipeline)",
        "",
        f"**{comparison.summary}**",
        "",
        *([speed_text(comparison.speed), ""] if comparison.speed else []),
    ]
    for heading, header, rows in _tables(comparison):
        lines += [f"## {heading}", "", *markdown_table(header, rows), ""]
    if plot_name:
        lines += ["## Training curve", "", f"![{comparison.curve_metric} during training]({plot_name})", ""]
    if comparison.architecture:
        lines += ["## Architecture (reproduced)", "", "```", comparison.architecture, "```", ""]
    return "\n".join(lines)


def to_html(comparison: Comparison, title: str, png: bytes | None) -> str:
    """A self-contained page (the plot embedded as a data URI)."""
    esc = html.escape
    body = [
        f"<p>Reference: <code>{esc(comparison.reference or 'none')}</code><br>",
        f"Reproduced: <code>{esc(comparison.variant)}</code> (this pipeline)</p>",
        f"<p><strong>{esc(comparison.summary)}</strong></p>",
        *([f"<p>{esc(speed_text(comparison.speed))}</p>"] if comparison.speed else []),
    ]
    for heading, header, rows in _tables(comparison):
        body.append(f"<h2>{esc(heading)}</h2>" + html_table(header, rows, flag_last=True))
    if png:
        body.append("<h2>Training curve</h2>" + png_img(png, f"{comparison.curve_metric} curves"))
    if comparison.architecture:
        body.append(f"<h2>Architecture (reproduced)</h2><pre>{esc(comparison.architecture)}</pre>")
    return html_page(title, body)
