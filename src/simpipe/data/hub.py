"""Reader `hub`: a data set on the Hugging Face hub (`data.hub_id`, `subset`, `revision`, `splits`), columns
by role (`simpipe.data.tabular`). `simpipe fetch` stores each hub split it names as `<hub split>.parquet`
in data/raw/<raw_subdir>/, so DVC hashes and pushes it like any raw data; prepare reads those files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from simpipe.core.errors import DataError
from simpipe.data.tabular import label, read_sources

HOW_TO_GET = (
    "connect to the hub (set HF_TOKEN for a gated data set), or save each split the config names as "
    "data/raw/<raw_subdir>/<hub split>.parquet (e.g. `datasets.load_dataset(id, subset, split=s).to_parquet(...)` "
    "on a machine online), or set paths.mirror to a directory holding <raw_subdir>/ and run `simpipe fetch`"
)
__all__ = ["HOW_TO_GET", "download", "files", "label", "missing", "read"]


def hub_splits(data_cfg) -> dict[str, str]:
    """Split -> the hub's split (`all` for one hub split divided by `data.split`)."""
    splits = data_cfg.splits
    return {"all": splits} if isinstance(splits, str) else dict(splits)


def file_name(hub_split: str) -> str:
    return f"{hub_split}.parquet"


def missing(raw_dir: Path, data_cfg) -> list[str]:
    names = dict.fromkeys(file_name(s) for s in hub_splits(data_cfg).values())
    return [name for name in names if not (Path(raw_dir) / name).is_file()]


def files(raw_dir: Path, data_cfg) -> list[Path]:
    return [Path(raw_dir) / file_name(s) for s in dict.fromkeys(hub_splits(data_cfg).values())]


def download(raw_dir: Path, data_cfg) -> None:
    """`datasets.load_dataset(hub_id, subset, revision=...)`, each named split written as parquet."""
    from datasets import load_dataset

    raw_dir.mkdir(parents=True, exist_ok=True)
    for hub_split in dict.fromkeys(hub_splits(data_cfg).values()):
        dataset = load_dataset(data_cfg.hub_id, data_cfg.subset, split=hub_split, revision=data_cfg.revision)
        target = raw_dir / file_name(hub_split)
        tmp = target.with_name(f".{target.name}.tmp")
        dataset.to_parquet(str(tmp))
        tmp.replace(target)  # complete or absent


def read(raw_dir: Path, data_cfg) -> dict[str, pd.DataFrame]:
    raw_dir = Path(raw_dir)
    if missing(raw_dir, data_cfg):
        raise DataError(
            f"{raw_dir}: missing {', '.join(missing(raw_dir, data_cfg))} of hub data set {data_cfg.hub_id!r}; "
            "run `simpipe fetch`"
        )
    paths = {split: raw_dir / file_name(s) for split, s in hub_splits(data_cfg).items()}
    return read_sources(paths, data_cfg, "parquet", "utf-8")
