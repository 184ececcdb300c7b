"""The static kind's token vectors: random over a tokenizer, or distilled from a transformer with model2vec
(`StaticEmbedding.from_distillation`). Distilling runs every token of the vocabulary through the
transformer (tens of seconds on a CPU) and gives the same vectors for the same source and settings, so
they are distilled once and kept in the user's cache (`SIMPIPE_CACHE`, default ~/.cache/simpipe), keyed by
the source (a local model's files by size and time too), the settings and the library versions."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import model2vec
import sentence_transformers
from sentence_transformers.sentence_transformer.modules import StaticEmbedding
from transformers import AutoTokenizer

from simpipe.core.io import atomic_dir

log = logging.getLogger(__name__)


def cache_root() -> Path:
    """Where distilled vectors are kept: $SIMPIPE_CACHE, else ~/.cache/simpipe."""
    return Path(os.environ.get("SIMPIPE_CACHE") or Path.home() / ".cache" / "simpipe")


def static_embedding(cfg, source: str, local_files_only: bool) -> StaticEmbedding:
    """The StaticEmbedding module of a `model` section of kind static; `source`: where its transformer
    loads from (a local directory or a hub id)."""
    if cfg.init == "random":
        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=local_files_only)
        return StaticEmbedding(tokenizer, embedding_dim=cfg.embedding_dim)
    settings = {"pca_dims": cfg.embedding_dim, "sif_coefficient": cfg.sif_coefficient}
    cached = cache_root() / "static" / distillation_key(source, settings)
    if not cached.is_dir():
        log.info("distilling %s's token vectors (model2vec, %s); kept in %s", source, settings, cached)
        embedding = StaticEmbedding.from_distillation(source, device="cpu", **settings)
        with atomic_dir(cached) as out:
            embedding.save(str(out))
        return embedding
    return StaticEmbedding.load(str(cached))


def distillation_key(source: str, settings: dict) -> str:
    """A digest of what the distilled vectors depend on: the source (a local one's files: names, sizes,
    modification times), the settings and the versions of model2vec and sentence-transformers."""
    path = Path(source)
    files = sorted((str(f.relative_to(path)), f.stat().st_size, f.stat().st_mtime_ns)
                   for f in path.rglob("*") if f.is_file()) if path.is_dir() else []  # fmt: skip
    facts = [source, files, settings, model2vec.__version__, sentence_transformers.__version__]
    return hashlib.sha256(json.dumps(facts, default=str).encode()).hexdigest()[:32]
