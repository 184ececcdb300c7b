"""Crash safety of the train stage: which Trainer checkpoint an interrupted run resumes from.

A checkpoint counts only when whole: its trainer state (written last) is there and every file reads back
(JSON parses, safetensors headers match their size, torch's zip archives pass their CRCs). A damaged one
(power lost while it was written) is set aside under `damaged/` with one warning, and the previous one is
used; keep at least two (`checkpoint.keep`) so there is one. A checkpoint resumes only the run that wrote it:
same `fingerprint` (what shapes the model, and the training data). Does not shape the model: not a stage dep."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import zipfile
from pathlib import Path

from safetensors import SafetensorError, safe_open
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR

from simpipe.core.config import model_params
from simpipe.core.io import read_json

log = logging.getLogger(__name__)

# in the checkpoint directory: which config and MLflow run its checkpoints belong to
RESUME_FILE = "resume.json"
# where damaged checkpoints are moved (outside the Trainer's `checkpoint-*` rotation)
DAMAGED = "damaged"
TRAINER_STATE = "trainer_state.json"  # the Trainer writes it after everything else
STEP = re.compile(rf"^{PREFIX_CHECKPOINT_DIR}-(\d+)$")


def fingerprint(cfg, data_files: list[Path]) -> str:
    """Hash of everything that shapes the trained model: its params (`simpipe.core.config.MODEL_PARAMS`) and
    the prepared files training reads (a checkpoint resumes only the same config on the same data)."""
    digest = hashlib.sha256(json.dumps(model_params(cfg), sort_keys=True).encode())
    for path in data_files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read_back(path: Path) -> None:
    """Read `path` as its kind is read on resume; raises when it is cut short or unreadable."""
    if path.suffix == ".json":
        json.loads(path.read_text())
    elif path.suffix == ".safetensors":
        with safe_open(path, "pt"):  # checks that the header's tensors cover the file exactly
            pass
    elif path.suffix in (".pt", ".pth", ".bin"):
        with zipfile.ZipFile(path) as archive:
            if (bad := archive.testzip()) is not None:
                raise zipfile.BadZipFile(f"member {bad} fails its CRC check")


def damage(checkpoint: Path) -> str | None:
    """Why `checkpoint` cannot be resumed from; None when it is whole."""
    if not (checkpoint / TRAINER_STATE).is_file():
        return f"no {TRAINER_STATE} (saving did not finish)"
    for path in sorted(p for p in checkpoint.rglob("*") if p.is_file()):
        try:
            read_back(path)
        except (OSError, ValueError, zipfile.BadZipFile, SafetensorError) as exc:
            return f"{path.relative_to(checkpoint)}: {type(exc).__name__}: {exc}"
    return None


def newest_whole(checkpoints: Path, set_aside: bool = True) -> Path | None:
    """The newest whole checkpoint under `checkpoints`; damaged newer ones are moved to `damaged/` (`set_aside`;
    DDP workers leave that to rank 0) with one warning each."""
    found = sorted((int(m.group(1)), p) for p in checkpoints.iterdir() if p.is_dir() and (m := STEP.match(p.name)))
    damaged: list[tuple[Path, str]] = []
    chosen = None
    for _, path in reversed(found):
        if (why := damage(path)) is None:
            chosen = path
            break
        damaged.append((path, why))
    outcome = f"resuming from {chosen.name}" if chosen else "no whole checkpoint is left: starting afresh"
    for path, why in damaged:
        if set_aside:
            aside = checkpoints / DAMAGED / path.name
            shutil.rmtree(aside, ignore_errors=True)
            aside.parent.mkdir(exist_ok=True)
            path.rename(aside)
            log.warning("checkpoint %s cannot be loaded (%s); set aside in %s; %s", path, why, aside, outcome)
    return chosen


def resume_point(checkpoints: Path, config_hash: str, clean: bool = True) -> tuple[Path | None, str | None]:
    """The newest whole checkpoint of an interrupted run of this config and its MLflow run id.

    Checkpoints of another config, or without a resume file, are deleted (`clean`; DDP workers leave
    that to rank 0): (None, None). With a resume file but no whole checkpoint (killed before the first
    save): (None, the interrupted run's id)."""
    resume = checkpoints / RESUME_FILE
    if resume.is_file():
        state = read_json(resume)
        if state.get("fingerprint") == config_hash:
            return newest_whole(checkpoints, set_aside=clean), state.get("mlflow_run_id")
        if clean:
            log.warning("%s holds checkpoints of another config; starting afresh", checkpoints)
    if clean and checkpoints.exists():
        shutil.rmtree(checkpoints)
    return None, None
