"""Training with sentence-transformers' trainer of the model's family (SentenceTransformerTrainer,
CrossEncoderTrainer): the variant's loss and arguments, the dev curve, checkpoints."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datasets import Dataset, DatasetDict
from omegaconf import DictConfig
from sentence_transformers.base.model import BaseModel
from sentence_transformers.cross_encoder.trainer import CrossEncoderTrainer
from sentence_transformers.evaluation import SequentialEvaluator
from sentence_transformers.sentence_transformer.trainer import SentenceTransformerTrainer
from transformers import TrainerCallback

from simpipe.core.errors import ConfigError
from simpipe.core.families import BI_ENCODER, CROSS_ENCODER
from simpipe.data.prepared import class_count
from simpipe.evaluation.classifier import Head
from simpipe.evaluation.suite import curve_evaluator
from simpipe.modeling.config import family_of
from simpipe.modeling.hardware import AUTOCAST_DTYPES
from simpipe.tracking.tracker import Tracker
from simpipe.training.args import column_prompts, training_args
from simpipe.training.callbacks import CurveCallback, EvaluateOnEpochEnd
from simpipe.training.catalog import dev_loss, losses_of
from simpipe.training.config import train_shape
from simpipe.training.losses import build_loss, classifier_head, embedding_teacher, set_activation

log = logging.getLogger(__name__)

# each model family's trainer (its `training_args_class`: the arguments it takes)
TRAINERS = {BI_ENCODER: SentenceTransformerTrainer, CROSS_ENCODER: CrossEncoderTrainer}


def check_recipe(cfg, model: BaseModel) -> None:
    """What only the model can tell (Matryoshka dims within its size), and a warning for gradient
    accumulation with an in-batch-negative loss, whose negatives are the rows of one batch only."""
    t = cfg.train
    size = model.get_embedding_dimension() if t.matryoshka else None
    if t.matryoshka and size and max(t.matryoshka.dims) > size:
        raise ConfigError(
            f"train.matryoshka.dims={list(t.matryoshka.dims)}: the model's embeddings have {size} dims; "
            f"use dims of at most {size}"
        )
    if losses_of(cfg.model)[t.loss].in_batch and t.gradient_accumulation_steps > 1:
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
    heads: dict[str, Head] = field(default_factory=dict)  # classifier heads trained with it, by data set


@dataclass
class SetRows:
    """The rows of one more data set a variant trains on (`train.datasets`): its name (the DatasetDict's
    key), the variant's config as that set's (`simpipe.training.sets`), its train and dev rows and its
    prepared search threshold."""

    name: str
    cfg: DictConfig
    train: Dataset
    dev: Dataset
    min_label: float | None


def train(
    cfg,
    model: BaseModel,
    train_ds: Dataset,
    dev_ds: Dataset,
    min_label: float | None,
    tracker: Tracker,
    work_dir: Path,
    device: str,
    precision: str,
    resume_from: Path | None = None,
    callbacks: list[TrainerCallback] | None = None,
    more: Sequence[SetRows] = (),
) -> TrainResult:
    """Fine-tune `model` in place with the variant's loss and hyperparameters on `train_ds` (and on each of
    `more`, its `train.datasets`, with their losses: sentence-transformers' multi-dataset training);
    checkpoints go to `work_dir`, and `resume_from` (a checkpoint there) continues an interrupted run
    exactly; `min_label`: the prepared search threshold (a search curve's relevant pairs)."""
    sets = [SetRows(cfg.data.name, cfg, train_ds, dev_ds, min_label), *more]
    autocast = AUTOCAST_DTYPES.get(precision)
    family = family_of(cfg.model)
    for rows in sets:
        check_recipe(rows.cfg, model)
    losses = {rows.name: build_loss(model, rows.cfg, num_labels(rows)) for rows in sets}
    if family == CROSS_ENCODER:
        set_activation(model, cfg.model, cfg.train)
    heads = {name: head for name, loss in losses.items() if (head := classifier_head(loss)) is not None}
    prompts = {
        rows.name: column_prompts(model.prompts, list(rows.train.column_names),
                                  train_shape(rows.cfg.data.shape, rows.cfg.mine.enabled,
                                              losses_of(rows.cfg.model)[rows.cfg.train.loss]))
        for rows in sets
    }  # fmt: skip
    curves = [
        curve_evaluator(rows.dev, rows.cfg.data, cfg.eval, rows.min_label, cfg.train.eval_batch_size, autocast,
                        family, heads.get(rows.name), embedding_teacher(rows.cfg, device))
        for rows in sets
    ]  # fmt: skip
    scored = [rows for rows in sets if dev_loss(rows.cfg)]  # the sets whose dev loss training computes
    for rows in sets:
        if cfg.train.eval_loss and rows not in scored:
            log.info("%s: no dev loss (%s learns the teacher's labels, which its dev split lacks)", rows.name,
                     rows.cfg.train.loss)  # fmt: skip
    if len(sets) == 1:
        train_input, loss, evaluator = train_ds, losses[sets[0].name], curves[0]
        dev_input = dev_ds if scored else None
        prompt_arg = prompts[sets[0].name]
    else:
        train_input = DatasetDict({rows.name: rows.train for rows in sets})
        dev_input = DatasetDict({rows.name: rows.dev for rows in scored}) if scored else None
        loss, evaluator = losses, SequentialEvaluator([curve for curve in curves if curve is not None])
        prompt_arg = {name: by_column for name, by_column in prompts.items() if by_column} or None
    trainer_class = TRAINERS[family]
    args = training_args(cfg, trainer_class.training_args_class, work_dir, device, precision, prompt_arg,
                         f"eval_{curves[0].primary_metric}")  # fmt: skip
    dev_names = {rows.cfg.data.dev_name: f"eval_{rows.name}_loss" if len(sets) > 1 else "eval_loss" for rows in sets}
    trainer = trainer_class(
        model=model,
        args=args,
        train_dataset=train_input,
        eval_dataset=dev_input,
        loss=loss,
        evaluator=evaluator,
        callbacks=[CurveCallback(tracker, dev_names), EvaluateOnEpochEnd(), *(callbacks or [])],
    )
    for rows in sets:
        log.info(
            "training %s on %s (%s): %s, %d rows (%s), %s, prompts %s", cfg.name, device, precision, rows.name,
            len(rows.train), ", ".join(rows.train.column_names), type(losses[rows.name]).__name__,
            prompts[rows.name] or "none",
        )  # fmt: skip
    log.info("batch sampler %s%s", args.batch_sampler,
             f", multi-dataset sampler {args.multi_dataset_batch_sampler}" if len(sets) > 1 else "")  # fmt: skip
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
        heads=heads,
    )


def num_labels(rows: SetRows) -> int | None:
    """The classes of a set of class ids whose loss trains a classifier over them (SoftmaxLoss); else None."""
    if not losses_of(rows.cfg.model)[rows.cfg.train.loss].head:
        return None
    return class_count(rows.train, rows.cfg.data.columns[-1])
