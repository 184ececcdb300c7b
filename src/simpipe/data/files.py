"""Reader `files`: a user's own csv, tsv, json(l) or parquet files in data/raw/<raw_subdir>/, columns by role
(`simpipe.data.tabular`): one file per split (`data.files: {train: ..., dev: ..., test: ...}`), or one file
split by `data.split` (`data.files: pairs.csv`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from simpipe.core.errors import DataError
from simpipe.data.tabular import label, read_sources

__all__ = ["HOW_TO_GET", "download", "files", "label", "missing", "read"]
HOW_TO_GET = (
    "copy the files into data/raw/<raw_subdir>/, or set paths.mirror to a directory holding <raw_subdir>/ "
    "and run `simpipe fetch`"
)


def sources(data_cfg) -> dict[str, str]:
    """Split -> file name (`all` for one file divided by `data.split`)."""
    files = data_cfg.files
    return {"all": files} if isinstance(files, str) else dict(files)


def missing(raw_dir: Path, data_cfg) -> list[str]:
    return [name for name in sources(data_cfg).values() if not (Path(raw_dir) / name).is_file()]


def files(raw_dir: Path, data_cfg) -> list[Path]:
    return [Path(raw_dir) / name for name in dict.fromkeys(sources(data_cfg).values())]


def download(raw_dir: Path, data_cfg) -> None:
    """A user's files come from nowhere else: say where they go."""
    raise DataError(
        f"{raw_dir}: missing {', '.join(missing(raw_dir, data_cfg))} (data.files); "
        + HOW_TO_GET.replace("<raw_subdir>", data_cfg.raw_subdir)
    )


def read(raw_dir: Path, data_cfg) -> dict[str, pd.DataFrame]:
    raw_dir = Path(raw_dir)
    if missing(raw_dir, data_cfg):
        download(raw_dir, data_cfg)
    paths = {split: raw_dir / name for split, name in sources(data_cfg).items()}
    return read_sources(paths, data_cfg, data_cfg.format, data_cfg.encoding)
