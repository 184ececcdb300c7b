"""Put raw data in data/raw/: from a local mirror, else from the hub, else say how to get it."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from simpipe.data import reader
from simpipe.errors import DataError

log = logging.getLogger(__name__)


def missing_files(raw_dir: Path, names: list[str]) -> list[str]:
    return [n for n in names if not (raw_dir / n).is_file()]


def fetch(data_cfg, raw_dir: Path, mirror: Path | None) -> str:
    """Fill `raw_dir` with the files of `data_cfg`; return where they came from."""
    raw_dir = Path(raw_dir)
    mod = reader(data_cfg.reader)
    names = list(mod.FILES.values())
    if not missing_files(raw_dir, names):
        return "present"
    source = Path(mirror) / data_cfg.raw_subdir if mirror else None
    if source is not None and not missing_files(source, names):
        raw_dir.mkdir(parents=True, exist_ok=True)
        for name in names:
            tmp = raw_dir / f".{name}.tmp"
            shutil.copyfile(source / name, tmp)
            tmp.replace(raw_dir / name)
        log.info("copied %s from mirror %s", ", ".join(names), source)
        return f"mirror {source}"
    try:
        mod.write_from_hub(raw_dir, data_cfg.hub_id)
    except Exception as exc:  # offline, hub down, no credentials: all end in the same advice
        raise DataError(
            f"{raw_dir}: missing {', '.join(missing_files(raw_dir, names))}; no mirror at {source} "
            f"and the hub download of {data_cfg.hub_id!r} failed ({type(exc).__name__}); {mod.HOW_TO_GET}"
        ) from exc
    log.info("downloaded %s from the hub", data_cfg.hub_id)
    return f"hub {data_cfg.hub_id}"
