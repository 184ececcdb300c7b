"""Side-by-side comparison of a reference model card and a reproduced one (Markdown + HTML).

Both cards go through the same parser (`simpipe.reference`), so like is compared with like.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from typing import Any

from simpipe.reference import ReferenceCard
from simpipe.render import curves_png, html_page, html_table, markdown_table, png_img

# co2_eq_emissions keys compared, with their units in the cards
ENVIRONMENT = {
    "emissions": "g CO2eq",
    "energy_consumed": "kWh",
    "hours_used": "h",
    "hardware_used": "",
    "cpu_model": "",
    "ram_total_size": "GB",
}
# hyperparameters renamed between sentence-transformers / transformers versions: old -> new
RENAMED = {"warmup_ratio": "warmup_steps"}


@dataclass
class MetricRow:
    dataset: str
    metric: str
    reference: float
    reproduced: float | None
    tolerance: float

    @property
    def diff(self) -> float | None:
        return None if self.reproduced is None else self.reproduced - self.reference

    @property
    def passed(self) -> bool:
        return self.diff is not None and abs(self.diff) <= self.tolerance


@dataclass
class FactRow:
    name: str
    reference: Any
    reproduced: Any

    @property
    def differs(self) -> bool:
        return _norm(self.reference) != _norm(self.reproduced)


@dataclass
class Comparison:
    reference: ReferenceCard
    reproduced: ReferenceCard
    tolerance: float
    metrics: list[MetricRow] = field(default_factory=list)
    facts: list[FactRow] = field(default_factory=list)
    hyperparameters: list[FactRow] = field(default_factory=list)
    environment: list[FactRow] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(row.passed for row in self.metrics)

    def summary(self) -> str:
        """One sentence: how many reference metrics were reproduced within the tolerance."""
        if not self.metrics:
            return "The reference card reports no metrics to compare."
        headline = self.metrics[0]
        for row in self.metrics:
            if row.metric == "spearman_cosine":
                headline = row
                break
        value = "missing" if headline.reproduced is None else f"{headline.reproduced:.4f}"
        return (
            f"{self.passed} of {len(self.metrics)} reference metrics reproduced within ±{self.tolerance:g}; "
            f"{headline.dataset} {headline.metric}: {value} vs {headline.reference:.4f} in the reference."
        )


def _norm(value: Any) -> Any:
    """Compare '5e-05' with 5e-05, '32' with 32, 'True' with True."""
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        try:
            return float(text)
        except ValueError:
            return text
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    return value


def _hyperparameter(card: ReferenceCard, key: str) -> Any:
    """A card's value of `key` (or its renamed successor): non-default list first, then all."""
    names = [name for name in (key, RENAMED.get(key)) if name]
    for source in (card.non_default_hyperparameters, card.all_hyperparameters):
        for name in names:
            if source.get(name) not in (None, "None"):
                return source[name]
    return None


def modules(card: ReferenceCard) -> list[str] | None:
    """Module classes of the architecture, e.g. ['WordEmbeddings', 'LSTM', 'Pooling']."""
    if not card.architecture:
        return None
    return re.findall(r"^\s*\(\d+\): (\w+)", card.architecture, flags=re.M)


def compare(reference: ReferenceCard, reproduced: ReferenceCard, tolerance: float = 0.02) -> Comparison:
    out = Comparison(reference=reference, reproduced=reproduced, tolerance=tolerance)
    for dataset, values in reference.metrics.items():
        for metric, value in values.items():
            got = reproduced.metrics.get(dataset, {}).get(metric)
            out.metrics.append(MetricRow(dataset, metric, value, got, tolerance))
    out.facts.append(FactRow("modules", modules(reference), modules(reproduced)))
    for name in ("output_dim", "max_seq_length", "train_size", "eval_size", "columns", "loss", "base_model"):
        out.facts.append(FactRow(name, getattr(reference, name), getattr(reproduced, name)))
    keys = dict.fromkeys([*reference.non_default_hyperparameters, *reproduced.non_default_hyperparameters])
    for key in keys:
        if key in RENAMED.values() and any(RENAMED[old] == key for old in keys if old in RENAMED):
            continue  # shown under its old name
        out.hyperparameters.append(FactRow(key, _hyperparameter(reference, key), _hyperparameter(reproduced, key)))
    for key, unit in ENVIRONMENT.items():
        name = f"{key} ({unit})" if unit else key
        out.environment.append(FactRow(name, reference.co2.get(key), reproduced.co2.get(key)))
    return out


def curve_column(card: ReferenceCard) -> str | None:
    """The training-log column of the dev Spearman (cosine), e.g. `val_spearman_cosine`."""
    for entry in card.training_logs:
        for key in entry:
            if key.endswith("_spearman_cosine"):
                return key
    return None


def curve(card: ReferenceCard, column: str | None = None) -> list[tuple[float, float]]:
    column = column or curve_column(card)
    if column is None:
        return []
    return [(e["Step"], e[column]) for e in card.training_logs if e.get(column) is not None and e.get("Step")]


def plot_png(comparison: Comparison) -> bytes | None:
    """PNG of the reference and reproduced Spearman curves, or None when neither card has one."""
    ref_column = curve_column(comparison.reference)
    series = [
        ("reference", curve(comparison.reference, ref_column)),
        ("reproduced", curve(comparison.reproduced, ref_column) or curve(comparison.reproduced)),
    ]
    return curves_png(series, ref_column or curve_column(comparison.reproduced) or "spearman_cosine")


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        small = value != 0 and (not math.isfinite(value) or abs(value) < 1e-3)
        return f"{value:.3g}" if small else f"{value:.4f}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _tables(comparison: Comparison) -> list[tuple[str, list[str], list[list[str]]]]:
    metric_rows = [
        [r.dataset, r.metric, _fmt(r.reference), _fmt(r.reproduced),
         "–" if r.diff is None else f"{r.diff:+.4f}", "pass" if r.passed else "FAIL"]
        for r in comparison.metrics
    ]  # fmt: skip

    def facts(rows: list[FactRow]) -> list[list[str]]:
        return [[r.name, _fmt(r.reference), _fmt(r.reproduced), "differs" if r.differs else ""] for r in rows]

    return [
        (f"Metrics (tolerance ±{comparison.tolerance:g})",
         ["dataset", "metric", "reference", "reproduced", "diff", ""], metric_rows),
        ("Model and data", ["", "reference", "reproduced", ""], facts(comparison.facts)),
        ("Non-default hyperparameters", ["", "reference", "reproduced", ""], facts(comparison.hyperparameters)),
        ("CO2, energy, duration, hardware", ["", "reference", "reproduced", ""], facts(comparison.environment)),
    ]  # fmt: skip


def to_markdown(comparison: Comparison, title: str, plot_name: str | None) -> str:
    lines = [
        f"# {title}",
        "",
        f"Reference: `{comparison.reference.source}`  ",
        f"Reproduced: `{comparison.reproduced.source}`",
        "",
        f"**{comparison.summary()}**",
        "",
    ]
    for heading, header, rows in _tables(comparison):
        lines += [f"## {heading}", "", *markdown_table(header, rows), ""]
    if plot_name:
        lines += ["## Training curve", "", f"![Spearman (cosine) during training]({plot_name})", ""]
    for label, card in (("reference", comparison.reference), ("reproduced", comparison.reproduced)):
        if card.architecture:
            lines += [f"## Architecture ({label})", "", "```", card.architecture, "```", ""]
    return "\n".join(lines)


def to_html(comparison: Comparison, title: str, png: bytes | None) -> str:
    """A self-contained page (the plot embedded as a data URI)."""
    esc = html.escape
    body = [
        f"<p>Reference: <code>{esc(comparison.reference.source)}</code><br>",
        f"Reproduced: <code>{esc(comparison.reproduced.source)}</code></p>",
        f"<p><strong>{esc(comparison.summary())}</strong></p>",
    ]
    for heading, header, rows in _tables(comparison):
        body.append(f"<h2>{esc(heading)}</h2>" + html_table(header, rows, flag_last=True))
    if png:
        body.append("<h2>Training curve</h2>" + png_img(png, "Spearman curves"))
    for label, card in (("reference", comparison.reference), ("reproduced", comparison.reproduced)):
        if card.architecture:
            body.append(f"<h2>Architecture ({label})</h2><pre>{esc(card.architecture)}</pre>")
    return html_page(title, body)


def card_section(comparison: Comparison, reference_link: str, report_path: str) -> str:
    """The model card's short "Reproduction" section: the reference, the verdict, the metric table."""
    lines = [
        "## Reproduction",
        "",
        f"This model reproduces the card at `{reference_link}` with simpipe (DVC + Hydra + MLflow).",
        comparison.summary(),
        "",
        "| Dataset | Metric | Reference | Reproduced | Diff |",
        "|:--|:--|--:|--:|--:|",
    ]
    for row in comparison.metrics:
        diff = "–" if row.diff is None else f"{row.diff:+.4f}"
        lines.append(f"| {row.dataset} | {row.metric} | {row.reference:.4f} | {_fmt(row.reproduced)} | {diff} |")
    lines += ["", f"The side-by-side report (hyperparameters, data, CO2, curves): `{report_path}`.", ""]
    return "\n".join(lines)


def insert_section(readme: str, section_text: str, before: str = "## Training Details") -> str:
    """Insert a Markdown section before the heading `before` (at the end when it is missing)."""
    marker = f"\n{before}"
    if marker in readme:
        head, tail = readme.split(marker, 1)
        return f"{head}\n{section_text}{marker}{tail}"
    return f"{readme.rstrip()}\n\n{section_text}"
