"""Stage `prepare`: raw files -> data/prepared/<variant>/{train,dev,test}.parquet, stats.json and
search.json (the search metrics' relevance threshold on the prepared scale, or null); for a variant's
training set (`simpipe prepare --set S`, stage prepare_set), the same files in data/prepared/<variant>/<S>/."""

from __future__ import annotations

import logging

from simpipe.core.errors import DataError
from simpipe.core.io import atomic_files, write_json
from simpipe.core.paths import Layout
from simpipe.data.prepared import SPLITS, STATS_FILE, split_file, write_search
from simpipe.data.readers import read_raw, search_threshold
from simpipe.training.sets import set_key

log = logging.getLogger(__name__)


def run(cfg) -> dict[str, int]:
    layout = Layout.from_cfg(cfg)
    frames = read_raw(cfg.data, layout.raw(cfg.data.raw_subdir))
    limit = cfg.data.limit
    stats: dict[str, int] = {}
    with atomic_files(layout.prepared(cfg.name, set_key(cfg))) as out:
        for split in SPLITS:
            frame = frames[split] if limit is None else frames[split].head(limit)
            if frame.empty:
                raise DataError(f"data split {split!r} of {cfg.data.name} is empty (data.limit={limit})")
            frame.to_parquet(split_file(out, split), index=False)
            stats[split] = len(frame)
        write_json(out / STATS_FILE, {"dataset": cfg.data.name, "rows": stats})
        min_label = search_threshold(cfg.data)
        write_search(out, cfg.data.search.min_relevance if cfg.data.search else None, min_label)
    log.info("prepared %s (%s): %s", cfg.name, cfg.data.name, ", ".join(f"{k}={v}" for k, v in stats.items()))
    return stats
