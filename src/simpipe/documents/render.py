"""Rendering shared by the card, the reproduction report and run tables: numbers, tables (Markdown, HTML)
and line charts."""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Sequence
from typing import Any

Series = tuple[str, Sequence[tuple[float, float]]]
MISSING = "–"


def number(value: Any, digits: int = 4) -> str:
    """A value for a table cell: `digits` decimals, 3 significant digits below 1e-3, NaN as NaN, – for none;
    lists joined with commas, anything else as text."""
    if value is None:
        return MISSING
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        small = value != 0 and (not math.isfinite(value) or abs(value) < 1e-3)
        return f"{value:.3g}" if small else f"{value:.{digits}f}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def signed(diff: float | None) -> str:
    """A difference with its sign, e.g. +0.0123; – for none."""
    return MISSING if diff is None else f"{diff:+.4f}"


def curves_png(series: Sequence[Series], ylabel: str, title: str | None = None) -> bytes | None:
    """PNG of one line per (label, [(x, y), ...]) against the step; None when no series has a point."""
    if not any(points for _, points in series):
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    for label, points in series:
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], marker=".", label=label)
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows]


def html_table(header: Sequence[str], rows: Sequence[Sequence[str]], flag_last: bool = False) -> str:
    """An HTML table; with `flag_last`, a non-empty last cell also becomes that cell's CSS class."""
    esc = html.escape
    parts = ["<table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr>"]
    for row in rows:
        flag = row[-1] if flag_last else ""
        cells = "".join(
            f"<td class='{esc(flag)}'>{esc(c)}</td>" if flag and c == flag else f"<td>{esc(str(c))}</td>" for c in row
        )
        parts.append(f"<tr>{cells}</tr>")
    return "".join(parts) + "</table>"


def html_page(title: str, body: Sequence[str]) -> str:
    """A self-contained page with the shared style."""
    return "\n".join(
        [
            "<!doctype html><html><head><meta charset='utf-8'>",
            f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto}}"
            "table{border-collapse:collapse;margin-bottom:1.5em}td,th{border:1px solid #ccc;padding:4px 8px}"
            ".FAIL,.differs{background:#fde2e2}.pass{background:#e2f5e2}"
            "pre{background:#f5f5f5;padding:8px;white-space:pre-wrap}</style>",
            f"</head><body><h1>{html.escape(title)}</h1>",
            *body,
            "</body></html>",
        ]
    )


def png_img(png: bytes, alt: str) -> str:
    """An <img> with the PNG embedded as a data URI."""
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{base64.b64encode(png).decode('ascii')}'>"


def speed_text(speed: dict) -> str:
    """An encoding speed record (speed.json) as one sentence: rate (a reranker scores pairs, a bi-encoder encodes
    texts), machine, threads, date."""
    unit = "pairs" if "pairs_per_s" in speed else "texts"
    verb = "Scores" if unit == "pairs" else "Encodes"
    rate = f"{speed[f'{unit}_per_s']:,.0f} {unit}/s"
    return (f"{verb} {rate} on {speed['cpu']} ({speed['device']}, {speed['torch_threads']} torch threads, "
            f"batch {speed['batch_size']}; measured {speed['date']}).")  # fmt: skip
