"""Data sets: raw readers (one module per source) and the prepared split format.

A reader module provides `read(raw_dir, data_cfg) -> {"train"|"dev"|"test": frame}`,
`missing(raw_dir) -> [file names]`, `download(raw_dir, data_cfg)` and `HOW_TO_GET`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from datasets import Dataset

from simpipe.data import homedepot, stsb
from simpipe.errors import ConfigError, DataError

READERS = {"stsb": stsb, "homedepot": homedepot}
SPLITS = ("train", "dev", "test")


def reader(name: str):
    if name not in READERS:
        raise ConfigError(f"data.reader={name!r} is unknown (known: {', '.join(sorted(READERS))})")
    return READERS[name]


def read_raw(data_cfg, raw_dir: Path) -> dict[str, pd.DataFrame]:
    """Read the raw splits of `data_cfg` from `raw_dir` into frames with `data_cfg.columns`."""
    return reader(data_cfg.reader).read(Path(raw_dir), data_cfg)


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
