"""The prepared format: data/prepared/<variant>/{train,dev,test}.parquet with the variant's columns,
`stats.json` (rows per split) and `search.json` (the relevance threshold of the search metrics on the
prepared label's scale; null without search metrics), so that evaluation and training need no reader."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from datasets import Dataset

from simpipe.core.errors import DataError
from simpipe.core.io import read_json, write_json
from simpipe.data.config import SPLITS as SPLITS  # the prepared splits, one file each

EVAL_SPLITS = ("dev", "test")  # the splits every evaluation scores
STATS_FILE = "stats.json"
SEARCH_FILE = "search.json"


def split_file(prepared_dir: Path, split: str) -> Path:
    return Path(prepared_dir) / f"{split}.parquet"


def split_names(data_cfg) -> dict[str, str]:
    """Prepared eval split -> its name in metrics (e.g. dev -> val)."""
    return {"dev": data_cfg.dev_name, "test": data_cfg.test_name}


def run_files(prepared_dir: Path, mined_dir: Path) -> dict[str, Path]:
    """A run's data by split: the train split as trained on (stage `mine`'s output), dev and test as prepared."""
    return {split: split_file(mined_dir if split == "train" else prepared_dir, split) for split in SPLITS}


def load_split(prepared_dir: Path, split: str, limit: int | None = None, stage: str = "prepare") -> Dataset:
    """Load a prepared split as a `datasets.Dataset` (first `limit` rows if given); `stage`: the one that
    writes it (`mine` writes the train split that training reads)."""
    path = split_file(prepared_dir, split)
    if not path.is_file():
        raise DataError(f"{path}: {split} split not found; run the {stage} stage (`dvc repro`)")
    frame = pd.read_parquet(path)
    if limit is not None:
        frame = frame.head(limit)
    return Dataset.from_pandas(frame, preserve_index=False)


def write_search(prepared_dir: Path, min_relevance: float | None, min_label: float | None) -> None:
    """`search.json`: a pair is relevant when its prepared label is at least `min_label` (raw: `min_relevance`);
    both null when the variant has no search metrics."""
    write_json(Path(prepared_dir) / SEARCH_FILE, {"min_relevance": min_relevance, "min_label": min_label})


def read_search(prepared_dir: Path) -> float | None:
    """The prepared label threshold of relevant pairs; None when the variant has no search metrics."""
    path = Path(prepared_dir) / SEARCH_FILE
    if not path.is_file():
        raise DataError(f"{path}: not found; run the prepare stage (`dvc repro`)")
    min_label = read_json(path)["min_label"]
    return None if min_label is None else float(min_label)


def class_count(dataset: Dataset, label_column: str) -> int:
    """The classes of a split of class ids (0 ... k-1): the largest id + 1."""
    return int(max(dataset[label_column])) + 1
