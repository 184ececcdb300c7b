"""The prepared format: data/prepared/<variant>/{train,dev,test}.parquet with the variant's columns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from datasets import Dataset

from simpipe.errors import DataError

SPLITS = ("train", "dev", "test")
STATS_FILE = "stats.json"


def split_file(prepared_dir: Path, split: str) -> Path:
    return Path(prepared_dir) / f"{split}.parquet"


def load_split(prepared_dir: Path, split: str, limit: int | None = None) -> Dataset:
    """Load a prepared split as a `datasets.Dataset` (first `limit` rows if given)."""
    path = split_file(prepared_dir, split)
    if not path.is_file():
        raise DataError(f"{path}: prepared split not found; run the prepare stage (`dvc repro`)")
    frame = pd.read_parquet(path)
    if limit is not None:
        frame = frame.head(limit)
    return Dataset.from_pandas(frame, preserve_index=False)
