"""The raw-data readers by `data.reader` name.

A reader module provides `read(raw_dir, data_cfg) -> {"train"|"dev"|"test": frame}`,
`missing(raw_dir) -> [file names]`, `files(raw_dir) -> [the paths it reads]`,
`download(raw_dir, data_cfg)`, `label(raw score) -> prepared label` and `HOW_TO_GET`.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pandas as pd

from simpipe.data import homedepot, stsb
from simpipe.errors import ConfigError

READERS = {"stsb": stsb, "homedepot": homedepot}


def reader(name: str) -> ModuleType:
    if name not in READERS:
        raise ConfigError(f"data.reader={name!r} is unknown (known: {', '.join(sorted(READERS))})")
    return READERS[name]


def read_raw(data_cfg, raw_dir: Path) -> dict[str, pd.DataFrame]:
    """Read the raw splits of `data_cfg` from `raw_dir` into frames with `data_cfg.columns`."""
    return reader(data_cfg.reader).read(Path(raw_dir), data_cfg)
