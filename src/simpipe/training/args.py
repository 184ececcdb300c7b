"""The trainer's arguments (SentenceTransformerTrainingArguments, CrossEncoderTrainingArguments: the same
fields) from the `train` and `checkpoint` config sections."""

from __future__ import annotations

from pathlib import Path

from sentence_transformers.base.training_args import BaseTrainingArguments

from simpipe.data.shapes import QUERY_DOCUMENT_SHAPES
from simpipe.training.catalog import batch_sampler, losses_of, variant_losses
from simpipe.training.distributed import per_device_batch, world_size


def eval_steps(t, device: str) -> int:
    """Steps between dev evaluations: `train.cpu_eval_steps` on the CPU when set (the curve costs a
    CPU a large share of training), else `train.eval_steps`."""
    return t.cpu_eval_steps if device == "cpu" and t.cpu_eval_steps is not None else t.eval_steps


def column_prompts(model_prompts: dict[str, str], columns: list[str], shape: str) -> dict[str, str] | None:
    """Train column -> prompt for the query/document shapes (pairs, triplets): the anchor (first column)
    takes the model's `query` prompt, the positive and negatives its `document` prompt. None: no prompt
    (and always for scored or labelled pairs, whose two texts sentence-transformers encodes alike)."""
    if shape not in QUERY_DOCUMENT_SHAPES:
        return None
    roles = {column: "document" for column in columns[1:]} | {columns[0]: "query"}
    out = {column: model_prompts[role] for column, role in roles.items() if model_prompts.get(role)}
    return out or None


def training_args(
    cfg,
    args_class: type[BaseTrainingArguments],
    output_dir: Path,
    device: str,
    precision: str,
    prompts: dict[str, str] | None = None,
    curve_metric: str | None = None,
) -> BaseTrainingArguments:
    """The Trainer's arguments (of `args_class`, the trainer's) from the `train` and `checkpoint` sections, on
    `device` in `precision`;
    `prompts`: train column -> prompt (`column_prompts`); `curve_metric`: the dev curve's metric as the
    Trainer logs it, which picks the best model (`train.load_best_model_at_end`) unless
    `train.metric_for_best_model` names another. Keeping the best model saves a checkpoint at every dev
    evaluation."""
    t = cfg.train
    best = t.get("load_best_model_at_end", False)
    every = eval_steps(t, device) if best else cfg.checkpoint.every_steps
    return args_class(
        output_dir=str(output_dir),
        num_train_epochs=t.epochs,
        max_steps=t.max_steps,
        per_device_train_batch_size=per_device_batch(t.batch_size, "train.batch_size"),
        per_device_eval_batch_size=t.eval_batch_size,
        gradient_accumulation_steps=t.gradient_accumulation_steps,
        activation_checkpointing=t.gradient_checkpointing,  # transformers 5 name of gradient checkpointing
        batch_sampler=batch_sampler(variant_losses(t), t.batch_sampler, losses_of(cfg.model)),
        multi_dataset_batch_sampler=t.get("multi_dataset_sampler", "proportional"),
        prompts=prompts,
        learning_rate=t.learning_rate,
        lr_scheduler_type=t.lr_scheduler,
        warmup_steps=float(t.warmup_ratio),  # a float < 1 is a ratio of the total steps
        weight_decay=t.weight_decay,
        seed=t.seed,
        eval_strategy="steps",
        eval_steps=eval_steps(t, device),
        logging_steps=t.logging_steps,
        save_strategy="steps" if every else "no",
        save_steps=every or 500,
        save_total_limit=cfg.checkpoint.keep,
        load_best_model_at_end=best,
        metric_for_best_model=(t.get("metric_for_best_model") or curve_metric) if best else None,
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
