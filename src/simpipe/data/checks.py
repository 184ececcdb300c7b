"""Checks shared by the raw-data readers: empty texts stop with the row; duplicates are kept and reported."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from simpipe.core.errors import DataError

log = logging.getLogger(__name__)


def check_texts(frame: pd.DataFrame, columns: list[str], path: Path, fix: str) -> None:
    """Fail on the first empty or whitespace-only text in `columns` (data rows count from 1)."""
    for column in columns:
        empty = frame[column].str.strip() == ""
        if empty.any():
            row = int(empty.to_numpy().argmax())
            raise DataError(f"{path}: empty {column} in data row {row + 1} ({int(empty.sum())} in all); {fix}")


def report_duplicates(frame: pd.DataFrame, path: Path) -> int:
    """Count rows that repeat an earlier row; they are kept (as in the seeds' data), with a warning."""
    count = int(frame.duplicated().sum())
    if count:
        log.warning("%s: %d duplicated row(s) kept, as the reference runs did", path, count)
    return count
