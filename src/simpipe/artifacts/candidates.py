"""The candidates stage's files in `data/candidates/<variant>/`: `candidates.json` (the retriever and its
count of candidates per query; null retriever: the variant reranks nothing) and, for a reranker, one
`<split>.parquet` per dev and test split: a row per query with a relevant document, its text (`query`),
the retriever's top documents (`documents`, best first) and their scores (`scores`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from simpipe.core.errors import SimpipeError
from simpipe.core.io import read_json, write_json

MANIFEST_FILE = "candidates.json"
COLUMNS = ("query", "documents", "scores")


def candidates_file(candidates_dir: Path, split: str) -> Path:
    return Path(candidates_dir) / f"{split}.parquet"


def write_manifest(candidates_dir: Path, retriever: str | None, top_k: int, queries: dict[str, int]) -> None:
    """`candidates.json`: the retriever variant (None: none), its `top_k` and the queries of each split."""
    write_json(Path(candidates_dir) / MANIFEST_FILE, {"retriever": retriever, "top_k": top_k, "queries": queries})


def write_candidates(candidates_dir: Path, split: str, frame: pd.DataFrame) -> None:
    if tuple(frame.columns) != COLUMNS:
        raise SimpipeError(f"candidates of {split}: columns {list(frame.columns)}, expected {list(COLUMNS)}")
    frame.to_parquet(candidates_file(candidates_dir, split), index=False)


def read_candidates(candidates_dir: Path, retriever: str) -> dict[str, pd.DataFrame]:
    """Split -> the candidates of `retriever` (a one-line error when the stage has not run for it)."""
    manifest = Path(candidates_dir) / MANIFEST_FILE
    if not manifest.is_file():
        raise SimpipeError(f"{manifest}: not found; run the candidates stage (`dvc repro`), or set eval.retriever "
                           "to the variant itself to evaluate without reranking")  # fmt: skip
    written = read_json(manifest)
    if written["retriever"] != retriever:
        raise SimpipeError(f"{manifest}: candidates of retriever {written['retriever']!r}, and eval.retriever="
                           f"{retriever!r}; re-run the candidates stage (`dvc repro`)")  # fmt: skip
    return {split: pd.read_parquet(candidates_file(candidates_dir, split)) for split in written["queries"]}
