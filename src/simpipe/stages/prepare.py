"""Stage `prepare`: raw files -> data/prepared/<variant>/{train,dev,test}.parquet + stats.json."""

from __future__ import annotations

import logging

from simpipe.data.prepared import SPLITS, STATS_FILE, split_file
from simpipe.data.readers import read_raw
from simpipe.errors import DataError
from simpipe.io import atomic_dir, write_json
from simpipe.paths import Layout

log = logging.getLogger(__name__)


def run(cfg) -> dict[str, int]:
    layout = Layout.from_cfg(cfg)
    frames = read_raw(cfg.data, layout.raw(cfg.data.raw_subdir))
    limit = cfg.data.limit
    stats: dict[str, int] = {}
    with atomic_dir(layout.prepared(cfg.name)) as out:
        for split in SPLITS:
            frame = frames[split] if limit is None else frames[split].head(limit)
            if frame.empty:
                raise DataError(f"data split {split!r} of {cfg.data.name} is empty (data.limit={limit})")
            frame.to_parquet(split_file(out, split), index=False)
            stats[split] = len(frame)
        write_json(out / STATS_FILE, {"dataset": cfg.data.name, "rows": stats})
    log.info("prepared %s: %s", cfg.name, ", ".join(f"{k}={v}" for k, v in stats.items()))
    return stats
