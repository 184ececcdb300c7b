"""Training with SentenceTransformerTrainer: the variant's loss and arguments, the dev curve, checkpoints."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datasets import Dataset
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.trainer import SentenceTransformerTrainer
from transformers import TrainerCallback

from simpipe.core.errors import ConfigError
from simpipe.evaluation.suite import curve_evaluator
from simpipe.modeling.hardware import AUTOCAST_DTYPES
from simpipe.tracking.tracker import Tracker
from simpipe.training.args import column_prompts, training_args
from simpipe.training.callbacks import CurveCallback, EvaluateOnEpochEnd
from simpipe.training.config import train_shape
from simpipe.training.losses import LOSSES, build_loss

log = logging.getLogger(__name__)


def check_recipe(cfg, model: SentenceTransformer) -> None:
    """What only the model can tell (Matryoshka dims within its size), and a warning for gradient
    accumulation with an in-batch-negative loss, whose negatives are the rows of one batch only."""
    t = cfg.train
    size = model.get_embedding_dimension()
    if t.matryoshka and size and max(t.matryoshka.dims) > size:
        raise ConfigError(
            f"train.matryoshka.dims={list(t.matryoshka.dims)}: the model's embeddings have {size} dims; "
            f"use dims of at most {size}"
        )
    if LOSSES[t.loss].in_batch and t.gradient_accumulation_steps > 1:
        log.warning(
            "train.gradient_accumulation_steps=%d adds no in-batch negatives to %s: each of its batches of %d "
            "still sees %d negatives per anchor; for more, raise train.batch_size (CachedMultipleNegativesRankingLoss "
            "keeps its memory low)",
            t.gradient_accumulation_steps, t.loss, t.batch_size, t.batch_size - 1,
        )  # fmt: skip


@dataclass
class TrainResult:
    log_history: list[dict[str, Any]]
    args: dict[str, Any]
    global_step: int
    epoch: float
    best_step: int | None = None  # the step of the model kept by train.load_best_model_at_end


def train(
    cfg,
    model: SentenceTransformer,
    train_ds: Dataset,
    dev_ds: Dataset,
    min_label: float | None,
    tracker: Tracker,
    work_dir: Path,
    device: str,
    precision: str,
    resume_from: Path | None = None,
    callbacks: list[TrainerCallback] | None = None,
) -> TrainResult:
    """Fine-tune `model` in place with the variant's loss and hyperparameters; checkpoints go to
    `work_dir`, and `resume_from` (a checkpoint there) continues an interrupted run exactly; `min_label`:
    the prepared search threshold (a search curve's relevant pairs)."""
    check_recipe(cfg, model)
    loss = build_loss(model, cfg.train)
    shape = train_shape(cfg.data.shape, cfg.mine.enabled)
    prompts = column_prompts(model.prompts, list(train_ds.column_names), shape)
    evaluator = curve_evaluator(
        dev_ds, cfg.data, cfg.eval, min_label, cfg.train.eval_batch_size, AUTOCAST_DTYPES.get(precision)
    )
    args = training_args(cfg, work_dir, device, precision, prompts, f"eval_{evaluator.primary_metric}")
    trainer = SentenceTransformerTrainer(
        model=model,
        args=args,
        train_dataset=train_ds,
        eval_dataset=dev_ds if cfg.train.eval_loss else None,
        loss=loss,
        evaluator=evaluator,
        callbacks=[CurveCallback(tracker, cfg.data.dev_name), EvaluateOnEpochEnd(), *(callbacks or [])],
    )
    log.info(
        "training %s on %s (%s): %d rows (%s), %s, batch sampler %s, prompts %s",
        cfg.name, device, precision, len(train_ds), ", ".join(train_ds.column_names), type(loss).__name__,
        args.batch_sampler, prompts or "none",
    )  # fmt: skip
    if resume_from is not None:
        log.info("resuming %s from %s", cfg.name, resume_from)
    trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)
    best = trainer.state.best_model_checkpoint if args.load_best_model_at_end else None
    if best:
        log.info("%s: kept the model of %s (%s %s)", cfg.name, Path(best).name, args.metric_for_best_model,
                 trainer.state.best_metric)  # fmt: skip
    return TrainResult(
        log_history=list(trainer.state.log_history),
        args=args.to_dict(),
        global_step=trainer.state.global_step,
        epoch=float(trainer.state.epoch or 0.0),
        best_step=int(Path(best).name.rsplit("-", 1)[1]) if best else None,
    )
