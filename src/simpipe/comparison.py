"""The trained model beside its reference card, computed once (stage `comparison`) and read by
the card (its verdict) and the report (all of it) from `metrics/<variant>/comparison.json`.

Both sides are `CardFacts`: the reference's from `simpipe.reference`, this run's from its record
(`simpipe.record`: run.json, training arguments, log history, emissions) and its metrics.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from simpipe import record
from simpipe.errors import SimpipeError
from simpipe.io import read_json, write_json
from simpipe.reference import CardFacts

# co2_eq_emissions keys compared, with their units in the cards
ENVIRONMENT = {
    "emissions": "g CO2eq",
    "energy_consumed": "kWh",
    "hours_used": "h",
    "hardware_used": "",
    "cpu_model": "",
    "ram_total_size": "GB",
}
FACTS = ("modules", "output_dim", "max_seq_length", "train_size", "eval_size", "columns", "loss", "base_model")
# hyperparameters renamed between sentence-transformers / transformers versions: old -> new
RENAMED = {"warmup_ratio": "warmup_steps"}
TRAINING_LOSS = "Training Loss"


@dataclass
class MetricRow:
    dataset: str
    metric: str
    reference: float
    reproduced: float | None
    diff: float | None
    passed: bool


@dataclass
class FactRow:
    name: str
    reference: Any
    reproduced: Any
    differs: bool


@dataclass
class Comparison:
    """This run beside its reference: rows with their verdicts, curves and architectures, as written."""

    variant: str
    reference: str | None  # where the reference's facts came from; None: no reference
    tolerance: float
    summary: str
    metrics: list[MetricRow] = field(default_factory=list)
    facts: list[FactRow] = field(default_factory=list)
    hyperparameters: list[FactRow] = field(default_factory=list)
    environment: list[FactRow] = field(default_factory=list)
    # the dev curve column (e.g. val_spearman_cosine) and its (step, value) points on each side
    curve_metric: str = ""
    reference_curve: list[tuple[float, float]] = field(default_factory=list)
    reproduced_curve: list[tuple[float, float]] = field(default_factory=list)
    architecture: str = ""

    @property
    def passed(self) -> int:
        return sum(row.passed for row in self.metrics)


def default_training_args() -> dict[str, Any]:
    """sentence-transformers' default training arguments (what a card's "non-default" is measured against)."""
    from sentence_transformers.sentence_transformer.training_args import SentenceTransformerTrainingArguments

    with tempfile.TemporaryDirectory() as tmp:
        return SentenceTransformerTrainingArguments(output_dir=tmp).to_dict()


def card_hyperparameters(training_args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(all, non-default) hyperparameters as sentence-transformers' card callback lists them."""
    from sentence_transformers.sentence_transformer.model_card import SentenceTransformerModelCardCallback
    from transformers import TrainerControl, TrainerState

    holder = SimpleNamespace(model_card_data=SimpleNamespace())
    args = SimpleNamespace(to_dict=lambda: dict(training_args))
    callback = SentenceTransformerModelCardCallback(default_training_args())
    callback.on_train_begin(args, TrainerState(), TrainerControl(), model=holder)
    return holder.model_card_data.all_hyperparameters, holder.model_card_data.non_default_hyperparameters


def training_logs(log_history: list[dict], dev_name: str, curve_metric: str) -> list[dict[str, float | None]]:
    """The card's Training Logs rows (Epoch, Step, Training Loss, <dev>_<metric>) of a Trainer log history."""
    column = f"{dev_name}_{curve_metric}"
    rows: dict[int, dict[str, float | None]] = {}
    for entry in log_history:
        value = record.dev_metrics(entry, dev_name).get(curve_metric)
        if "loss" not in entry and value is None:
            continue
        row = rows.setdefault(entry["step"], {"Epoch": round(entry["epoch"], 4), "Step": float(entry["step"]),
                                              TRAINING_LOSS: None, column: None})  # fmt: skip
        if "loss" in entry:
            row[TRAINING_LOSS] = round(float(entry["loss"]), 4)
        if value is not None:
            row[column] = float(value)
    return list(rows.values())


def reproduced_facts(rec: record.Record, metrics: record.Metrics, data_cfg, eval_cfg, train_cfg) -> CardFacts:
    """This run's facts, in the shape of a parsed card's."""
    run = rec.run
    all_hyper, non_default = card_hyperparameters(rec.training_args)
    return CardFacts(
        source=f"{run.variant} (this run)",
        base_model=run.base_model,
        modules=list(run.modules),
        architecture=run.architecture,
        output_dim=run.output_dim,
        max_seq_length=run.max_seq_length,
        train_size=run.train_samples,
        eval_size=run.eval_samples,
        columns=list(data_cfg.columns),
        loss=train_cfg.loss,
        non_default_hyperparameters=non_default,
        all_hyperparameters=all_hyper,
        metrics=metrics,
        training_logs=training_logs(rec.log_history, data_cfg.dev_name, record.curve_metric(eval_cfg.main_similarity)),
        co2=record.co2_eq_emissions(rec.emissions),
        versions=dict(run.versions),
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


def _fact(name: str, reference: Any, reproduced: Any) -> FactRow:
    return FactRow(name, reference, reproduced, _norm(reference) != _norm(reproduced))


def _hyperparameter(card: CardFacts, key: str) -> Any:
    """A card's value of `key` (or its renamed successor): non-default list first, then all."""
    names = [name for name in (key, RENAMED.get(key)) if name]
    for source in (card.non_default_hyperparameters, card.all_hyperparameters):
        for name in names:
            if source.get(name) not in (None, "None"):
                return source[name]
    return None


def curve_column(card: CardFacts) -> str | None:
    """The training-log column of the dev Spearman, e.g. `val_spearman_cosine`."""
    for entry in card.training_logs:
        for key in entry:
            if "_spearman_" in key:
                return key
    return None


def curve(card: CardFacts, column: str | None) -> list[tuple[float, float]]:
    if column is None:
        return []
    return [(e["Step"], e[column]) for e in card.training_logs if e.get(column) is not None and e.get("Step")]


def summary(metrics: list[MetricRow], tolerance: float, headline: tuple[str, str], reference: str | None) -> str:
    """One sentence: how many reference metrics were reproduced within the tolerance, and the headline."""
    if reference is None:
        return "No reference card to compare with (report.reference is null)."
    if not metrics:
        return "The reference card reports no metrics to compare."
    top = next((row for row in metrics if (row.dataset, row.metric) == headline), metrics[0])
    value = "missing" if top.reproduced is None else f"{top.reproduced:.4f}"
    passed = sum(row.passed for row in metrics)
    return (
        f"{passed} of {len(metrics)} reference metrics reproduced within ±{tolerance:g}; "
        f"{top.dataset} {top.metric}: {value} vs {top.reference:.4f} in the reference."
    )


def compare(
    variant: str, reference: CardFacts | None, reproduced: CardFacts, tolerance: float, headline: tuple[str, str]
) -> Comparison:
    """Every reference metric with its difference and verdict, and the facts side by side."""
    ref = reference or CardFacts(source="")
    metrics = []
    for dataset, values in ref.metrics.items():
        for metric, value in values.items():
            got = reproduced.metrics.get(dataset, {}).get(metric)
            diff = None if got is None else got - value
            passed = diff is not None and math.isfinite(diff) and abs(diff) <= tolerance
            metrics.append(MetricRow(dataset, metric, value, got, diff, passed))
    keys = dict.fromkeys([*ref.non_default_hyperparameters, *reproduced.non_default_hyperparameters])
    shown = [key for key in keys if not any(RENAMED.get(old) == key for old in keys)]  # renamed: under its old name
    column = curve_column(ref) or curve_column(reproduced)
    return Comparison(
        variant=variant,
        reference=reference.source if reference else None,
        tolerance=tolerance,
        summary=summary(metrics, tolerance, headline, reference.source if reference else None),
        metrics=metrics,
        facts=[_fact(name, getattr(ref, name) or None, getattr(reproduced, name) or None) for name in FACTS],
        hyperparameters=[_fact(k, _hyperparameter(ref, k), _hyperparameter(reproduced, k)) for k in shown],
        environment=[
            _fact(f"{key} ({unit})" if unit else key, ref.co2.get(key), reproduced.co2.get(key))
            for key, unit in ENVIRONMENT.items()
        ],
        curve_metric=column or "",
        reference_curve=curve(ref, column),
        reproduced_curve=curve(reproduced, column),
        architecture=reproduced.architecture or "",
    )


def write_comparison(metrics_dir: Path, comparison: Comparison) -> Path:
    path = Path(metrics_dir) / record.COMPARISON_FILE
    write_json(path, asdict(comparison))
    return path


def read_comparison(metrics_dir: Path) -> Comparison:
    path = Path(metrics_dir) / record.COMPARISON_FILE
    if not path.is_file():
        raise SimpipeError(f"{path}: no comparison yet; run the comparison stage first (`dvc repro`)")
    data = read_json(path)
    for key, row in (
        ("metrics", MetricRow),
        ("facts", FactRow),
        ("hyperparameters", FactRow),
        ("environment", FactRow),
    ):
        data[key] = [row(**item) for item in data[key]]
    for key in ("reference_curve", "reproduced_curve"):
        data[key] = [tuple(point) for point in data[key]]
    return Comparison(**data)
