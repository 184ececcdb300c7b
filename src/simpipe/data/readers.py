"""The raw-data readers by `data.reader` name.

A reader module provides `read(raw_dir, data_cfg) -> {"train"|"dev"|"test": frame}` (the prepared columns
`data_cfg.columns`, in the order of the shape's roles), `missing(raw_dir, data_cfg) -> [file names]`,
`files(raw_dir, data_cfg) -> [the paths it reads]`, `download(raw_dir, data_cfg)`,
`label(raw score, data_cfg) -> prepared label` and `HOW_TO_GET`; its `data` config section is
`simpipe.data.config.READER_SECTIONS[name]`. The built-in data sets have their own readers (`stsb`,
`homedepot`); any other table is config: `files` (a user's files) or `hub` (a hub data set).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pandas as pd

from simpipe.core.errors import ConfigError
from simpipe.data import files, homedepot, hub, stsb

READERS = {"stsb": stsb, "homedepot": homedepot, "files": files, "hub": hub}


def reader(name: str) -> ModuleType:
    if name not in READERS:
        raise ConfigError(f"data.reader={name!r} is unknown (known: {', '.join(sorted(READERS))})")
    return READERS[name]


def search_threshold(data_cfg) -> float | None:
    """The prepared label at or above which a pair counts as relevant (`data.search.min_relevance`, a raw
    score, on the prepared scale); None without search metrics."""
    if not data_cfg.search:
        return None
    return reader(data_cfg.reader).label(data_cfg.search.min_relevance, data_cfg)


def read_raw(data_cfg, raw_dir: Path) -> dict[str, pd.DataFrame]:
    """Read the raw splits of `data_cfg` from `raw_dir` into frames with `data_cfg.columns`."""
    return reader(data_cfg.reader).read(Path(raw_dir), data_cfg)
