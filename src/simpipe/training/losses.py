"""The losses a variant trains with (`train.loss`, what each is: simpipe.training.catalog), built from
sentence-transformers' classes of the model's family, optionally wrapped (`train.matryoshka`,
`train.adaptive_layers`).

sentence-transformers is imported when a loss is built or inspected, not on import.
"""

from __future__ import annotations

import importlib
import inspect
from typing import TYPE_CHECKING, Any

from simpipe.core.families import BI_ENCODER, CROSS_ENCODER
from simpipe.modeling.config import family_of
from simpipe.training.catalog import LOSSES, losses_of, variant_losses

if TYPE_CHECKING:
    from sentence_transformers import CrossEncoder, SentenceTransformer
    from torch import nn

    from simpipe.evaluation.classifier import Head

# where each model family's loss classes live
LOSS_MODULES = {
    BI_ENCODER: "sentence_transformers.sentence_transformer.losses",
    CROSS_ENCODER: "sentence_transformers.cross_encoder.losses",
}


def loss_class(name: str, family: str) -> type:
    """The sentence-transformers class of loss `name` of model `family`."""
    return getattr(importlib.import_module(LOSS_MODULES[family]), name)


def loss_options(name: str, family: str = BI_ENCODER) -> dict[str, Any]:
    """The keyword arguments of loss class `name` (of model `family`) that a config can set (numbers, strings,
    booleans), with defaults."""
    signature = inspect.signature(loss_class(name, family).__init__)
    return {
        key: p.default
        for key, p in signature.parameters.items()
        if isinstance(p.default, int | float | str | bool) and p.default is not inspect.Parameter.empty
    }


def build_loss(model: SentenceTransformer | CrossEncoder, cfg, num_labels: int | None = None) -> nn.Module:
    """`train.loss` (a sentence-transformers loss class of LOSSES) with `train.loss_params` as keyword arguments,
    wrapped in `MatryoshkaLoss` (`train.matryoshka`), `AdaptiveLayerLoss` (`train.adaptive_layers`) or, with
    both, `Matryoshka2dLoss`; a loss with a classifier head (SoftmaxLoss) over `num_labels` classes; a
    guided loss (GISTEmbedLoss) with the model of `train.guide`. A cross-encoder's loss takes the model and
    its parameters only."""
    from sentence_transformers.sentence_transformer import losses

    train_cfg = cfg.train
    if family_of(cfg.model) == CROSS_ENCODER:
        return loss_class(train_cfg.loss, CROSS_ENCODER)(model, **dict(train_cfg.loss_params or {}))
    extra: dict[str, Any] = {}
    if LOSSES[train_cfg.loss].head:
        extra = {"embedding_dimension": model.get_embedding_dimension(), "num_labels": num_labels}
    if LOSSES[train_cfg.loss].guided:
        from simpipe.modeling.model import build_model

        extra = {"guide": build_model(train_cfg.guide, str(model.device))}
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


def embedding_teacher(cfg, device: str | None = None) -> SentenceTransformer | None:
    """`train.teacher`'s model when the loss of (a set view of) variant config `cfg` learns its embeddings
    (a bi-encoder's MSELoss: its evaluation measures the distance to them), else None."""
    if losses_of(cfg.model)[cfg.train.loss].teacher != "embedding":
        return None
    from simpipe.modeling.model import build_model

    return build_model(cfg.train.teacher, device)


def set_activation(model: CrossEncoder, model_cfg, train_cfg) -> None:
    """A cross-encoder's activation (`model.activation_fn`; auto: the one its losses want): a sigmoid for
    BinaryCrossEntropyLoss and CrossEntropyLoss, whose logits it was trained to squash, else the identity
    (a sigmoid saturates listwise and MSE logits). Saved with the model, so scores mean the same later."""
    import torch

    setting = model_cfg.activation_fn
    if setting == "auto":
        wanted = {losses_of(model_cfg)[name].sigmoid for name in variant_losses(train_cfg)}
        setting = "sigmoid" if wanted == {True} else "identity"
    model.activation_fn = torch.nn.Sigmoid() if setting == "sigmoid" else torch.nn.Identity()
