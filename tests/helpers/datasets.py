"""Small raw data sets in the real formats, written by the tests (no copy of any real data):

- STS benchmark: tab-separated, no header, no quoting (sentences hold `"` characters), 7 columns
  (genre, file, year, id, score 0-5, sentence1, sentence2) and in some rows extra source columns;
- Kaggle Home Depot: `train.csv` (id, product_uid, product_title, search_term, relevance in [1, 3])
  in ISO-8859-1, zipped as `train.csv.zip`; `attributes.csv` (product_uid, name, value) in UTF-8,
  zipped, with `MFG Brand Name` rows among others.

`write_mirror(root)` lays them out as a data mirror (`root/stsbenchmark`, `root/home-depot`).
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from pathlib import Path

SUBJECTS = ["A man", "A woman", "The child", "A dog", "Two girls", "An old man", "The cat", "A young boy"]
ACTIONS = [
    "is playing a guitar", "is riding a horse", "is cutting an onion", "is reading a book",
    "is swimming in the pool", "is eating an apple", "is running on the beach", "is cooking some rice",
    'says "hello" to a friend', 'is singing "happy birthday"',
]  # fmt: skip
PLACES = ["in the park", "at home", "on the street", "in the kitchen", "near the river"]

BRANDS = ["Ryobi", "BEHR Premium", "KOHLER", "Hampton Bay", "Everbilt", "Glacier Bay", "DEWALT", "Husky"]
ITEMS = [
    "Cordless Drill", "Exterior Paint", "Toilet Seat", "Ceiling Fan", "Door Hinge", "Bathroom Faucet",
    "Circular Saw", "Tool Box", "Garden Hose", "Light Bulb", "Copper Pipe 90° Elbow", "Wall Tile",
]  # fmt: skip
COLORS = ["White", "Black", "Brown", "Gray", "Blue", "Red"]
SIZES = ["1/2 in.", "14 in. x 14 in.", "3-1/2 in.", "24 in.", "10 ft.", "1 gal."]


def sts_rows(n: int, rng: random.Random) -> list[str]:
    """`n` STS lines: a sentence and a variant of it, scored by how much they share."""
    lines = []
    for i in range(n):
        subject, action, place = rng.choice(SUBJECTS), rng.choice(ACTIONS), rng.choice(PLACES)
        first = f"{subject} {action} {place}."
        same = rng.random()
        if same > 0.66:
            second, score = f"{subject} {action}.", 4.0 + rng.random()
        elif same > 0.33:
            second, score = f"{rng.choice(SUBJECTS)} {action} {rng.choice(PLACES)}.", 2.0 + rng.random() * 2
        else:
            second, score = f"{rng.choice(SUBJECTS)} {rng.choice(ACTIONS)} {rng.choice(PLACES)}.", rng.random() * 2
        extra = "\tsource-a\tsource-b" if i % 17 == 0 else ""  # a few rows carry extra source columns
        lines.append(f"main-captions\tMSRvid\t2012test\t{i:04d}\t{score:.3f}\t{first}\t{second}{extra}\n")
    return lines


def write_stsb(directory: Path, n_train: int = 300, n_eval: int = 60, seed: int = 0) -> Path:
    """sts-train/dev/test.csv in `directory`: `n_train` training pairs, `n_eval` dev and test pairs."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for split, n in (("train", n_train), ("dev", n_eval), ("test", n_eval)):
        (directory / f"sts-{split}.csv").write_text("".join(sts_rows(n, rng)), encoding="utf-8")
    return directory


def _zip(path: Path, member: str, data: bytes) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, data)


def homedepot_frames(n_products: int, n_rows: int, seed: int) -> tuple[list[list[str]], list[list[str]]]:
    """(train.csv rows, attributes.csv rows): products with brand/size/item/color titles and queries about them."""
    rng = random.Random(seed)
    products = []
    for uid in range(100001, 100001 + n_products):
        brand, item, color, size = rng.choice(BRANDS), rng.choice(ITEMS), rng.choice(COLORS), rng.choice(SIZES)
        products.append((str(uid), brand, f"{brand} {size} {color} {item}", item, color))
    train = []
    for row_id in range(1, n_rows + 1):
        uid, brand, title, item, color = rng.choice(products)
        kind = rng.random()
        if kind > 0.6:
            query, relevance = f"{brand.split()[0].lower()} {item.lower()}", rng.choice(["3", "2.67", "2.33"])
        elif kind > 0.3:
            query, relevance = f"{color.lower()} {item.lower().split()[0]}", rng.choice(["2.33", "2", "1.67"])
        else:
            query, relevance = rng.choice(ITEMS).lower(), rng.choice(["1", "1.33", "1.67", "2"])
        train.append([str(row_id), uid, title, query, relevance])
    attributes = []
    for uid, brand, _, _, color in products:
        attributes.append([uid, "MFG Brand Name", brand])
        attributes.append([uid, "Color Family", color])
    return train, attributes


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write_homedepot(directory: Path, n_products: int = 40, n_rows: int = 240, seed: int = 0) -> Path:
    """train.csv.zip (ISO-8859-1) and attributes.csv.zip (UTF-8) in `directory`, as Kaggle ships them."""
    directory.mkdir(parents=True, exist_ok=True)
    train, attributes = homedepot_frames(n_products, n_rows, seed)
    train_csv = _csv(["id", "product_uid", "product_title", "search_term", "relevance"], train)
    _zip(directory / "train.csv.zip", "train.csv", train_csv.encode("iso-8859-1"))
    attributes_csv = _csv(["product_uid", "name", "value"], attributes)
    _zip(directory / "attributes.csv.zip", "attributes.csv", attributes_csv.encode("utf-8"))
    return directory


def write_mirror(root: Path) -> Path:
    """A data mirror with both small data sets, laid out as `paths.mirror` expects."""
    write_stsb(root / "stsbenchmark")
    write_homedepot(root / "home-depot")
    return root


def user_pairs(n: int = 60, seed: int = 0):
    """A user's own scored pairs as a pandas frame: an id, question, answer, a rating 1-5 and a note column
    (columns the reader must drop), the sentences of `sts_rows`."""
    import pandas as pd

    rows = [line.rstrip("\n").split("\t") for line in sts_rows(n, random.Random(seed))]
    return pd.DataFrame({
        "id": [f"q{i:03d}" for i in range(n)],
        "question": [r[5] for r in rows],
        "answer": [r[6] for r in rows],
        "rating": [round(1 + float(r[4]) * 4 / 5, 2) for r in rows],
        "note": ["from a survey"] * n,
    })  # fmt: skip


def write_table(frame, path: Path) -> Path:
    """`frame` as the file `path` names: .csv, .tsv, .jsonl or .parquet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".tsv":
        frame.to_csv(path, index=False, sep="\t")
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        raise ValueError(f"no writer for {path}")
    return path


def write_hub_dataset(directory: Path, splits: dict) -> Path:
    """A data set in the layout of a hub repository (`data/<split>-00000-of-00001.parquet`, written with
    `datasets`), which `datasets.load_dataset(directory)` reads as it reads a hub id: the hub's stand-in."""
    from datasets import Dataset

    for split, frame in splits.items():
        path = directory / "data" / f"{split}-00000-of-00001.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        Dataset.from_pandas(frame, preserve_index=False).to_parquet(str(path))
    return directory
