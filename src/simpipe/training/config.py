"""The `train` (conf/train/default.yaml) and `checkpoint` (conf/checkpoint/default.yaml) config sections."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from simpipe.core.sections import Section, at_least, build, invalid, option, required, within
from simpipe.data.config import READER_SECTIONS
from simpipe.modeling.config import TransformerConfig
from simpipe.training.catalog import FAMILY_LOSSES, LOSSES, Loss
from simpipe.training.losses import loss_options

# keep at least this many checkpoints, so that a newest one cut short by a crash leaves one to resume from
MIN_KEEP = 2


@dataclass
class MatryoshkaConfig(Section):
    """`MatryoshkaLoss` around `train.loss`: the loss at each embedding size, so that truncated embeddings work."""

    dims: list[int] = option([], "embedding sizes trained, largest first, e.g. [384, 256, 128, 64]")
    weights: list[float] | None = option(None, "weight of each dim's loss (null: 1 each)")
    n_dims_per_step: int | None = option(
        None,
        "dims trained per step, sampled; -1: all; null: the wrapper's default (MatryoshkaLoss all, with "
        "adaptive_layers Matryoshka2dLoss one)",
    )

    def check(self, key: str) -> None:
        if not self.dims or any(d < 1 for d in self.dims) or len(set(self.dims)) != len(self.dims):
            raise invalid(f"{key}.dims", self.dims, "name distinct embedding sizes >= 1, e.g. [384, 256, 128, 64]")
        if self.weights is not None and len(self.weights) != len(self.dims):
            raise invalid(f"{key}.weights", self.weights, f"give one weight per dim ({len(self.dims)}) or null")
        if self.n_dims_per_step is not None and (self.n_dims_per_step == 0 or self.n_dims_per_step < -1):
            raise invalid(f"{key}.n_dims_per_step", self.n_dims_per_step, "must be -1 (all) or at least 1")


@dataclass
class AdaptiveLayersConfig(Section):
    """`AdaptiveLayerLoss` around `train.loss`: the loss at the earlier layers too, so that the model cut to
    fewer layers still embeds well (with `train.matryoshka`: `Matryoshka2dLoss`, layers and dims)."""

    n_layers_per_step: int = option(1, "earlier layers trained per step, sampled (-1: all)")
    last_layer_weight: float = option(1.0, "weight of the last layer's loss")
    prior_layers_weight: float = option(1.0, "weight of the earlier layers' losses")
    kl_div_weight: float = option(1.0, "weight of the KL divergence pulling earlier layers to the last")
    kl_temperature: float = option(0.3, "temperature of that KL divergence")
    layer_weighting: Literal["uniform", "log", "linear"] = option("uniform", "weight of each earlier layer's loss")

    def check(self, key: str) -> None:
        if self.n_layers_per_step == 0 or self.n_layers_per_step < -1:
            raise invalid(f"{key}.n_layers_per_step", self.n_layers_per_step, "must be -1 (all) or at least 1")
        for name in ("last_layer_weight", "prior_layers_weight", "kl_div_weight"):
            at_least(f"{key}.{name}", getattr(self, name), 0.0, "a weight")
        if self.kl_temperature <= 0:
            raise invalid(f"{key}.kl_temperature", self.kl_temperature, "must be above 0")


def check_loss(key: str, loss: str, params: dict[str, Any], family: str | None = None) -> None:
    """`loss` (at `key`) is one simpipe offers and `params` (at `key`_params) are its keyword arguments:
    a loss of model `family` (`modeling.config.family_of`), or (None) of any family."""
    families = [family] if family else list(FAMILY_LOSSES)
    owners = [f for f in families if loss in FAMILY_LOSSES[f]]
    if not owners:
        offered = ", ".join(dict.fromkeys(name for f in families for name in FAMILY_LOSSES[f]))
        kind = f" for a {family} model" if family else ""
        raise invalid(key, loss, f"unknown loss{kind}; choose one of {offered}")
    if not params:  # nothing to look up: no import of sentence-transformers (~5 s) for checking a config
        return
    options = {k: v for f in owners for k, v in loss_options(loss, f).items()}
    unknown = sorted(set(params) - set(options))
    if unknown:
        takes = ", ".join(f"{k} (default {v})" for k, v in options.items()) or "none"
        raise invalid(f"{key}_params.{unknown[0]}", params[unknown[0]], f"not a parameter of {loss}; it takes: {takes}")


@dataclass
class SetConfig(Section):
    """One more data set trained beside the variant's own `data` (`train.datasets.<name>`), with its own
    loss and mining: sentence-transformers' multi-dataset training (a DatasetDict and a loss per set)."""

    data: dict[str, Any] = required(
        "the set's data section: a conf/data group the variant's defaults list places here "
        "(- /data@train.datasets.<name>.data: <group>), with keys that differ below it"
    )
    loss: str = required(f"a sentence-transformers loss that fits the set's shape: {', '.join(LOSSES)}")
    loss_params: dict[str, Any] = option({}, "the loss's keyword arguments, e.g. {scale: 20.0}")
    mine: MineConfig = field(
        default_factory=lambda: MineConfig(), metadata={"help": "hard negatives for the set (null: not mined)"}
    )

    def check(self, key: str) -> None:
        reader = self.data.get("reader")
        if reader not in READER_SECTIONS:
            raise invalid(f"{key}.data.reader", reader, f"choose one of {', '.join(READER_SECTIONS)}")
        self.data = build(READER_SECTIONS[reader], self.data, f"{key}.data")
        check_loss(f"{key}.loss", self.loss, self.loss_params)

    def derived(self) -> dict[str, Any]:
        return {"data": self.data.derived()}


@dataclass
class TrainConfig(Section):
    """SentenceTransformerTrainer settings (sentence-transformers' defaults unless noted)."""

    loss: str = option(
        "CosineSimilarityLoss", f"a sentence-transformers loss that fits data.shape: {', '.join(LOSSES)}"
    )
    loss_params: dict[str, Any] = option({}, "the loss's keyword arguments, e.g. {scale: 20.0}")
    epochs: int = option(1, "passes over the training pairs")
    batch_size: int = option(
        32, "rows per batch the loss sees (the global batch under DDP; x gradient_accumulation_steps per step)"
    )
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
    matryoshka: MatryoshkaConfig | None = option(None, "wrap the loss in MatryoshkaLoss with these dims (null: not)")
    adaptive_layers: AdaptiveLayersConfig | None = option(
        None, "wrap the loss in AdaptiveLayerLoss (with matryoshka: Matryoshka2dLoss); null: not"
    )
    teacher: TransformerConfig | None = option(
        None,
        "the teacher of a distillation loss (MarginMSELoss, DistillKLDivLoss): its scores of each training "
        "row, computed once by the mine stage (a model section: - /model@train.teacher: minilm); null: none",
    )
    guide: TransformerConfig | None = option(
        None,
        "the guide model of GISTEmbedLoss / CachedGISTEmbedLoss (a model section: - /model@train.guide: "
        "minilm); null: none",
    )
    batch_sampler: Literal["auto", "batch_sampler", "no_duplicates", "group_by_label"] = option(
        "auto", "auto: no_duplicates for an in-batch-negative loss (a duplicate text is a false negative), else plain"
    )
    gradient_accumulation_steps: int = option(1, "batches per optimizer step (adds no in-batch negatives)")
    gradient_checkpointing: bool = option(False, "recompute activations in the backward pass (less memory, slower)")
    datasets: dict[str, Any] = option(
        {},
        "more data sets trained beside `data`, each {data, loss, loss_params, mine} (sentence-transformers' "
        "multi-dataset training); {}: the variant's own data only",
    )
    multi_dataset_sampler: Literal["proportional", "round_robin"] = option(
        "proportional", "with several data sets: batches drawn in proportion to their sizes, or in turns"
    )
    load_best_model_at_end: bool = option(
        False, "end with the model of the best dev evaluation (metric_for_best_model), not the last step's"
    )
    metric_for_best_model: str | None = option(
        None,
        "the dev metric that picks the best model, as the Trainer logs it (eval_loss, eval_<dev>_<metric>); "
        "null: the dev curve's headline",
    )

    def check(self, key: str) -> None:
        check_loss(f"{key}.loss", self.loss, self.loss_params)
        for name, node in list(self.datasets.items()):
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise invalid(f"{key}.datasets.{name}", name, "name a set with lower-case letters, digits and _")
            self.datasets[name] = build(SetConfig, node, f"{key}.datasets.{name}")
        within(f"{key}.warmup_ratio", self.warmup_ratio, 0.0, 1.0, "the share of steps that warm up the learning rate")
        for name, what in (
            ("epochs", "passes over the data"),
            ("batch_size", "pairs per step"),
            ("eval_batch_size", "texts per batch"),
            ("eval_steps", "steps between dev evaluations"),
            ("cpu_eval_steps", "steps between dev evaluations on the CPU"),
            ("logging_steps", "steps between loss logs"),
            ("eval_max_pairs", "dev pairs of the curve"),
            ("gradient_accumulation_steps", "batches per optimizer step"),
        ):
            at_least(f"{key}.{name}", getattr(self, name), 1, what)
        at_least(f"{key}.learning_rate", self.learning_rate, 0.0, "the peak learning rate")
        at_least(f"{key}.weight_decay", self.weight_decay, 0.0, "AdamW weight decay")
        at_least(f"{key}.dataloader_num_workers", self.dataloader_num_workers, 0, "loader processes")
        if self.max_steps == 0 or self.max_steps < -1:
            raise invalid(f"{key}.max_steps", self.max_steps, "must be -1 (all epochs) or at least 1")

    def check_losses(self, key: str, family: str) -> None:
        """The variant's losses as losses of its model `family`: each is one of the family's, with its
        parameters, and has the guide or teacher it needs and nothing it cannot take."""
        check_loss(f"{key}.loss", self.loss, self.loss_params, family)
        for name, dataset in self.datasets.items():
            check_loss(f"{key}.datasets.{name}.loss", dataset.loss, dataset.loss_params, family)
        table = FAMILY_LOSSES[family]
        losses = [self.loss, *(s.loss for s in self.datasets.values())]
        guided = [x for x in losses if table[x].guided]
        if guided and self.guide is None:
            raise invalid(f"{key}.guide", None, f"{guided[0]} picks its negatives with a guide model; set it (a "
                          "model section, e.g. - /model@train.guide: minilm in the variant's defaults)")  # fmt: skip
        taught = [x for x in losses if table[x].teacher]
        if taught and self.teacher is None:
            raise invalid(f"{key}.teacher", None, f"{taught[0]} learns a teacher's scores; set it (a model section, "
                          "e.g. - /model@train.teacher: minilm in the variant's defaults)")  # fmt: skip
        if self.teacher is not None and not taught:
            raise invalid(f"{key}.teacher", "set", "no loss of this variant learns from a teacher (MarginMSELoss, "
                          "DistillKLDivLoss); set it to null")  # fmt: skip
        if self.guide is not None and not guided:
            raise invalid(f"{key}.guide", "set", "no loss of this variant takes a guide (GISTEmbedLoss, "
                          "CachedGISTEmbedLoss); set it to null")  # fmt: skip
        if self.adaptive_layers and (cached := next((x for x in losses if table[x].cached), None)):
            raise invalid(f"{key}.adaptive_layers", "set", f"{cached} back-propagates from a hook that "
                          "AdaptiveLayerLoss cannot wrap; use the uncached loss or set it to null")  # fmt: skip
        if self.gradient_checkpointing and (cached := next((x for x in losses if table[x].cached), None)):
            raise invalid(
                f"{key}.gradient_checkpointing",
                True,
                f"{cached} caches embeddings and crashes with gradient checkpointing; set it to false "
                "(the cached loss already saves the memory) or use the uncached loss",
            )

    def derived(self) -> dict[str, Any]:
        return {"datasets": {name: s.derived() for name, s in self.datasets.items()}} if self.datasets else {}


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


@dataclass
class MineConfig(Section):
    """Hard negatives for each (anchor, positive) training pair, mined with the base model or `model` (stage `mine`,
    sentence-transformers' `mine_hard_negatives`); the train split becomes (anchor, positive, negative...).

    The guard against false negatives (a document as relevant as the positive, but unlabelled): the query's
    own positives are never candidates (sentence-transformers masks every positive of a repeated query), and
    by default `relative_margin: 0.05` keeps a candidate only when it scores at least 5 % below the query's
    hardest positive (NV-Retriever's TopK-PercPos, the setting sentence-transformers recommends)."""

    enabled: bool = option(False, "mine hard negatives for the train split (false: train on it as prepared)")
    num_negatives: int = option(1, "negatives per pair (columns negative, or negative_1 ... negative_n)")
    range_min: int = option(0, "skip the N most similar candidates (another guard against false negatives)")
    range_max: int | None = option(100, "consider the N most similar candidates only (null: as many as needed)")
    relative_margin: float | None = option(0.05, "keep a candidate scoring below (1 - m) x the positive (null: off)")
    absolute_margin: float | None = option(None, "keep a candidate scoring below the positive - m (null: off)")
    max_score: float | None = option(None, "keep a candidate scoring at most this (null: off)")
    sampling_strategy: Literal["top", "random"] = option("top", "the hardest candidates, or a random sample of them")
    batch_size: int = option(64, "texts per encode batch")
    seed: int = option(42, "seed of the random sampling strategy")
    model: TransformerConfig | None = option(
        None,
        "the bi-encoder that mines (a model section: - /model@mine.model: minilm in the variant's defaults), e.g. "
        "for a cross-encoder; null: the variant's own model (a pretrained bi-encoder)",
    )

    def check(self, key: str) -> None:
        at_least(f"{key}.num_negatives", self.num_negatives, 1, "negatives per pair")
        at_least(f"{key}.range_min", self.range_min, 0, "candidates skipped")
        at_least(f"{key}.batch_size", self.batch_size, 1, "texts per batch")
        if self.range_max is not None and self.range_max < self.range_min + self.num_negatives:
            raise invalid(
                f"{key}.range_max",
                self.range_max,
                f"must leave {key}.num_negatives={self.num_negatives} candidates after {key}.range_min="
                f"{self.range_min}; raise it or set null",
            )
        for name in ("relative_margin", "absolute_margin"):
            at_least(f"{key}.{name}", getattr(self, name), 0.0, "a margin")


def train_shape(data_shape: str, mined: bool, loss: Loss) -> str:
    """The shape of the rows training reads with `loss` (its `catalog.Loss`): the data's, or once negatives are
    mined (`mine.enabled`) triplets, or labelled pairs for a loss that takes those and no triplets (each
    anchor with its positive labelled 1 and each negative 0: sentence-transformers' `labeled-pair` output of
    mined negatives, which a listwise loss reads grouped per query, as its `labeled-list`)."""
    if not mined:
        return data_shape
    return "labelled_pairs" if "triplets" not in loss.shapes and "labelled_pairs" in loss.shapes else "triplets"


def negative_columns(n: int) -> list[str]:
    """The mined negatives' columns: `negative`, or `negative_1` ... `negative_n` (simpipe.data.shapes' triplets)."""
    return ["negative"] if n == 1 else [f"negative_{i}" for i in range(1, n + 1)]


# the column of a teacher's scores (the distillation losses' label), last in the rows training reads
LABEL = "label"


# the columns of a listwise loss's rows (after the query's): each query's documents and their labels
LIST_COLUMNS = ("documents", "labels")


def trained_columns(data_cfg, mine_cfg, loss: Loss) -> list[str]:
    """The columns training reads with `loss` (its `catalog.Loss`), in order: the data's train columns, the
    mined negatives (`mine`), then the teacher's scores of a distillation loss; mined labelled pairs': the
    anchor, the document (positive or negative) and its label; a listwise loss's: the query, its documents and
    their labels (LIST_COLUMNS)."""
    if loss.listwise:
        return [data_cfg.train_columns[0], *LIST_COLUMNS]
    if mine_cfg.enabled and train_shape(data_cfg.shape, True, loss) == "labelled_pairs":
        return [*data_cfg.train_columns, LABEL]
    mined = negative_columns(mine_cfg.num_negatives) if mine_cfg.enabled else []
    return [*data_cfg.train_columns, *mined, *([LABEL] if loss.teacher else [])]
