"""Model cards in the seeds' format, built with sentence-transformers' own card machinery.

The train stage records what the Trainer saw (arguments, log history, emissions); here that
record is replayed through `SentenceTransformerModelCardCallback`, final metrics are added with
`set_evaluation_metrics`, and `model.save` renders the Hugging Face README with front matter.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from datasets import Dataset
from sentence_transformers import SentenceTransformer
from sentence_transformers.base.model_card import format_duration
from sentence_transformers.sentence_transformer import losses
from sentence_transformers.sentence_transformer.model_card import (
    SentenceTransformerModelCardCallback,
    SentenceTransformerModelCardData,
)
from sentence_transformers.sentence_transformer.training_args import SentenceTransformerTrainingArguments
from transformers import TrainerControl, TrainerState

from simpipe.evaluation import build_evaluator


@dataclass
class SimpipeModelCardData(SentenceTransformerModelCardData):
    """Card data whose CO2 and duration come from the recorded training run, not a live tracker."""

    emissions: dict[str, Any] = field(default_factory=dict, repr=False)
    train_seconds: float | None = field(default=None, repr=False)

    def get_training_duration_data(self) -> dict[str, str | None]:
        training = format_duration(self.train_seconds) if self.train_seconds is not None else None
        return {"training_time": training, "evaluation_time": None, "total_time": None}

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()  # also cached for to_yaml(); updated in place below
        if "emissions" in self.emissions:
            data["co2_eq_emissions"] = co2_eq_emissions(self.emissions)
        for key in ("emissions", "train_seconds"):
            data.pop(key, None)
        return data


def co2_eq_emissions(record: dict[str, Any]) -> dict[str, Any]:
    """The card's `co2_eq_emissions` block (as in the seed card) from a codecarbon record."""
    block: dict[str, Any] = {
        "emissions": float(record["emissions"]) * 1000,  # kg -> g
        "energy_consumed": float(record["energy_consumed"]),
        "source": "codecarbon",
        "training_type": "fine-tuning",
        "on_cloud": record.get("on_cloud") == "Y",
        "cpu_model": record.get("cpu_model"),
        "ram_total_size": record.get("ram_total_size"),
        "hours_used": round(float(record["duration"]) / 3600, 3),
    }
    if record.get("gpu_model"):
        block["hardware_used"] = record["gpu_model"]
    return block


def _replay_training(
    data: SimpipeModelCardData,
    model: SentenceTransformer,
    training_args: dict[str, Any],
    log_history: list[dict[str, Any]],
    dev_evaluator,
) -> None:
    """Feed the recorded Trainer events to sentence-transformers' card callback, in order."""
    with tempfile.TemporaryDirectory() as tmp:
        defaults = SentenceTransformerTrainingArguments(output_dir=tmp).to_dict()
    callback = SentenceTransformerModelCardCallback(defaults)
    args = SimpleNamespace(to_dict=lambda: dict(training_args))
    control = TrainerControl()
    callback.on_train_begin(args, TrainerState(), control, model=model)
    prefix = f"eval_{dev_evaluator.name}_"
    for entry in log_history:
        state = TrainerState(epoch=entry.get("epoch"), global_step=entry.get("step", 0))
        if "loss" in entry:
            callback.on_log(args, state, control, model=model, logs=entry)
        dev_metrics = {k.removeprefix("eval_"): v for k, v in entry.items() if k.startswith(prefix)}
        if dev_metrics:
            data.set_evaluation_metrics(dev_evaluator, dev_metrics, state.epoch, state.global_step)
        if "eval_loss" in entry:
            callback.on_evaluate(args, state, control, model=model, metrics=entry)


def build_card_data(
    cfg,
    model: SentenceTransformer,
    splits: dict[str, Dataset],
    record: dict[str, Any],
    metrics: dict[str, dict[str, float]],
) -> SimpipeModelCardData:
    """Card data of a trained model.

    `splits`: prepared train/dev/test; `record`: the train stage's training_args, log_history,
    emissions and run info; `metrics`: final metrics per evaluation split name.
    """
    run = record["run"]
    card = cfg.card

    def dataset_meta() -> list[dict[str, str]]:  # a fresh dict each: the card fills them in place
        return [dict(card.train_dataset)] if card.get("train_dataset") else []

    data = SimpipeModelCardData(
        language=card.language or [],
        license=card.license,
        model_name=card.model_name,
        model_id=card.model_id,
        train_datasets=dataset_meta(),
        eval_datasets=dataset_meta() if cfg.train.eval_loss else [],
        local_files_only=True,
        emissions=record["emissions"],
        train_seconds=run["train_seconds"],
    )
    model.model_card_data = data
    data.register_model(model)
    if card.get("base_model"):  # set directly: offline, the hub cannot confirm it
        data.base_model = card.base_model
    data.version = {k: v for k, v in run["versions"].items() if k in data.version}
    data.add_tags("generated_from_trainer")

    loss = losses.CosineSimilarityLoss(model)
    data.set_losses([loss])
    data.train_datasets = data.extract_dataset_metadata(splits["train"], data.train_datasets, loss, "train")
    if cfg.train.eval_loss:
        data.eval_datasets = data.extract_dataset_metadata(splits["dev"], data.eval_datasets, loss, "eval")
    data.set_widget_examples(splits["dev"])

    evaluators = {}
    for split, name in (("dev", cfg.data.dev_name), ("test", cfg.data.test_name)):
        evaluator = build_evaluator(splits[split], name, cfg)
        evaluator.primary_metric = f"{name}_spearman_{cfg.eval.main_similarity}"
        evaluators[name] = evaluator
    _replay_training(data, model, record["training_args"], record["log_history"], evaluators[cfg.data.dev_name])
    for name, evaluator in evaluators.items():
        prefixed = {f"{name}_{k}": v for k, v in metrics[name].items()}
        data.set_evaluation_metrics(evaluator, prefixed, run["epoch"], run["global_step"])
    return data
