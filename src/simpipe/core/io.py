"""Atomic writes: outputs appear complete or not at all, with the modes the user's umask gives
(temporary files and directories start private; they are opened up before they are renamed)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def umask() -> int:
    """The process's umask (reading it means setting it; it is set back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same directory, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~umask())  # mkstemp's 0600 -> what open() would have given
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """Atomically write `text` as UTF-8."""
    write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, data: Any) -> None:
    """Atomically write `data` as indented JSON."""
    write_text(path, json.dumps(data, indent=2, sort_keys=False) + "\n")


def read_json(path: Path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


@contextlib.contextmanager
def atomic_dir(path: Path) -> Iterator[Path]:
    """Yield a temporary sibling directory that replaces `path` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    try:
        tmp.chmod(0o777 & ~umask())  # mkdtemp's 0700 -> what mkdir would have given
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    set_modes(tmp)
    if path.exists():
        shutil.rmtree(path)
    os.replace(tmp, path)


@contextlib.contextmanager
def atomic_files(path: Path) -> Iterator[Path]:
    """Yield a temporary directory whose files replace their namesakes in `path` (made if missing) only if
    the block succeeds; whatever else `path` holds stays (another stage's outputs beside these)."""
    path = Path(path)
    staged = path.parent / f".{path.name}.files"
    with atomic_dir(staged) as tmp:
        yield tmp
    path.mkdir(parents=True, exist_ok=True)
    try:
        for file in sorted(staged.iterdir()):
            os.replace(file, path / file.name)
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def set_modes(root: Path) -> None:
    """Give everything under `root` the mode the umask gives to new files and directories: libraries
    write some files through private temporary files (safetensors: 0600), which a team on a shared
    server could not read; others ignore a private umask."""
    mask = umask()
    for path in [root, *Path(root).rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode & 0o7777
        wanted = (0o777 if path.is_dir() or mode & 0o111 else 0o666) & ~mask
        if mode != wanted:
            path.chmod(wanted)
