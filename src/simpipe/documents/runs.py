"""Tracked runs side by side: a table from MLflow (variant, the params that differ, Spearman, CO2, duration)
and a chart of their dev Spearman curves. Used by `simpipe runs` and by sweeps' parent runs."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from simpipe.artifacts.metrics import HEADLINE, SPEED, curve_metric, curve_shape, is_search_headline, search_key
from simpipe.core.errors import SimpipeError
from simpipe.core.families import BI_ENCODER
from simpipe.core.io import write_bytes, write_text
from simpipe.documents.render import curves_png, html_page, html_table, markdown_table, number, png_img
from simpipe.modeling.config import MODEL_SECTIONS
from simpipe.tracking.emissions import CO2_GRAMS

# params that differ between runs without describing the model (e.g. per-job artifact roots)
IGNORED_PARAMS = ("report.", "card.")


@dataclass
class RunRow:
    """One training run as logged by the train and evaluate stages."""

    run_id: str
    name: str
    status: str
    params: dict[str, str]
    metrics: dict[str, float]
    tags: dict[str, str]
    start_ms: int
    end_ms: int | None
    curve: list[tuple[float, float]] = field(default_factory=list)

    @property
    def dev_name(self) -> str:
        return self.params.get("data.dev_name", "dev")

    @property
    def test_name(self) -> str:
        return self.params.get("data.test_name", "test")

    @property
    def curve_metric(self) -> str:
        """The dev metric tracked during training, e.g. spearman_cosine."""
        return curve_metric(curve_shape(self.data("data."), self.family),
                            self.params.get("eval.main_similarity", "cosine"), self.family)  # fmt: skip

    @property
    def family(self) -> str:
        """The model family of the run's `model.kind`."""
        return MODEL_SECTIONS[self.params.get("model.kind", "transformer")].FAMILY

    def data(self, prefix: str) -> SimpleNamespace:
        """The shapes of the data section logged under `prefix` (`data.`, `train.datasets.<set>.data.`)."""
        shape = self.params.get(f"{prefix}shape", "scored_pairs")
        return SimpleNamespace(shape=shape, eval_shape=self.params.get(f"{prefix}eval_shape", shape))

    @property
    def headline(self) -> float | None:
        return self.metrics.get(HEADLINE)

    def sets(self) -> list[str]:
        """The data sets the run trained on, its own first (`data.name`, then `train.datasets.<name>`)."""
        more = sorted({k.split(".")[2] for k in self.params if k.startswith("train.datasets.") and k.count(".") > 2})
        return [self.params.get("data.name", "data"), *more]

    def set_headline(self, name: str) -> tuple[str, float | None]:
        """(`<key>/<metric>`, value) of the headline metric of the run's data set `name` (train.datasets)."""
        prefix = f"train.datasets.{name}.data."
        data = self.data(prefix)
        shape, dev = data.shape, self.params.get(f"{prefix}dev_name", "dev")
        metric = curve_metric(curve_shape(data, self.family), self.params.get("eval.main_similarity", "cosine"),
                              self.family)  # fmt: skip
        key = f"{search_key(dev) if self.family == BI_ENCODER and is_search_headline(shape) else dev}/{metric}"
        return key, self.metrics.get(key)

    @property
    def speed(self) -> float | None:
        """Texts (a cross-encoder: pairs) per second the trained model encoded at its evaluation."""
        return next((v for k, v in self.metrics.items() if k.startswith(f"{SPEED}/")), None)

    @property
    def duration_s(self) -> float | None:
        return None if self.end_ms is None else (self.end_ms - self.start_ms) / 1000


def find_runs(
    uri: str, experiment: str, parent: str | None = None, variant: str | None = None, max_runs: int = 100
) -> list[RunRow]:
    """Training runs of `experiment` (children of `parent` / of `variant` when given), newest first."""
    from mlflow import MlflowClient

    client = MlflowClient(uri)
    found = client.get_experiment_by_name(experiment)
    if found is None:
        raise SimpipeError(f"no MLflow experiment {experiment!r} in {uri}; train something first or pass --uri")
    filters = []
    if parent:
        filters.append(f"tags.mlflow.parentRunId = '{parent}'")
    if variant:
        filters.append(f"tags.variant = '{variant}'")
    runs = client.search_runs(
        [found.experiment_id], " and ".join(filters), max_results=max_runs, order_by=["attributes.start_time DESC"]
    )
    rows = []
    for run in runs:
        if "variant" not in run.data.tags:  # sweep parents and foreign runs
            continue
        row = RunRow(
            run.info.run_id,
            run.info.run_name,
            run.info.status,
            dict(run.data.params),
            dict(run.data.metrics),
            dict(run.data.tags),
            run.info.start_time,
            run.info.end_time,
        )
        history = client.get_metric_history(run.info.run_id, f"{row.dev_name}/{row.curve_metric}")
        row.curve = sorted((m.step, m.value) for m in history)
        rows.append(row)
    return rows


def changed_params(rows: list[RunRow]) -> list[str]:
    """Param keys whose values are not the same in every run (across variants: `train.*` only)."""
    keys = sorted({k for row in rows for k in row.params if not k.startswith(IGNORED_PARAMS)})
    if len({row.tags.get("variant") for row in rows}) > 1:
        keys = [k for k in keys if k.startswith("train.")]
    return [k for k in keys if len({row.params.get(k) for row in rows}) > 1]


def table(rows: list[RunRow]) -> tuple[list[str], list[list[str]]]:
    """Header and cells: run, variant, status, differing params, headline, dev and test Spearman, (with
    several data sets: the sets and the other sets' headline metrics), encoding speed, CO2, minutes."""
    keys = [k for k in changed_params(rows) if not k.startswith("train.datasets.")]
    multi = any(len(row.sets()) > 1 for row in rows)
    header = ["run", "variant", "status", *keys, "headline", "dev spearman", "test spearman",
              *(["data sets", "other sets' headline"] if multi else []), "encoded /s", "CO2 g", "min"]  # fmt: skip
    cells = []
    for row in rows:
        duration = row.duration_s
        others = [f"{name} {key} {number(value)}" for name in row.sets()[1:] for key, value in [row.set_headline(name)]]
        cells.append(
            [
                row.name,
                row.tags.get("variant", ""),
                row.status,
                *(row.params.get(k, "") for k in keys),
                number(row.headline),
                number(row.metrics.get(f"{row.dev_name}/{row.curve_metric}")),
                number(row.metrics.get(f"{row.test_name}/{row.curve_metric}")),
                *([" + ".join(row.sets()), "; ".join(others)] if multi else []),
                number(row.speed, 0),
                number(row.metrics.get(CO2_GRAMS), 3),
                number(None if duration is None else duration / 60, 1),
            ]
        )
    return header, cells


def text_table(header: list[str], cells: list[list[str]]) -> str:
    """Columns aligned for the terminal."""
    widths = [max(len(str(c)) for c in column) for column in zip(header, *cells, strict=False)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in [header, *cells]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def best(rows: list[RunRow]) -> RunRow | None:
    """The finished run with the highest headline metric (every variant's headline metric is a correlation)."""
    scored = [r for r in rows if r.headline is not None and not math.isnan(r.headline)]
    return max(scored, key=lambda r: r.headline) if scored else None


def curves_chart(rows: list[RunRow], title: str | None = None) -> bytes | None:
    keys = changed_params(rows)
    series = [(f"{r.name}: " + " ".join(f"{k.split('.')[-1]}={r.params.get(k)}" for k in keys), r.curve) for r in rows]
    return curves_png(series, f"dev {rows[0].curve_metric}" if rows else "dev", title)


def write_report(rows: list[RunRow], directory: Path, title: str) -> list[Path]:
    """runs.md, runs.html (chart embedded) and runs.png under `directory`."""
    header, cells = table(rows)
    png = curves_chart(rows, title)
    md = [f"# {title}", "", *markdown_table(header, cells), ""]
    body = [html_table(header, cells)]
    written = []
    if png:
        write_bytes(directory / "runs.png", png)
        written.append(directory / "runs.png")
        md += ["![dev Spearman (cosine) during training](runs.png)", ""]
        body.append(png_img(png, "dev Spearman curves"))
    write_text(directory / "runs.md", "\n".join(md))
    write_text(directory / "runs.html", html_page(title, body))
    return [directory / "runs.md", directory / "runs.html", *written]
