"""The losses a variant trains with (`train.loss`, what each is: simpipe.training.catalog), built from
sentence-transformers' classes, optionally wrapped (`train.matryoshka`, `train.adaptive_layers`).

sentence-transformers is imported when a loss is built or inspected, not on import.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from simpipe.training.catalog import LOSSES

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from torch import nn

    from simpipe.evaluation.classifier import Head


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
    both, `Matryoshka2dLoss`; a loss with a classifier head (SoftmaxLoss) over `num_labels` classes; a
    guided loss (GISTEmbedLoss) with the model of `train.guide`."""
    from sentence_transformers.sentence_transformer import losses

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


def embedding_teacher(train_cfg, device: str | None = None) -> SentenceTransformer | None:
    """`train.teacher`'s model when the loss learns its embeddings (MSELoss: its evaluation measures the
    distance to them), else None."""
    if LOSSES[train_cfg.loss].teacher != "embedding":
        return None
    from simpipe.modeling.model import build_model

    return build_model(train_cfg.teacher, device)
