"""The one replay of sentence-transformers' model-card callback over a recorded training.

The train stage records what the Trainer saw (arguments, log history); the card and the comparison feed
that record to `SentenceTransformerModelCardCallback` here, so the card's hyperparameters and training logs
are the ones sentence-transformers itself would have written.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from simpipe.artifacts.metrics import dev_metrics, with_prefix


def default_training_args() -> dict[str, Any]:
    """sentence-transformers' default training arguments (what a card's "non-default" is measured against)."""
    from sentence_transformers.sentence_transformer.training_args import SentenceTransformerTrainingArguments

    with tempfile.TemporaryDirectory() as tmp:
        return SentenceTransformerTrainingArguments(output_dir=tmp).to_dict()


def replay_training(
    model: Any, training_args: dict[str, Any], log_history: Iterable[dict[str, Any]] = (), dev_evaluator: Any = None
) -> None:
    """Feed the recorded Trainer events to the card callback, in order, into `model.model_card_data`:
    the hyperparameters (train begin), then per log entry the training loss, the dev evaluator's metrics
    (with `dev_evaluator`) and the dev loss."""
    from sentence_transformers.sentence_transformer.model_card import SentenceTransformerModelCardCallback
    from transformers import TrainerControl, TrainerState

    callback = SentenceTransformerModelCardCallback(default_training_args())
    args = SimpleNamespace(to_dict=lambda: dict(training_args))
    control = TrainerControl()
    callback.on_train_begin(args, TrainerState(), control, model=model)
    for entry in log_history:
        state = TrainerState(epoch=entry.get("epoch"), global_step=entry.get("step", 0))
        if "loss" in entry:
            callback.on_log(args, state, control, model=model, logs=entry)
        if dev_evaluator is not None and (dev := dev_metrics(entry, dev_evaluator.name)):
            prefixed = with_prefix(dev, f"{dev_evaluator.name}_")
            model.model_card_data.set_evaluation_metrics(dev_evaluator, prefixed, state.epoch, state.global_step)
        if any(key.startswith("eval_") and key.endswith("_loss") for key in entry):  # eval_<set>_loss of several
            callback.on_evaluate(args, state, control, model=model, metrics=entry)


def card_hyperparameters(training_args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(all, non-default) hyperparameters as sentence-transformers' card lists them."""
    holder = SimpleNamespace(model_card_data=SimpleNamespace())
    replay_training(holder, training_args)
    return holder.model_card_data.all_hyperparameters, holder.model_card_data.non_default_hyperparameters
