"""Tables by role: read a csv, tsv, json(l) or parquet file with `datasets.load_dataset`, keep the columns of
`data.roles` in the shape's order under the prepared names, and check every row (the readers `files` and
`hub` share it).

Bad input stops with one line naming the file and, where it applies, the data row (counted from 1): a
missing column (with the columns present), a label that is not a number or outside `data.label_range`, an
empty text, an empty file, an undecodable file, an unknown format. Duplicate rows are kept, with a warning.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from simpipe.core.errors import DataError
from simpipe.data.checks import check_texts, report_duplicates
from simpipe.data.config import FORMATS, SPLITS
from simpipe.data.shapes import SHAPES
from simpipe.data.splits import grouped_split, random_split

COMPRESSIONS = (".zip", ".gz", ".bz2", ".xz", ".zst")
# datasets' builder and its options per format
BUILDERS = {"csv": ("csv", {}), "tsv": ("csv", {"sep": "\t"}), "json": ("json", {}), "parquet": ("parquet", {})}
TEXT_FORMATS = ("csv", "tsv", "json")
NO_DATA = "corresponds to no data"


def file_format(path: Path, fmt: str | None) -> str:
    """`fmt`, else the format of `path`'s extension (`pairs.csv.gz` -> csv)."""
    if fmt is not None:
        return fmt
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] in COMPRESSIONS:
        suffixes = suffixes[:-1]
    if not suffixes or suffixes[-1] not in FORMATS:
        raise DataError(
            f"{path}: unknown file format {''.join(suffixes) or '(no extension)'!r}; name the file "
            f"{', '.join(FORMATS)} or set data.format to one of {', '.join(dict.fromkeys(FORMATS.values()))}"
        )
    return FORMATS[suffixes[-1]]


def read_table(path: Path, fmt: str | None, encoding: str, text_columns: list[str]) -> pd.DataFrame:
    """The rows of one file, as `datasets.load_dataset` reads them; texts of csv/tsv stay text ("0042", "NA")."""
    from datasets import load_dataset
    from datasets.exceptions import DatasetGenerationError

    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: not found; put it there or run `simpipe fetch`")
    fmt = file_format(path, fmt)
    if path.stat().st_size == 0:
        raise DataError(f"{path}: no rows (an empty file); fill the file or point the config at another")
    builder, options = BUILDERS[fmt]
    if fmt in TEXT_FORMATS:
        options = {**options, "encoding": encoding}
    if fmt in ("csv", "tsv"):
        options = {**options, "keep_default_na": False, "converters": dict.fromkeys(text_columns, str)}
    with tempfile.TemporaryDirectory(prefix="simpipe-datasets-") as cache:  # no stale cache, nothing left behind
        try:
            dataset = load_dataset(builder, data_files=str(path), split="train", cache_dir=cache, **options)
        except (DatasetGenerationError, ValueError, OSError) as exc:
            if NO_DATA in str(exc):  # datasets' words for a file of a header only
                raise DataError(f"{path}: no rows; fill the file or point the config at another") from exc
            cause = exc.__cause__ or exc
            detail = " ".join(f"{type(cause).__name__}: {cause}".split())
            how = f"{fmt} with encoding {encoding}" if fmt in TEXT_FORMATS else fmt
            settings = "data.format / data.encoding" if fmt in TEXT_FORMATS else "data.format"
            fix = f"fix the file, or set {settings}"
            raise DataError(f"{path}: cannot be read as {how} ({detail[:300]}); {fix}") from exc
        return dataset.to_pandas()


def by_role(frame: pd.DataFrame, data_cfg, path: Path) -> pd.DataFrame:
    """The columns of `data_cfg.roles` in the shape's order, named `data_cfg.columns`, checked; labels scaled
    from `data_cfg.label_range` to [0, 1]."""
    shape = SHAPES[data_cfg.shape]
    roles = shape.ordered(data_cfg.roles, "data.roles")
    sources = [data_cfg.roles[role] for role in roles]
    absent = [f"{role}: {column}" for role, column in zip(roles, sources, strict=True) if column not in frame.columns]
    if absent:
        raise DataError(
            f"{path}: no column {', '.join(absent)} (data.roles); the file has {', '.join(map(str, frame.columns))}"
        )
    out = pd.DataFrame({name: frame[source].to_numpy() for name, source in zip(data_cfg.columns, sources, strict=True)})
    texts = list(data_cfg.columns[: len(roles) - (1 if shape.label else 0)])
    for name, role in zip(texts, roles, strict=False):
        values = out[name].where(out[name].notna(), "")  # a null text is an empty one
        other = ~values.map(lambda v: isinstance(v, str)).to_numpy()
        if other.any():
            row = int(other.argmax())
            raise DataError(
                f"{path}: {role} {shown(values.iloc[row])} in data row {row + 1} is not a text; fix the row"
            )
        out[name] = values
    check_texts(out, texts, path, "fix or remove the row")
    if shape.label:
        out[data_cfg.columns[-1]] = labels(out[data_cfg.columns[-1]], data_cfg, path)
    report_duplicates(out, path, "drop them from the file if they are mistakes")
    return out


def shown(value) -> str:
    """A cell's value as the error shows it: `'lots'`, `7.5` (not `np.float64(7.5)`)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def label(raw, data_cfg):
    """The prepared label of a raw score or label (a number or a Series): `data.label_range` scaled to [0, 1]."""
    low, high = data_cfg.label_range
    return (raw - low) / (high - low)


def labels(raw: pd.Series, data_cfg, path: Path) -> pd.Series:
    """Each raw score or label checked to be a number in `data.label_range`, scaled to [0, 1]; a binary
    shape's labels must then be 0 or 1."""
    low, high = data_cfg.label_range
    role = SHAPES[data_cfg.shape].label
    if SHAPES[data_cfg.shape].classes:
        return class_ids(raw, role, path)
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    if values.isna().any():
        row = int(values.isna().to_numpy().argmax())
        raise DataError(f"{path}: {role} {shown(raw.iloc[row])} in data row {row + 1} is not a number; fix the row")
    outside = ~values.between(low, high)
    if outside.any():
        row = int(outside.to_numpy().argmax())
        raise DataError(
            f"{path}: {role} {shown(raw.iloc[row])} in data row {row + 1} is outside data.label_range "
            f"[{low:g}, {high:g}] ({int(outside.sum())} rows in all); fix the row or set data.label_range"
        )
    scaled = label(values, data_cfg)
    if SHAPES[data_cfg.shape].binary and not np.isin(scaled, (0.0, 1.0)).all():
        row = int((~np.isin(scaled, (0.0, 1.0))).argmax())
        raise DataError(
            f"{path}: {role} {shown(raw.iloc[row])} in data row {row + 1} is neither {low:g} nor {high:g} "
            f"(a {data_cfg.shape} label); fix the row, or use shape scored_pairs"
        )
    return scaled


def class_ids(raw: pd.Series, role: str, path: Path) -> pd.Series:
    """Each raw label checked to be a class id, a whole number >= 0 (kept as it is, not scaled)."""
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() | (values < 0) | (values % 1 != 0)
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise DataError(
            f"{path}: {role} {shown(raw.iloc[row])} in data row {row + 1} is not a class id (a whole number >= 0); "
            "map the classes to 0 ... k-1 in the file"
        )
    return values.astype("int64")


def read_sources(paths: dict[str, Path], data_cfg, fmt: str | None, encoding: str) -> dict[str, pd.DataFrame]:
    """Prepared train/dev/test frames from one file per split, or from one file (key "all") split by
    `data_cfg.split` (grouped: by the first text, e.g. the query)."""
    shape = SHAPES[data_cfg.shape]
    texts = [data_cfg.roles[role] for role in shape.ordered(data_cfg.roles, "data.roles") if role != shape.label]
    frames = {}
    for split, path in paths.items():
        table = read_table(path, fmt, encoding, texts)
        if table.empty:
            raise DataError(f"{path}: no rows; fill the file or point the config at another")
        frames[split] = by_role(table, data_cfg, path)
    if set(frames) == set(SPLITS):
        return frames
    (frame,) = frames.values()
    split = data_cfg.split
    (source,) = paths.values()
    if split.grouped:
        groups = frame[data_cfg.columns[0]].tolist()
        index = grouped_split(groups, split.test_fraction, split.val_fraction, split.seed, str(source))
    else:
        index = random_split(len(frame), split.test_fraction, split.val_fraction, split.seed, str(source))
    return {name: frame.iloc[rows].reset_index(drop=True) for name, rows in index.items()}
