"""Model cards in the seeds' format, built with sentence-transformers' own card machinery.

The train stage records what the Trainer saw (arguments, log history, emissions); here that
record is replayed through `SentenceTransformerModelCardCallback` (`simpipe.documents.replay`), final
metrics are added with
`set_evaluation_metrics`, and `model.save` renders the Hugging Face README with front matter.
The comparison stage's verdict becomes the card's "Reproduction" section.

A part of the card that fails (data set statistics, widget examples, training logs, a metric table) is
left out with a warning; a card that cannot be rendered at all is rendered again without them. Training
is finished by then: a card problem never costs it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from datasets import Dataset, DatasetDict
from sentence_transformers.base.model import BaseModel
from sentence_transformers.base.model_card import format_duration, generate_model_card
from sentence_transformers.cross_encoder.model_card import CrossEncoderModelCardData
from sentence_transformers.sentence_transformer.model_card import SentenceTransformerModelCardData

from simpipe.artifacts.metrics import Metrics, headline, matryoshka_dims, with_prefix
from simpipe.artifacts.trained import Record
from simpipe.core.families import BI_ENCODER, CROSS_ENCODER
from simpipe.data.naming import card_dataset, dataset_name, hub_dataset
from simpipe.data.prepared import class_count
from simpipe.documents.co2 import co2_eq_emissions
from simpipe.documents.comparison import AS_BUILT, Comparison
from simpipe.documents.render import markdown_table, number, signed, speed_text
from simpipe.documents.replay import replay_training
from simpipe.evaluation.classifier import Head
from simpipe.evaluation.suite import EvalSet, sets_evaluators
from simpipe.modeling.config import family_of
from simpipe.training.catalog import dev_loss, losses_of
from simpipe.training.config import trained_columns
from simpipe.training.losses import build_loss, embedding_teacher
from simpipe.training.sets import SetSplits

log = logging.getLogger(__name__)


@dataclass
class RecordedRun:
    """Card data whose CO2 and duration come from the recorded training run, not a live tracker (mixed into
    each model family's card data class)."""

    emissions: dict[str, Any] = field(default_factory=dict, repr=False)
    train_seconds: float | None = field(default=None, repr=False)
    # split name (an evaluator's) -> its data set's name (simpipe.data.naming), for the model-index
    dataset_labels: dict[str, str] = field(default_factory=dict, repr=False)

    def format_eval_metrics(self) -> dict[str, Any]:
        """sentence-transformers' metrics, the model-index naming the data set of each split (`stsb sts-dev`,
        not `sts dev`); its `type` stays the evaluator's name, which card readers key results by."""
        formatted = super().format_eval_metrics()
        for model in formatted["model-index"]:
            for result in model.get("results", []):
                dataset = result.get("dataset") or {}
                if (label := self.dataset_labels.get(dataset.get("type"))) is not None:
                    dataset["name"] = f"{label} {dataset['type']}"
        return formatted

    def get_training_duration_data(self) -> dict[str, str | None]:
        training = format_duration(self.train_seconds) if self.train_seconds is not None else None
        return {"training_time": training, "evaluation_time": None, "total_time": None}

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()  # also cached for to_yaml(); updated in place below
        if "emissions" in self.emissions:
            data["co2_eq_emissions"] = co2_eq_emissions(self.emissions)
        for key in ("emissions", "train_seconds", "dataset_labels"):
            data.pop(key, None)
        return data


@dataclass
class SimpipeModelCardData(RecordedRun, SentenceTransformerModelCardData):
    """A bi-encoder's card data, from the recorded run."""


@dataclass
class SimpipeRerankerCardData(RecordedRun, CrossEncoderModelCardData):
    """A cross-encoder's card data, from the recorded run."""


# where a card says each model family's losses are (as sentence-transformers' own cards do)
CARD_LOSSES = {BI_ENCODER: "sentence_transformers.losses", CROSS_ENCODER: "sentence_transformers.cross_encoder.losses"}
# each model family's card data
CARD_DATA: dict[str, type[RecordedRun]] = {BI_ENCODER: SimpipeModelCardData, CROSS_ENCODER: SimpipeRerankerCardData}


def build_card_data(
    model: BaseModel,
    sets: list[SetSplits],
    rec: Record,
    metrics: Metrics,
    card,
    eval_cfg,
    train_cfg,
    heads: dict[str, Head],
    candidates: dict[str, pd.DataFrame] | None = None,
) -> RecordedRun:
    """Card data of a trained model from the `card` config, the prepared train (as trained), dev and test
    splits of each data set it was trained on (`sets`, its own first), the train stage's record, the
    final metrics per evaluation split name, the classifier heads trained with it (`heads`, by set) and a
    reranker's candidates of its own dev and test splits.
    Each data set is named by its `data` config (`simpipe.data.naming`) and listed with its own loss."""
    data = bare_card_data(model, rec, card, sets)
    losses = {s.dataset.name: build_loss(model, s.dataset.cfg, num_labels(s)) for s in sets}
    data.set_losses(list(losses.values()))
    multi = len(sets) > 1

    def split(name: str, of: list[SetSplits] = sets) -> Dataset | DatasetDict:
        if multi:
            return DatasetDict({s.dataset.name: s.splits[name] for s in of})
        return of[0].splits[name]

    def statistics() -> None:
        loss = losses if multi else losses[sets[0].dataset.name]
        data.train_datasets = data.extract_dataset_metadata(split("train"), data.train_datasets, loss, "train")
        if scored := with_dev_loss(sets):
            data.eval_datasets = data.extract_dataset_metadata(split("dev", scored), data.eval_datasets, loss, "eval")

    card_part("data set statistics", statistics)
    card_part("widget examples", lambda: data.set_widget_examples(split("dev")))
    parts = [EvalSet(s.dataset.cfg.data, s.splits, s.min_label, heads.get(s.dataset.name),
                     embedding_teacher(s.dataset.cfg, "cpu")) for s in sets]  # fmt: skip
    parts[0].candidates = candidates
    family = family_of(sets[0].dataset.cfg.model)
    by_key = sets_evaluators(parts, eval_cfg, family, matryoshka_dims(train_cfg))
    curve_key, _ = headline(sets[0].dataset.cfg.data, eval_cfg, family)
    card_part(
        "training logs",
        lambda: replay_training(model, rec.training_args, rec.log_history, by_key[curve_key]),
    )
    for key, evaluator in by_key.items():
        prefixed = with_prefix(metrics[key], f"{evaluator.name}_")
        card_part(
            f"{key} metrics",
            lambda e=evaluator, m=prefixed: data.set_evaluation_metrics(e, m, rec.run.epoch, rec.run.global_step),
        )
    return data


def with_dev_loss(sets: list[SetSplits]) -> list[SetSplits]:
    """The data sets whose loss training computed on the dev split: the card's evaluation data sets."""
    return [s for s in sets if dev_loss(s.dataset.cfg)]


def bare_card_data(model: BaseModel, rec: Record, card, sets: list[SetSplits]) -> RecordedRun:
    """The card's data (of the model family's class) without the parts that can fail: names, base model,
    data set names (each with its columns and loss), versions, CO2."""
    family = family_of(sets[0].dataset.cfg.model)

    def named(dataset) -> dict[str, Any]:  # a fresh dict each: the card fills them in place
        # what the card's template needs of a data set without statistics: its name, columns and loss
        view = dataset.cfg
        loss = {"fullname": f"{CARD_LOSSES[family]}.{view.train.loss}"}
        return {
            **card_dataset(view.data),
            "columns": trained_columns(view.data, view.mine, losses_of(view.model)[view.train.loss]),
            "loss": loss,
        }

    data = CARD_DATA[family](
        language=card.language or [],
        license=card.license,
        model_name=card.model_name,
        model_id=card.model_id,
        train_datasets=[named(s.dataset) for s in sets],
        eval_datasets=[named(s.dataset) for s in with_dev_loss(sets)],
        local_files_only=True,
        emissions=rec.emissions,
        train_seconds=rec.run.train_seconds,
        dataset_labels={
            name: dataset_name(s.dataset.cfg.data)
            for s in sets
            for name in (s.dataset.cfg.data.dev_name, s.dataset.cfg.data.test_name)
        },
    )
    model.model_card_data = data
    data.register_model(model)
    if card.get("base_model"):  # set directly: offline, the hub cannot confirm it
        data.base_model = card.base_model
    if hubs := [hub for s in sets if (hub := hub_dataset(s.dataset.cfg.data))]:
        data.datasets = hubs  # the front matter's `datasets`, which the hub would fill in online
    data.version = {k: v for k, v in rec.run.versions.items() if k in data.version}
    data.add_tags("generated_from_trainer")
    return data


def num_labels(part: SetSplits) -> int | None:
    """The classes of a set whose loss trains a classifier over class ids (SoftmaxLoss): of its train split."""
    view = part.dataset.cfg
    head = losses_of(view.model)[view.train.loss].head
    return class_count(part.splits["train"], view.data.columns[-1]) if head else None


def card_part(name: str, build: Callable[[], object]) -> None:
    """Add one part of the card; when it fails, warn and leave it out (the card is written without it)."""
    try:
        build()
    except Exception as exc:  # any failure of an optional part: said, and the rest of the card kept
        log.warning("model card: %s left out (%s)", name, why(exc))


def why(exc: Exception) -> str:
    """An exception as one short line."""
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:200]


def render_card(model: BaseModel, save_dir: str, bare: Callable[[], RecordedRun]) -> str:
    """The card of `model` as Markdown; when rendering fails, a warning and the card of `bare()` card data
    (names, data sets, versions: without the statistics, logs and metrics)."""
    model.model_card_data.save_dir = save_dir
    try:
        return generate_model_card(model)
    except Exception as exc:  # the template choked on a part: render the card without them
        log.warning("model card: rendering failed (%s); written without statistics, logs and metrics", why(exc))
    data = bare()
    data.save_dir = save_dir
    return generate_model_card(model)


def baseline_lines(comparison: Comparison) -> list[str]:
    """The card's "base → fine-tuned" table (nothing without a base model)."""
    if not comparison.baseline:
        return []
    rows = [[r.dataset, r.metric, number(r.base), number(r.fine_tuned), signed(r.lift)] for r in comparison.baseline]
    base = f"`{comparison.base_model}`" if comparison.base_model else AS_BUILT
    return [
        f"Before and after fine-tuning {base} (same splits, same evaluators):",
        "",
        *markdown_table(["Dataset", "Metric", "Base", "Fine-tuned", "Lift"], rows),
        "",
    ]


def reproduction_section(comparison: Comparison, report_path: str) -> str:
    """The card's short "Reproduction" section: what the run was compared with, the verdict, the tables."""
    speed = [speed_text(comparison.speed), ""] if comparison.speed else []
    if comparison.reference is None:
        return "\n".join(["## Reproduction", "", comparison.summary, "", *speed, *baseline_lines(comparison)])
    rows = [
        [row.dataset, row.metric, number(row.reference), number(row.reproduced), signed(row.diff)]
        for row in comparison.metrics
    ]
    lines = [
        "## Reproduction",
        "",
        f"This model reproduces the card `{comparison.reference}` with simpipe (DVC + Hydra + MLflow).",
        comparison.summary,
        "",
        *speed,
        *markdown_table(["Dataset", "Metric", "Reference", "Reproduced", "Diff"], rows),
        "",
        *baseline_lines(comparison),
        f"The side-by-side report (hyperparameters, data, CO2, curves): `{report_path}`.",
        "",
    ]
    return "\n".join(lines)


def insert_section(readme: str, section_text: str, before: str = "## Training Details") -> str:
    """Insert a Markdown section before the heading `before` (at the end when it is missing)."""
    marker = f"\n{before}"
    if marker in readme:
        head, tail = readme.split(marker, 1)
        return f"{head}\n{section_text}{marker}{tail}"
    return f"{readme.rstrip()}\n\n{section_text}"
