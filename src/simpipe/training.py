"""Training with SentenceTransformerTrainer: arguments from config, curves to MLflow."""

from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datasets import Dataset
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer import losses
from sentence_transformers.sentence_transformer.trainer import SentenceTransformerTrainer
from sentence_transformers.sentence_transformer.training_args import SentenceTransformerTrainingArguments
from torch import nn
from transformers import TrainerCallback

from simpipe.distributed import per_device_batch, world_size
from simpipe.errors import ConfigError
from simpipe.evaluation import DistinctTextSimilarityEvaluator, similarity_evaluator
from simpipe.hardware import AUTOCAST_DTYPES
from simpipe.record import curve_metrics
from simpipe.tracking import Tracker

log = logging.getLogger(__name__)


def eval_steps(t, device: str) -> int:
    """Steps between dev evaluations: `train.cpu_eval_steps` on the CPU when set (the curve costs a
    CPU a large share of training), else `train.eval_steps`."""
    key = "cpu_eval_steps" if device == "cpu" and t.cpu_eval_steps is not None else "eval_steps"
    if t[key] < 1:
        raise ConfigError(f"train.{key}={t[key]} must be at least 1 (steps between dev evaluations)")
    return t[key]


def training_args(cfg, output_dir: Path, device: str, precision: str) -> SentenceTransformerTrainingArguments:
    t = cfg.train
    if not 0.0 <= t.warmup_ratio < 1.0:
        raise ConfigError(f"train.warmup_ratio={t.warmup_ratio} must be in [0, 1)")
    return SentenceTransformerTrainingArguments(
        output_dir=str(output_dir),
        num_train_epochs=t.epochs,
        max_steps=t.max_steps,
        per_device_train_batch_size=per_device_batch(t.batch_size, "train.batch_size"),
        per_device_eval_batch_size=t.eval_batch_size,
        learning_rate=t.learning_rate,
        lr_scheduler_type=t.lr_scheduler,
        warmup_steps=float(t.warmup_ratio),  # a float < 1 is a ratio of the total steps
        weight_decay=t.weight_decay,
        seed=t.seed,
        eval_strategy="steps",
        eval_steps=eval_steps(t, device),
        logging_steps=t.logging_steps,
        save_strategy="steps" if cfg.checkpoint.every_steps else "no",
        save_steps=cfg.checkpoint.every_steps or 500,
        save_total_limit=cfg.checkpoint.keep,
        report_to="none",
        use_cpu=device == "cpu",
        fp16=precision == "fp16",
        bf16=precision == "bf16",
        dataloader_num_workers=t.dataloader_num_workers,
        dataloader_pin_memory=device == "cuda",
        # DDP: every process needs a full batch at every step; all parameters take part in the loss
        dataloader_drop_last=world_size() > 1,
        ddp_find_unused_parameters=False,
    )


# sentence-transformers losses for (text, text, score in [0, 1]) pairs
LOSSES = ("CosineSimilarityLoss", "CoSENTLoss", "AnglELoss")


def loss_options(name: str) -> dict[str, Any]:
    """The keyword arguments of loss class `name` that a config can set (numbers, strings, booleans), with defaults."""
    signature = inspect.signature(getattr(losses, name).__init__)
    return {
        key: p.default
        for key, p in signature.parameters.items()
        if isinstance(p.default, int | float | str | bool) and p.default is not inspect.Parameter.empty
    }


def build_loss(model: SentenceTransformer, name: str, params) -> nn.Module:
    """`train.loss` (a sentence-transformers loss class) with `train.loss_params` as keyword arguments."""
    if name not in LOSSES:
        raise ConfigError(f"train.loss={name!r} is unknown; choose one of {', '.join(LOSSES)}")
    options = loss_options(name)
    unknown = sorted(set(params or {}) - set(options))
    if unknown:
        choices = ", ".join(f"{k} (default {v})" for k, v in options.items()) or "none"
        raise ConfigError(f"train.loss_params.{unknown[0]}: not a parameter of {name}; it takes: {choices}")
    return getattr(losses, name)(model, **dict(params or {}))


class CurveCallback(TrainerCallback):
    """Send the loss and dev-metric curves to MLflow as the Trainer logs them."""

    def __init__(self, tracker: Tracker, dev_name: str) -> None:
        self.tracker = tracker
        self.dev_name = dev_name

    def on_log(self, args, state, control, logs=None, **kwargs):
        self.tracker.log_metrics(curve_metrics(logs or {}, self.dev_name), step=state.global_step)


class EvaluateOnEpochEnd(TrainerCallback):
    """Evaluate at the end of every epoch too, as `model.fit` did (the seed cards' logs)."""

    def on_epoch_end(self, args, state, control, **kwargs):
        # not already evaluated at this step: by eval_steps, or as the Trainer's last step
        if state.global_step % args.eval_steps and state.global_step < state.max_steps:
            control.should_evaluate = True
        return control


def curve_evaluator(dev_ds: Dataset, cfg, precision: str = "fp32") -> DistinctTextSimilarityEvaluator:
    """The dev curve during training: the main similarity only, `train.eval_batch_size` texts a batch,
    in the training's `precision` (the `eval` settings of the final evaluation do not touch training)."""
    main = cfg.eval.main_similarity
    return similarity_evaluator(
        dev_ds,
        cfg.data.dev_name,
        cfg.data.columns,
        cfg.train.eval_batch_size,
        [main],
        main_similarity=main,
        autocast=AUTOCAST_DTYPES.get(precision),
    )


@dataclass
class TrainResult:
    log_history: list[dict[str, Any]]
    args: dict[str, Any]
    global_step: int
    epoch: float


def train(
    cfg,
    model: SentenceTransformer,
    train_ds: Dataset,
    dev_ds: Dataset,
    tracker: Tracker,
    work_dir: Path,
    device: str,
    precision: str,
    resume_from: Path | None = None,
    callbacks: list[TrainerCallback] | None = None,
) -> TrainResult:
    """Fine-tune `model` in place with the variant's loss and hyperparameters; checkpoints go to
    `work_dir`, and `resume_from` (a checkpoint there) continues an interrupted run exactly."""
    loss = build_loss(model, cfg.train.loss, cfg.train.loss_params)
    args = training_args(cfg, work_dir, device, precision)
    trainer = SentenceTransformerTrainer(
        model=model,
        args=args,
        train_dataset=train_ds,
        eval_dataset=dev_ds if cfg.train.eval_loss else None,
        loss=loss,
        evaluator=curve_evaluator(dev_ds, cfg, precision),
        callbacks=[CurveCallback(tracker, cfg.data.dev_name), EvaluateOnEpochEnd(), *(callbacks or [])],
    )
    log.info("training %s on %s (%s): %d pairs", cfg.name, device, precision, len(train_ds))
    if resume_from is not None:
        log.info("resuming %s from %s", cfg.name, resume_from)
    trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)
    return TrainResult(
        log_history=list(trainer.state.log_history),
        args=args.to_dict(),
        global_step=trainer.state.global_step,
        epoch=float(trainer.state.epoch or 0.0),
    )
