"""The losses a variant can train with (`train.loss`), built from sentence-transformers' classes, optionally
wrapped in `MatryoshkaLoss` (`train.matryoshka`), and the batch sampler each wants.

sentence-transformers is imported when a loss is built or inspected, not on import: the config check
(`simpipe params`) reads LOSSES without loading torch.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from torch import nn

    from simpipe.evaluation.classifier import Head


@dataclass(frozen=True)
class Loss:
    """What simpipe knows of a sentence-transformers loss: the data shapes (simpipe.data.shapes) it takes,
    whether the other rows of a batch are its negatives, and whether it caches embeddings (GradCache)."""

    shapes: tuple[str, ...]
    in_batch: bool = False
    cached: bool = False
    by_label: bool = False  # needs several texts of a class in a batch (the group_by_label sampler)
    head: bool = False  # trains a classifier over the embeddings (num_labels from the data), kept with the model


LOSSES: dict[str, Loss] = {
    "CosineSimilarityLoss": Loss(("scored_pairs",)),
    "CoSENTLoss": Loss(("scored_pairs",)),
    "AnglELoss": Loss(("scored_pairs",)),
    "MultipleNegativesRankingLoss": Loss(("pairs", "triplets"), in_batch=True),
    "CachedMultipleNegativesRankingLoss": Loss(("pairs", "triplets"), in_batch=True, cached=True),
    "MultipleNegativesSymmetricRankingLoss": Loss(("pairs",), in_batch=True),
    "CachedMultipleNegativesSymmetricRankingLoss": Loss(("pairs",), in_batch=True, cached=True),
    "MegaBatchMarginLoss": Loss(("pairs",), in_batch=True, cached=True),
    "TripletLoss": Loss(("triplets",)),
    "BatchAllTripletLoss": Loss(("labelled_texts",), by_label=True),
    "BatchHardTripletLoss": Loss(("labelled_texts",), by_label=True),
    "BatchHardSoftMarginTripletLoss": Loss(("labelled_texts",), by_label=True),
    "BatchSemiHardTripletLoss": Loss(("labelled_texts",), by_label=True),
    "SoftmaxLoss": Loss(("classified_pairs",), head=True),
    "ContrastiveLoss": Loss(("labelled_pairs",)),
    "OnlineContrastiveLoss": Loss(("labelled_pairs",)),
}


def losses_for(shape: str) -> list[str]:
    """The losses that take data of `shape`."""
    return [name for name, loss in LOSSES.items() if shape in loss.shapes]


def batch_sampler(losses: str | Sequence[str], setting: str) -> str:
    """sentence-transformers' BatchSamplers value of `train.batch_sampler=setting` for a variant training with
    `losses` (auto: no_duplicates when one of them takes in-batch negatives, for which a duplicate text in a
    batch would be a false negative; group_by_label for the batch triplet losses, which need several texts
    of a class in a batch; else the plain one)."""
    if setting != "auto":
        return setting
    names = [losses] if isinstance(losses, str) else list(losses)
    if any(LOSSES[name].in_batch for name in names):
        return "no_duplicates"
    return "group_by_label" if any(LOSSES[name].by_label for name in names) else "batch_sampler"


def variant_losses(train_cfg) -> list[str]:
    """The losses of a variant: `train.loss` (its own data set's), then each of `train.datasets`'."""
    return [train_cfg.loss, *(s.loss for s in (train_cfg.get("datasets") or {}).values())]


def loss_options(name: str) -> dict[str, Any]:
    """The keyword arguments of loss class `name` that a config can set (numbers, strings, booleans), with defaults."""
    from sentence_transformers.sentence_transformer import losses

    signature = inspect.signature(getattr(losses, name).__init__)
    return {
        key: p.default
        for key, p in signature.parameters.items()
        if isinstance(p.default, int | float | str | bool) and p.default is not inspect.Parameter.empty
    }


def build_loss(model: SentenceTransformer, train_cfg, num_labels: int | None = None) -> nn.Module:
    """`train.loss` (a sentence-transformers loss class of LOSSES) with `train.loss_params` as keyword arguments,
    wrapped in `MatryoshkaLoss` (`train.matryoshka`), `AdaptiveLayerLoss` (`train.adaptive_layers`) or, with
    both, `Matryoshka2dLoss`; a loss with a classifier head (SoftmaxLoss) over `num_labels` classes."""
    from sentence_transformers.sentence_transformer import losses

    extra: dict[str, Any] = {}
    if LOSSES[train_cfg.loss].head:
        extra = {"embedding_dimension": model.get_embedding_dimension(), "num_labels": num_labels}
    loss = getattr(losses, train_cfg.loss)(model, **dict(train_cfg.loss_params or {}), **extra)
    matryoshka, adaptive = train_cfg.get("matryoshka"), train_cfg.get("adaptive_layers")
    layers = dict(adaptive) if adaptive else {}
    if matryoshka:
        dims = {"matryoshka_dims": list(matryoshka.dims),
                "matryoshka_weights": list(matryoshka.weights) if matryoshka.get("weights") else None}  # fmt: skip
        steps = {"n_dims_per_step": n} if (n := matryoshka.get("n_dims_per_step")) is not None else {}
        if adaptive:
            return losses.Matryoshka2dLoss(model, loss, **dims, **steps, **layers)
        return losses.MatryoshkaLoss(model, loss, **dims, **steps)
    if adaptive:
        return losses.AdaptiveLayerLoss(model, loss, **layers)
    return loss


def classifier_head(loss: nn.Module) -> Head | None:
    """The classifier a loss trains over the embeddings (SoftmaxLoss's, under any wrapper) with the features
    it reads; None for a loss without one."""
    from simpipe.evaluation.classifier import Head

    while not hasattr(loss, "classifier") and hasattr(loss, "loss"):
        loss = loss.loss
    if not hasattr(loss, "classifier"):
        return None
    return Head(loss.classifier, loss.concatenation_sent_rep, loss.concatenation_sent_difference,
                loss.concatenation_sent_multiplication)  # fmt: skip
