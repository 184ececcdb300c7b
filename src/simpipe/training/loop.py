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

from simpipe.evaluation.similarity import DistinctTextSimilarityEvaluator, similarity_evaluator
from simpipe.modeling.hardware import AUTOCAST_DTYPES
from simpipe.tracking.tracker import Tracker
from simpipe.training.args import training_args
from simpipe.training.callbacks import CurveCallback, EvaluateOnEpochEnd
from simpipe.training.losses import build_loss

log = logging.getLogger(__name__)


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
