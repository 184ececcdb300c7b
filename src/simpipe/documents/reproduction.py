"""The comparison of a trained model with its reference card and its base model, computed once (stage
`comparison`) into `simpipe.documents.comparison.Comparison`.

Both sides are `CardFacts`: the reference's from `simpipe.cards`, this run's from its record
(`simpipe.artifacts.trained`: run.json, training arguments, log history, emissions) and its metrics.
"""

from __future__ import annotations

import math
from typing import Any

from simpipe.artifacts.metrics import (
    RERANK,
    RERANK_SHOWN,
    RETRIEVER,
    Metrics,
    base_of,
    dev_metrics,
    headline,
    headline_search_metrics,
    is_search_headline,
    search_key,
    split_metric,
)
from simpipe.artifacts.trained import Record
from simpipe.cards.facts import EVAL, TRAIN, CardFacts, DatasetFacts, EvaluatorFacts
from simpipe.documents.co2 import co2_eq_emissions
from simpipe.documents.comparison import AS_BUILT, Comparison, FactRow, LiftRow, MetricRow, RerankRow, fused
from simpipe.documents.replay import card_hyperparameters
from simpipe.modeling.config import family_of
from simpipe.training.catalog import losses_of
from simpipe.training.config import trained_columns
from simpipe.training.sets import TrainingSet

# co2_eq_emissions keys compared, with their units in the cards
ENVIRONMENT = {
    "emissions": "g CO2eq",
    "energy_consumed": "kWh",
    "hours_used": "h",
    "hardware_used": "",
    "cpu_model": "",
    "ram_total_size": "GB",
}
FACTS = (
    "modules",
    "output_dim",
    "num_labels",
    "max_seq_length",
    "train_size",
    "eval_size",
    "columns",
    "loss",
    "base_model",
)
# hyperparameters renamed between sentence-transformers / transformers versions: old -> new
RENAMED = {"warmup_ratio": "warmup_steps"}
TRAINING_LOSS = "Training Loss"


def training_logs(log_history: list[dict], dev_name: str, metric: str) -> list[dict[str, float | None]]:
    """The card's Training Logs rows (Epoch, Step, Training Loss, <dev>_<metric>) of a Trainer log history."""
    column = f"{dev_name}_{metric}"
    rows: dict[int, dict[str, float | None]] = {}
    for entry in log_history:
        value = dev_metrics(entry, dev_name).get(metric)
        if "loss" not in entry and value is None:
            continue
        row = rows.setdefault(entry["step"], {"Epoch": round(entry["epoch"], 4), "Step": float(entry["step"]),
                                              TRAINING_LOSS: None, column: None})  # fmt: skip
        if "loss" in entry:
            row[TRAINING_LOSS] = round(float(entry["loss"]), 4)
        if value is not None:
            row[column] = float(value)
    return list(rows.values())


def reproduced_facts(rec: Record, metrics: Metrics, sets: list[TrainingSet], eval_cfg) -> CardFacts:
    """This run's facts, in the shape of a parsed card's: a training data set per set it trained on (`sets`,
    its own first), with its columns and loss."""
    run = rec.run
    data_cfg = sets[0].cfg.data
    _, curve = headline(data_cfg, eval_cfg, family_of(sets[0].cfg.model))  # the dev curve's metric
    all_hyper, non_default = card_hyperparameters(rec.training_args)
    multi = len(sets) > 1
    trained = [
        DatasetFacts(
            TRAIN, name=s.name if multi else None, loss=s.cfg.train.loss,
            columns=trained_columns(s.cfg.data, s.cfg.mine, losses_of(s.cfg.model)[s.cfg.train.loss]),
            size=run.set_samples.get(s.name, run.train_samples) if multi else run.train_samples,
        )
        for s in sets
    ]  # fmt: skip
    return CardFacts(
        source=f"{run.variant} (this run)",
        base_model=run.base_model,
        modules=list(run.modules),
        architecture=run.architecture,
        output_dim=run.output_dim,
        num_labels=run.num_labels,
        max_seq_length=run.max_seq_length,
        datasets=[*trained, DatasetFacts(EVAL, size=run.eval_samples)],
        non_default_hyperparameters=non_default,
        all_hyperparameters=all_hyper,
        evaluators=[EvaluatorFacts(name=key, metrics=values) for key, values in metrics.items()],
        training_logs=[training_logs(rec.log_history, data_cfg.dev_name, curve)],
        co2=co2_eq_emissions(rec.emissions),
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
    """A fact side by side; it differs only when the reference states it (no reference: nothing to differ from)."""
    return FactRow(name, reference, reproduced, reference is not None and _norm(reference) != _norm(reproduced))


def _hyperparameter(card: CardFacts, key: str) -> Any:
    """A card's value of `key` (or its renamed successor)."""
    return card.hyperparameter(key, RENAMED.get(key))


def curve_column(card: CardFacts) -> str | None:
    """The training-log column of the dev Spearman, e.g. `val_spearman_cosine`."""
    for entry in card.training_log:
        for key in entry:
            if "_spearman_" in key:
                return key
    return None


def curve(card: CardFacts, column: str | None) -> list[tuple[float, float]]:
    if column is None:
        return []
    return [(e["Step"], e[column]) for e in card.training_log if e.get(column) is not None and e.get("Step")]


def shown_metrics(data_cfg, eval_cfg, metrics: Metrics, family: str) -> list[tuple[str, str]]:
    """(metrics.json key, metric) pairs compared with the base model: each split's own metric (Spearman of
    the main similarity for scored pairs, `split_metric`), then (when `metrics` has search metrics) its
    search MRR@10, NDCG@10 and Recall@10/100; with Matryoshka, the headline metric at each dim."""
    similarity = eval_cfg.main_similarity
    own = split_metric(data_cfg.eval_shape, similarity, family)
    shown = []
    for name in (data_cfg.dev_name, data_cfg.test_name):
        if own is not None:
            shown.append((name, own))
        if search_key(name) in metrics:
            shown += [(search_key(name), metric) for metric in headline_search_metrics(similarity)]
    _, metric = headline(data_cfg, eval_cfg, family)
    for name in (data_cfg.dev_name, data_cfg.test_name):
        key = search_key(name) if is_search_headline(data_cfg.shape) else name
        shown += [(k, metric) for k in metrics if k.startswith(f"{key}/dim_")]
    return shown


def lift_rows(metrics: Metrics, shown: list[tuple[str, str]]) -> list[LiftRow]:
    """Base → fine-tuned for each shown metric both models have."""
    rows = []
    for key, metric in shown:
        base, tuned = base_of(metrics, key).get(metric), metrics.get(key, {}).get(metric)
        if base is not None and tuned is not None:
            rows.append(LiftRow(key, metric, base, tuned, tuned - base))
    return rows


def rerank_rows(metrics: Metrics) -> list[RerankRow]:
    """Retriever -> retriever + reranker for each shown metric of each reranked split (`rerank/<split>`)."""
    return [
        RerankRow(key, metric, values[RETRIEVER + metric], values[metric], values[metric] - values[RETRIEVER + metric])
        for key, values in metrics.items()
        if key.startswith(f"{RERANK}/")
        for metric in RERANK_SHOWN
        if metric in values and RETRIEVER + metric in values
    ]


def _reference_sentence(metrics: list[MetricRow], tolerance: float, headline: tuple[str, str], source: str) -> str:
    if not metrics:
        return f"The reference card {source} reports no metrics to compare."
    top = next((row for row in metrics if (row.dataset, row.metric) == headline), metrics[0])
    value = "missing" if top.reproduced is None else f"{top.reproduced:.4f}"
    passed = sum(row.passed for row in metrics)
    return (
        f"{passed} of {len(metrics)} reference metrics reproduced within ±{tolerance:g}; "
        f"{top.dataset} {top.metric}: {value} vs {top.reference:.4f} in the reference."
    )


def summary(
    metrics: list[MetricRow],
    tolerance: float,
    headline: tuple[str, str],
    reference: str | None,
    base_model: str | None = None,
    baseline: list[LiftRow] | None = None,
    retriever: str | None = None,
    rerank: list[RerankRow] | None = None,
    fusion: float | None = None,
) -> str:
    """What this run was compared with, in plain words: the reference card (how many of its metrics were
    reproduced within the tolerance, and the headline), the base model (the headline's lift) and a
    reranker's retriever (the first reranked metric, on the dev split; `fusion`: the reranker's weight in the
    stack's fused scores)."""
    if reference is None and not baseline and not rerank:
        return "Nothing to compare with: no reference card (report.reference is null) and no pretrained base model."
    parts = [
        "No reference card (report.reference is null)." if reference is None
        else _reference_sentence(metrics, tolerance, headline, reference)
    ]  # fmt: skip
    if baseline:
        top = next((row for row in baseline if (row.dataset, row.metric) == headline), baseline[0])
        parts.append(
            f"{f'Base model {base_model}' if base_model else AS_BUILT.capitalize()}: {top.dataset} {top.metric} "
            f"{top.base:.4f} → {top.fine_tuned:.4f} fine-tuned ({top.lift:+.4f})."
        )
    else:
        parts.append("No pretrained base model to compare with.")
    if rerank:
        top = rerank[0]
        parts.append(f"Reranking {retriever}'s candidates{fused(fusion)}: {top.dataset} {top.metric} "
                     f"{top.retriever:.4f} → {top.reranked:.4f} ({top.gain:+.4f}).")  # fmt: skip
    return " ".join(parts)


def reproduced_metric(metrics: dict[str, dict[str, float]], dataset: str, metric: str) -> float | None:
    """A reference metric's value in this run: under its evaluator's name, or, a search evaluator's (which a
    card names by its split), under the split's search key (metrics.json's `search/<split>`)."""
    for key in (dataset, search_key(dataset)):
        if metric in metrics.get(key, {}):
            return metrics[key][metric]
    return None


def compare(
    variant: str,
    reference: CardFacts | None,
    reproduced: CardFacts,
    tolerance: float,
    headline: tuple[str, str],
    lifted: list[tuple[str, str]] | None = None,
    retriever: str | None = None,
    fusion: float | None = None,
) -> Comparison:
    """Every reference metric with its difference and verdict, the facts side by side, the base model's
    `lifted` metrics (default: the headline) beside the fine-tuned model's, and a reranker's search beside
    its `retriever`'s (`fusion`: the reranker's weight when the stack fuses both scores)."""
    ref = reference or CardFacts(source="")
    metrics = []
    for dataset, values in ref.metrics.items():
        for metric, value in values.items():
            got = reproduced_metric(reproduced.metrics, dataset, metric)
            diff = None if got is None else got - value
            passed = diff is not None and math.isfinite(diff) and abs(diff) <= tolerance
            metrics.append(MetricRow(dataset, metric, value, got, diff, passed))
    keys = dict.fromkeys([*ref.non_default_hyperparameters, *reproduced.non_default_hyperparameters])
    shown = [key for key in keys if not any(RENAMED.get(old) == key for old in keys)]  # renamed: under its old name
    column = curve_column(ref) or curve_column(reproduced)
    baseline = lift_rows(reproduced.metrics, lifted or [headline])
    # a kind scored as built but not pretrained (static vectors) names no base model: None beside its rows
    base_model = reproduced.base_model if baseline else None
    source = reference.source if reference else None
    rerank = rerank_rows(reproduced.metrics) if retriever else []
    return Comparison(
        variant=variant,
        reference=source,
        tolerance=tolerance,
        summary=summary(metrics, tolerance, headline, source, base_model, baseline, retriever, rerank, fusion),
        metrics=metrics,
        base_model=base_model,
        baseline=baseline,
        retriever=retriever,
        fusion=fusion,
        rerank=rerank,
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
