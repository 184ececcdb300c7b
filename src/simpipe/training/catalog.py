"""What simpipe knows of each sentence-transformers loss a variant can train with (`train.loss`), one table
per model family (`LOSSES` of bi-encoders, `CROSS_ENCODER_LOSSES`: some names are in both, as in
sentence-transformers): the data shapes (simpipe.data.shapes) it takes and how it trains (in-batch
negatives, cached embeddings, a classifier head, a guide or a teacher model), and the batch sampler the
variant's losses want. Data only: the config check (`simpipe params`) and the mine stage read it without
sentence-transformers (simpipe.training.losses builds the losses).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from simpipe.core.families import BI_ENCODER, CROSS_ENCODER
from simpipe.modeling.config import family_of


@dataclass(frozen=True)
class Loss:
    """What simpipe knows of a sentence-transformers loss: the data shapes (simpipe.data.shapes) it takes,
    whether the other rows of a batch are its negatives, and whether it caches embeddings (GradCache)."""

    shapes: tuple[str, ...]
    in_batch: bool = False
    cached: bool = False
    by_label: bool = False  # needs several texts of a class in a batch (the group_by_label sampler)
    head: bool = False  # trains a classifier over the embeddings (num_labels from the data), kept with the model
    guided: bool = False  # a guide model (train.guide) picks which in-batch texts count as negatives
    # learns from a teacher (train.teacher; the mine stage labels each row once): "scores" of the query with
    # each candidate, or the text's "embedding"; "": no teacher
    teacher: str = ""
    sigmoid: bool = False  # a cross-encoder's scores are the sigmoid of its logits (else the logits)
    # reads each query's documents and their labels as one list (the mine stage groups the train split's pairs)
    listwise: bool = False


LOSSES: dict[str, Loss] = {
    "CosineSimilarityLoss": Loss(("scored_pairs",)),
    "CoSENTLoss": Loss(("scored_pairs",)),
    "AnglELoss": Loss(("scored_pairs",)),
    "MultipleNegativesRankingLoss": Loss(("pairs", "triplets"), in_batch=True),
    "CachedMultipleNegativesRankingLoss": Loss(("pairs", "triplets"), in_batch=True, cached=True),
    "MultipleNegativesSymmetricRankingLoss": Loss(("pairs",), in_batch=True),
    "CachedMultipleNegativesSymmetricRankingLoss": Loss(("pairs",), in_batch=True, cached=True),
    "MegaBatchMarginLoss": Loss(("pairs",), in_batch=True, cached=True),
    "GISTEmbedLoss": Loss(("pairs", "triplets"), in_batch=True, guided=True),
    "CachedGISTEmbedLoss": Loss(("pairs", "triplets"), in_batch=True, cached=True, guided=True),
    "TripletLoss": Loss(("triplets",)),
    "MarginMSELoss": Loss(("triplets",), teacher="scores"),
    "DistillKLDivLoss": Loss(("triplets",), teacher="scores"),
    "MSELoss": Loss(("texts",), teacher="embedding"),
    "ContrastiveTensionLossInBatchNegatives": Loss(("texts",), in_batch=True),
    "BatchAllTripletLoss": Loss(("labelled_texts",), by_label=True),
    "BatchHardTripletLoss": Loss(("labelled_texts",), by_label=True),
    "BatchHardSoftMarginTripletLoss": Loss(("labelled_texts",), by_label=True),
    "BatchSemiHardTripletLoss": Loss(("labelled_texts",), by_label=True),
    "SoftmaxLoss": Loss(("classified_pairs",), head=True),
    "ContrastiveLoss": Loss(("labelled_pairs",)),
    "OnlineContrastiveLoss": Loss(("labelled_pairs",)),
}


# sentence_transformers.cross_encoder.losses: pointwise on scored or labelled pairs, a class per pair,
# in-batch negatives of (query, positive[, negatives]) rows, a teacher's margins of those rows, or listwise over
# each query's graded documents
CROSS_ENCODER_LOSSES: dict[str, Loss] = {
    "BinaryCrossEntropyLoss": Loss(("scored_pairs", "labelled_pairs"), sigmoid=True),
    "MSELoss": Loss(("scored_pairs",)),
    "CrossEntropyLoss": Loss(("classified_pairs",), sigmoid=True),
    "MultipleNegativesRankingLoss": Loss(("pairs", "triplets"), in_batch=True),
    "CachedMultipleNegativesRankingLoss": Loss(("pairs", "triplets"), in_batch=True, cached=True),
    "MarginMSELoss": Loss(("triplets",), teacher="scores"),
    **{name: Loss(("scored_pairs", "labelled_pairs"), listwise=True)
       for name in ("LambdaLoss", "ListNetLoss", "ListMLELoss", "PListMLELoss", "RankNetLoss", "ADRMSELoss")},
}  # fmt: skip
FAMILY_LOSSES: dict[str, dict[str, Loss]] = {BI_ENCODER: LOSSES, CROSS_ENCODER: CROSS_ENCODER_LOSSES}


def losses_of(model_cfg) -> dict[str, Loss]:
    """The losses a model of the `model` section `model_cfg` trains with (its family's table)."""
    return FAMILY_LOSSES[family_of(model_cfg)]


def losses_for(shape: str, losses: dict[str, Loss]) -> list[str]:
    """The losses of a family's table (`losses`) that take data of `shape`."""
    return [name for name, loss in losses.items() if shape in loss.shapes]


def batch_sampler(losses: str | Sequence[str], setting: str, table: dict[str, Loss]) -> str:
    """sentence-transformers' BatchSamplers value of `train.batch_sampler=setting` for a variant training with
    `losses` (auto: no_duplicates when one of them takes in-batch negatives, for which a duplicate text in a
    batch would be a false negative; group_by_label for the batch triplet losses, which need several texts
    of a class in a batch; else the plain one); `table`: the family's losses (`losses_of`)."""
    if setting != "auto":
        return setting
    names = [losses] if isinstance(losses, str) else list(losses)
    if any(table[name].in_batch for name in names):
        return "no_duplicates"
    return "group_by_label" if any(table[name].by_label for name in names) else "batch_sampler"


def dev_loss(cfg) -> bool:
    """Whether training computes a data set's loss on its dev split (`train.eval_loss`; `cfg`: the set's
    view): not for a loss that learns a teacher's labels or reads lists, which only the mine stage's train
    split carries."""
    loss = losses_of(cfg.model)[cfg.train.loss]
    return bool(cfg.train.eval_loss) and not loss.teacher and not loss.listwise


def variant_losses(train_cfg) -> list[str]:
    """The losses of a variant: `train.loss` (its own data set's), then each of `train.datasets`'."""
    return [train_cfg.loss, *(s.loss for s in (train_cfg.get("datasets") or {}).values())]
