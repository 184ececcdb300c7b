"""The `train` (conf/train/default.yaml) and `checkpoint` (conf/checkpoint/default.yaml) config sections."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from simpipe.core.sections import Section, at_least, invalid, option, within
from simpipe.training.losses import LOSSES, loss_options

# keep at least this many checkpoints, so that a newest one cut short by a crash leaves one to resume from
MIN_KEEP = 2


@dataclass
class TrainConfig(Section):
    """SentenceTransformerTrainer settings (sentence-transformers' defaults unless noted)."""

    loss: str = option(
        "CosineSimilarityLoss", f"a sentence-transformers loss that fits data.shape: {', '.join(LOSSES)}"
    )
    loss_params: dict[str, Any] = option({}, "the loss's keyword arguments, e.g. {scale: 20.0}")
    epochs: int = option(1, "passes over the training pairs")
    batch_size: int = option(32, "pairs per optimizer step (the global batch under DDP)")
    eval_batch_size: int = option(32, "texts per batch of the dev evaluation during training")
    learning_rate: float = option(5.0e-05, "peak learning rate of AdamW")
    lr_scheduler: str = option("linear", "transformers' lr_scheduler_type")
    warmup_ratio: float = option(0.0, "share of the steps that warm the learning rate up")
    weight_decay: float = option(0.0, "AdamW weight decay")
    seed: int = option(42, "seed of the model's initialisation and the data order")
    max_steps: int = option(-1, "stop after this many steps; -1: run all epochs")
    eval_steps: int = option(100, "dev evaluation (the curve) every N steps; also logs the training loss")
    cpu_eval_steps: int | None = option(500, "on the CPU: dev evaluation every N steps instead (null: eval_steps)")
    logging_steps: int = option(100, "training loss logged every N steps")
    eval_max_pairs: int | None = option(None, "dev pairs of the curve during training (null: all)")
    eval_loss: bool = option(True, "also compute the loss on the dev set during training")
    precision: Literal["auto", "fp32", "fp16", "bf16"] = option(
        "auto", "auto: fp16 on CUDA, bf16 on a CPU with native bf16, else fp32"
    )
    device: Literal["auto", "cpu", "cuda"] = option("auto", "auto: CUDA when available, else the CPU")
    dataloader_num_workers: int = option(0, "processes loading batches (0: the main process)")

    def check(self, key: str) -> None:
        if self.loss not in LOSSES:
            raise invalid(f"{key}.loss", self.loss, f"unknown loss; choose one of {', '.join(LOSSES)}")
        if self.loss_params:
            options = loss_options(self.loss)
            unknown = sorted(set(self.loss_params) - set(options))
            if unknown:
                takes = ", ".join(f"{k} (default {v})" for k, v in options.items()) or "none"
                raise invalid(f"{key}.loss_params.{unknown[0]}", self.loss_params[unknown[0]],
                              f"not a parameter of {self.loss}; it takes: {takes}")  # fmt: skip
        within(f"{key}.warmup_ratio", self.warmup_ratio, 0.0, 1.0, "the share of steps that warm up the learning rate")
        for name, what in (
            ("epochs", "passes over the data"),
            ("batch_size", "pairs per step"),
            ("eval_batch_size", "texts per batch"),
            ("eval_steps", "steps between dev evaluations"),
            ("cpu_eval_steps", "steps between dev evaluations on the CPU"),
            ("logging_steps", "steps between loss logs"),
            ("eval_max_pairs", "dev pairs of the curve"),
        ):
            at_least(f"{key}.{name}", getattr(self, name), 1, what)
        at_least(f"{key}.learning_rate", self.learning_rate, 0.0, "the peak learning rate")
        at_least(f"{key}.weight_decay", self.weight_decay, 0.0, "AdamW weight decay")
        at_least(f"{key}.dataloader_num_workers", self.dataloader_num_workers, 0, "loader processes")
        if self.max_steps == 0 or self.max_steps < -1:
            raise invalid(f"{key}.max_steps", self.max_steps, "must be -1 (all epochs) or at least 1")


@dataclass
class CheckpointConfig(Section):
    """Crash safety of the train stage (not a model setting: changing it does not retrain)."""

    every_steps: int | None = option(500, "save model, optimizer, scheduler and RNG states every N steps (null: never)")
    keep: int | None = option(2, f"checkpoints kept on disk (at least {MIN_KEEP})")

    def check(self, key: str) -> None:
        at_least(f"{key}.every_steps", self.every_steps, 1, "steps between checkpoints")
        if self.every_steps and (self.keep is None or self.keep < MIN_KEEP):
            raise invalid(
                f"{key}.keep",
                self.keep,
                f"keep at least {MIN_KEEP} checkpoints, so that a newest one cut short by a crash leaves one to "
                f"resume from (or {key}.every_steps=null for none)",
            )
