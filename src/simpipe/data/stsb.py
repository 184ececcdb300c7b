"""Reader for the original STS benchmark files (tab-separated, no quoting, scores 0-5)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from simpipe.core.errors import DataError
from simpipe.data.checks import SEED_DUPLICATES, check_texts, report_duplicates

FILES = {"train": "sts-train.csv", "dev": "sts-dev.csv", "test": "sts-test.csv"}
HUB_SPLITS = {"train": "train", "dev": "validation", "test": "test"}
N_FIELDS = 7  # genre, file, year, id, score, sentence1, sentence2 (+ optional source columns)
MAX_SCORE = 5.0


def label(score: float, data_cfg=None) -> float:
    """The prepared label of a raw STS score (0-5): score / 5 in [0, 1]."""
    return score / MAX_SCORE


def read_file(path: Path) -> pd.DataFrame:
    """Read one STS file line by line: quotes are literal text, extra source columns ignored."""
    rows = []
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DataError(
                    f"{path}:{lineno}: not valid UTF-8 (byte {raw[exc.start]:#04x} at column {exc.start + 1}); "
                    "re-fetch the file with `simpipe fetch` or fix its encoding"
                ) from None
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) < N_FIELDS:
                raise DataError(
                    f"{path}:{lineno}: {len(fields)} tab-separated columns, expected at least {N_FIELDS} "
                    "(genre, file, year, id, score, sentence1, sentence2); "
                    "re-fetch the file with `simpipe fetch`"
                )
            try:
                score = float(fields[4])
            except ValueError:
                raise DataError(
                    f"{path}:{lineno}: score {fields[4]!r} is not a number; fix or remove the row"
                ) from None
            if score != score:  # NaN
                raise DataError(f"{path}:{lineno}: score {fields[4]!r} is not a number; fix or remove the row")
            if not 0.0 <= score <= MAX_SCORE:
                raise DataError(f"{path}:{lineno}: score {score} outside [0, {MAX_SCORE:g}]; fix the row")
            rows.append((fields[5], fields[6], label(score)))
    if not rows:
        raise DataError(f"{path}: no rows; re-fetch the file with `simpipe fetch`")
    frame = pd.DataFrame(rows, columns=["sentence1", "sentence2", "score"])
    check_texts(frame, ["sentence1", "sentence2"], path, "fix or remove the row (data row = line)")
    report_duplicates(frame, path, SEED_DUPLICATES)
    return frame


def missing(raw_dir: Path, data_cfg=None) -> list[str]:
    return [name for name in FILES.values() if not (Path(raw_dir) / name).is_file()]


def files(raw_dir: Path, data_cfg=None) -> list[Path]:
    """The files `read` reads (the benchmark's readme and license are not among them)."""
    return [Path(raw_dir) / name for name in FILES.values()]


def read(raw_dir: Path, data_cfg) -> dict[str, pd.DataFrame]:
    """Read train/dev/test with the prepared column names `data_cfg.columns`."""
    raw_dir = Path(raw_dir)
    if missing(raw_dir):
        raise DataError(
            f"{raw_dir}: missing {', '.join(missing(raw_dir))}; run `simpipe fetch` "
            "(local mirror, else the Hugging Face hub sentence-transformers/stsb)"
        )
    splits = {}
    for split, name in FILES.items():
        frame = read_file(raw_dir / name)
        frame.columns = list(data_cfg.columns)
        splits[split] = frame
    return splits


def download(raw_dir: Path, data_cfg) -> None:
    """Download `data_cfg.hub_id` and write it in the original format, so one reader serves both sources."""
    from datasets import load_dataset

    from simpipe.core.io import write_text

    hub_id = data_cfg.hub_id
    ds = load_dataset(hub_id)
    for split, name in FILES.items():
        lines = []
        for i, row in enumerate(ds[HUB_SPLITS[split]]):
            s1, s2 = (row[c].replace("\t", " ").replace("\n", " ") for c in ("sentence1", "sentence2"))
            score = row["score"] * MAX_SCORE
            lines.append(f"hub\t{hub_id}\t-\t{i:04d}\t{score:.3f}\t{s1}\t{s2}\n")
        write_text(raw_dir / name, "".join(lines))


HOW_TO_GET = (
    "download the STS benchmark (https://ixa2.si.ehu.eus/stswiki/index.php/STSbenchmark) "
    "into data/raw/stsbenchmark/ or set paths.mirror to a directory holding stsbenchmark/ and run `simpipe fetch`"
)
