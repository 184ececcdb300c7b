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


# why the seeds' data sets keep their duplicates
SEED_DUPLICATES = "as the reference runs did"


def report_duplicates(frame: pd.DataFrame, path: Path, why: str) -> int:
    """Count rows that repeat an earlier row; they are kept, with a warning that says `why` (the seeds'
    data: as their reference runs did; a user's file: what to do if they are mistakes)."""
    count = int(frame.duplicated().sum())
    if count:
        log.warning("%s: %d duplicated row(s) kept, %s", path, count, why)
    return count
