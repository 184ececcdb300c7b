"""`simpipe fetch`: put raw data in data/raw/: from a local mirror, else downloaded, else say how to get it."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from simpipe.core.errors import DataError
from simpipe.data.readers import reader

log = logging.getLogger(__name__)


def fetch(data_cfg, raw_dir: Path, mirror: Path | None) -> str:
    """Fill `raw_dir` with the files of `data_cfg`; return where they came from."""
    raw_dir = Path(raw_dir)
    mod = reader(data_cfg.reader)
    if not mod.missing(raw_dir, data_cfg):
        return "present"
    source = Path(mirror) / data_cfg.raw_subdir if mirror else None
    if source is not None and source.is_dir() and not mod.missing(source, data_cfg):
        raw_dir.mkdir(parents=True, exist_ok=True)
        for path in mod.files(source, data_cfg):  # only what the reader reads: raw_dir hashes alike from any source
            tmp = raw_dir / f".{path.name}.tmp"
            shutil.copyfile(path, tmp)
            tmp.replace(raw_dir / path.name)
        log.info("copied %s from mirror %s", data_cfg.raw_subdir, source)
        return f"mirror {source}"
    try:
        mod.download(raw_dir, data_cfg)
    except DataError:  # the reader's own one-line advice (a user's files are never downloaded)
        raise
    except Exception as exc:  # offline, hub down, no credentials: all end in the same advice
        why = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        raise DataError(
            f"{raw_dir}: missing {', '.join(mod.missing(raw_dir, data_cfg))}; "
            f"{f'no mirror at {source}' if source else 'no paths.mirror'} and the "
            f"download of {data_cfg.hub_id!r} failed ({why}); "
            + mod.HOW_TO_GET.replace("<raw_subdir>", data_cfg.raw_subdir)
        ) from exc
    log.info("downloaded %s", data_cfg.hub_id)
    return f"download {data_cfg.hub_id}"
