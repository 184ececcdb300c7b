"""Reader for Kaggle's Home Depot Product Search Relevance files: query/title pairs, seed-card prep."""

from __future__ import annotations

import logging
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd

from simpipe.core.errors import DataError
from simpipe.data.checks import SEED_DUPLICATES, check_texts, report_duplicates
from simpipe.data.config import RELEVANCE
from simpipe.data.homedepot_text import augment_all
from simpipe.data.splits import grouped_split, random_split

log = logging.getLogger(__name__)

COMPETITION = "home-depot-product-search-relevance"
HOW_TO_GET = (
    f"install the Kaggle CLI (pip install -e '.[kaggle]'), run `kaggle competitions download -c {COMPETITION}` "
    "and put train.csv(.zip) and "
    "attributes.csv(.zip) in data/raw/home-depot/, or set paths.mirror to a directory holding home-depot/ and "
    "run `simpipe fetch`"
)
FILES = ("train.csv", "attributes.csv")
TRAIN_COLUMNS = ("id", "product_uid", "product_title", "search_term", "relevance")
ATTRIBUTE_COLUMNS = ("product_uid", "name", "value")
BRAND_ATTRIBUTE = "MFG Brand Name"
ENCODINGS = {"train.csv": "iso-8859-1", "attributes.csv": "utf-8"}  # as Kaggle distributes them


def locate(raw_dir: Path, name: str) -> Path | None:
    """`name` or `name.zip` in `raw_dir`."""
    for candidate in (raw_dir / name, raw_dir / f"{name}.zip"):
        if candidate.is_file():
            return candidate
    return None


def missing(raw_dir: Path, data_cfg=None) -> list[str]:
    return [f"{name}(.zip)" for name in FILES if locate(Path(raw_dir), name) is None]


def files(raw_dir: Path, data_cfg=None) -> list[Path]:
    """The files `read` reads, zipped or not (the first found of each)."""
    return [path for name in FILES if (path := locate(Path(raw_dir), name)) is not None]


def download(raw_dir: Path, data_cfg) -> None:
    """Download with the Kaggle CLI (`pip install -e '.[kaggle]'` and an API token in ~/.kaggle/kaggle.json)."""
    if shutil.which("kaggle") is None:
        raise FileNotFoundError("the kaggle command is not installed: pip install -e '.[kaggle]'")
    raw_dir.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        subprocess.run(
            ["kaggle", "competitions", "download", "-c", COMPETITION, "-f", name, "-p", str(raw_dir)],
            check=True,
        )


def read_csv(path: Path, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read a Kaggle CSV, zipped or not, checking its columns."""
    try:
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as zf:
                members = [m for m in zf.namelist() if Path(m).name == name]
                if not members:
                    raise DataError(f"{path}: no {name} inside; re-download it ({HOW_TO_GET})")
                with zf.open(members[0]) as fh:
                    frame = pd.read_csv(fh, encoding=ENCODINGS[name], dtype=str, keep_default_na=False)
        else:
            frame = pd.read_csv(path, encoding=ENCODINGS[name], dtype=str, keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError, zipfile.BadZipFile) as exc:
        raise DataError(f"{path}: cannot be read as {name} ({type(exc).__name__}: {exc}); re-download it") from exc
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise DataError(
            f"{path}: missing column(s) {', '.join(absent)} (has {', '.join(frame.columns)}); "
            f"expected Kaggle's {name} with {', '.join(columns)}"
        )
    return frame


def label(relevance: float, data_cfg=None) -> float:
    """The prepared label of a raw relevance (1-3, the mean of the raters' grades): (relevance - 1) / 2 in [0, 1]."""
    return (relevance - 1.0) / 2.0


def labels(relevance: pd.Series, path: Path) -> pd.Series:
    """`label` of every row, after checking each is a number in [1, 3]."""
    values = pd.to_numeric(relevance, errors="coerce")
    low, high = RELEVANCE
    bad = values.isna() | ~values.between(low, high)
    if bad.any():
        row = int(bad.idxmax())
        raise DataError(
            f"{path}: relevance {relevance.iloc[row]!r} in data row {row + 1} is not a number in [{low:g}, {high:g}]; "
            "fix the row"
        )
    return label(values)


def brands(raw_dir: Path) -> dict[str, str]:
    """product_uid -> `MFG Brand Name` (empty values left out)."""
    path = locate(raw_dir, "attributes.csv")
    frame = read_csv(path, "attributes.csv", ATTRIBUTE_COLUMNS)
    rows = frame[(frame["name"] == BRAND_ATTRIBUTE) & (frame["value"].str.strip() != "")]
    return dict(zip(rows["product_uid"], rows["value"], strict=True))


def prepare_texts(frame: pd.DataFrame, brand_by_product: dict[str, str] | None) -> tuple[list[str], list[str]]:
    """Processed queries and titles; each distinct (text, brand) is processed once."""
    queries, titles = frame["search_term"].tolist(), frame["product_title"].tolist()
    no_brands = [None] * len(frame)
    brands = no_brands if brand_by_product is None else [brand_by_product.get(p) for p in frame["product_uid"]]
    return _processed(queries, no_brands), _processed(titles, brands)


def _processed(texts: list[str], brands: list[str | None]) -> list[str]:
    """`augment_all` of each distinct (text, brand) pair, mapped back to every row."""
    keys = list(dict.fromkeys(zip(texts, brands, strict=True)))
    done = dict(zip(keys, augment_all([t for t, _ in keys], [b for _, b in keys]), strict=True))
    return [done[key] for key in zip(texts, brands, strict=True)]


def read(raw_dir: Path, data_cfg) -> dict[str, pd.DataFrame]:
    """Prepared train/dev/test frames with columns `data_cfg.columns` (query, title, label), the texts
    processed as the seed card did or raw (`data.text`); in the pairs view the train frame keeps only
    (query, title) of the pairs at least `search.min_relevance` relevant."""
    raw_dir = Path(raw_dir)
    if missing(raw_dir):
        raise DataError(f"{raw_dir}: missing {', '.join(missing(raw_dir))}; {HOW_TO_GET}")
    path = locate(raw_dir, "train.csv")
    frame = read_csv(path, "train.csv", TRAIN_COLUMNS)
    if frame.empty:
        raise DataError(f"{path}: no rows; re-download it ({HOW_TO_GET})")
    source = data_cfg.brand_source
    check_texts(frame, ["search_term", "product_title"], path, "fix or remove the row")
    report_duplicates(frame[["search_term", "product_title", "relevance"]], path, SEED_DUPLICATES)
    scores = labels(frame["relevance"], path)
    if data_cfg.text == "raw":
        queries, titles = frame["search_term"].tolist(), frame["product_title"].tolist()
    else:
        queries, titles = prepare_texts(frame, brands(raw_dir) if source == "attributes" else None)
    prepared = pd.DataFrame(dict(zip(data_cfg.columns, (queries, titles, scores), strict=True)))
    split = data_cfg.split
    if split.grouped:
        # group by the processed query: raw variants ("Ryobi trimmers", "ryobi trimmer") are one query, in
        # either text (so both texts split the same rows)
        groups = queries if data_cfg.text == "seed" else _processed(queries, [None] * len(queries))
        index = grouped_split(groups, split.test_fraction, split.val_fraction, split.seed, str(path))
    else:
        index = random_split(len(frame), split.test_fraction, split.val_fraction, split.seed, str(path))
    out = {name: prepared.iloc[rows].reset_index(drop=True) for name, rows in index.items()}
    if data_cfg.shape == "pairs":
        train = out["train"]
        relevant = train[train[data_cfg.columns[2]] >= label(data_cfg.search.min_relevance)]
        out["train"] = relevant[list(data_cfg.train_columns)].reset_index(drop=True)
        log.info("Home Depot pairs view: %d of %d train pairs relevant", len(relevant), len(train))
    return out
