"""The losses a variant can train with (`train.loss`), built from sentence-transformers' classes.

sentence-transformers is imported when a loss is built or inspected, not on import: the config check
(`simpipe params`) reads LOSSES without loading torch.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from torch import nn

# sentence-transformers losses -> the data shapes (simpipe.data.shapes) each takes
LOSSES: dict[str, tuple[str, ...]] = {
    "CosineSimilarityLoss": ("scored_pairs",),
    "CoSENTLoss": ("scored_pairs",),
    "AnglELoss": ("scored_pairs",),
}


def losses_for(shape: str) -> list[str]:
    """The losses that take data of `shape`."""
    return [name for name, shapes in LOSSES.items() if shape in shapes]


def loss_options(name: str) -> dict[str, Any]:
    """The keyword arguments of loss class `name` that a config can set (numbers, strings, booleans), with defaults."""
    from sentence_transformers.sentence_transformer import losses

    signature = inspect.signature(getattr(losses, name).__init__)
    return {
        key: p.default
        for key, p in signature.parameters.items()
        if isinstance(p.default, int | float | str | bool) and p.default is not inspect.Parameter.empty
    }


def build_loss(model: SentenceTransformer, name: str, params) -> nn.Module:
    """`train.loss` (a sentence-transformers loss class of LOSSES) with `train.loss_params` as keyword arguments."""
    from sentence_transformers.sentence_transformer import losses

    return getattr(losses, name)(model, **dict(params or {}))
