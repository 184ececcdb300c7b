"""The `data` config section of each reader (conf/data/*.yaml): `READER_SECTIONS[data.reader]`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

from simpipe.core.sections import Section, at_least, invalid, option, required
from simpipe.data.shapes import SHAPES

# the prepared splits, in this order (simpipe.data.prepared writes one file each)
SPLITS = ("train", "dev", "test")
# Home Depot's relevance: the mean of (mostly three) raters' grades 1 (irrelevant) to 3 (exact match)
RELEVANCE = (1.0, 3.0)


@dataclass
class SearchConfig(Section):
    min_relevance: float = option(2.5, "a result is relevant to a query when their pair's raw score is at least this")


@dataclass
class DataConfig(Section):
    """Keys every reader takes."""

    # the shapes this reader's data can take
    READS: ClassVar[tuple[str, ...]] = ("scored_pairs",)

    name: str = required("the data set's name (prepared stats, cards and MLflow inputs, when not on the hub)")
    reader: str = required("the raw reader: stsb, homedepot, files or hub (simpipe.data.readers)")
    raw_subdir: str = required("the raw files' directory under data/raw/ (and under paths.mirror)")
    shape: str = required(f"what a row holds: {', '.join(SHAPES)} (simpipe.data.shapes)")
    dev_name: str = required("name of the dev split in metrics (e.g. sts-dev): <dev_name>/spearman_cosine")
    test_name: str = required("name of the test split in metrics")
    hub_id: str | None = option(None, "where `simpipe fetch` downloads from without a mirror")
    search: SearchConfig | None = option(None, "product-search metrics over the eval splits; null: none")
    limit: int | None = option(
        None,
        "keep only the first N pairs of each split (null: all; a train.datasets set without its own: the variant's)",
    )
    columns: list[str] | None = option(
        None, "prepared column names, one per role in the shape's order (null: the roles)"
    )

    @property
    def eval_shape(self) -> str:
        """The shape of the prepared dev and test splits (the evaluators follow it): `shape`, unless the
        reader keeps richer eval data (Home Depot's pairs view keeps every graded pair for search)."""
        return self.shape

    def ordered_roles(self, key: str) -> tuple[str, ...]:
        """The roles of the prepared eval splits in column order (`key`: where a mismatch is reported)."""
        return SHAPES[self.shape].roles

    def train_columns(self) -> list[str]:
        """The prepared train split's columns (those of the eval splits unless `eval_shape` differs)."""
        return list(self.columns)

    DERIVED: ClassVar[tuple[str, ...]] = ("eval_shape", "train_columns")

    def derived(self) -> dict[str, Any]:
        return {"eval_shape": self.eval_shape, "train_columns": self.train_columns()}

    def check(self, key: str) -> None:
        """Checks the values and fills in `columns` (null: the roles)."""
        if self.shape not in SHAPES:
            raise invalid(f"{key}.shape", self.shape, f"choose one of {', '.join(SHAPES)}")
        if self.shape not in self.READS:
            raise invalid(f"{key}.shape", self.shape, f"data.reader={self.reader} reads {', '.join(self.READS)}")
        roles = self.ordered_roles(f"{key}.roles")
        if self.columns is None:
            self.columns = list(roles)
        if len(self.columns) != len(roles) or len(set(self.columns)) != len(self.columns):
            raise invalid(
                f"{key}.columns", self.columns, f"name {len(roles)} distinct columns, one per role: {', '.join(roles)}"
            )
        if self.dev_name == self.test_name:
            raise invalid(f"{key}.test_name", self.test_name, f"must differ from {key}.dev_name")
        at_least(f"{key}.limit", self.limit, 1, "pairs kept per split")
        if self.search is not None and SHAPES[self.shape].classes:
            raise invalid(f"{key}.search", "set", f"class ids ({self.shape}) make no search of queries; set it to null")
        low, high, what = self.raw_range(key)
        if self.search is not None and not low <= self.search.min_relevance <= high:
            raise invalid(
                f"{key}.search.min_relevance", self.search.min_relevance, f"must be in [{low:g}, {high:g}] ({what})"
            )

    def raw_range(self, key: str) -> tuple[float, float, str]:
        """(low, high, what they are) of the raw score that `search.min_relevance` is compared with."""
        return (-float("inf"), float("inf"), "any score")


@dataclass
class SplitConfig(Section):
    seed: int = option(42, "seed of the shuffled split")
    test_fraction: float = option(0.2, "share of all rows in test")
    val_fraction: float = option(0.2, "share of the rows left after test in val")
    grouped: bool = option(False, "true: no (processed) search query in two splits")

    def check(self, key: str) -> None:
        for name in ("test_fraction", "val_fraction"):
            value = getattr(self, name)
            if not 0.0 < value < 1.0:
                raise invalid(f"{key}.{name}", value, "must be in (0, 1) (a share of the rows)")


@dataclass
class HomeDepotData(DataConfig):
    """Kaggle's Home Depot files: one file, split here. Two views: scored pairs (query, title, relevance), or
    pairs: the train split keeps the (query, title) pairs at least `search.min_relevance` relevant, while
    val and test keep every graded pair, so that their search metrics equal the scored view's."""

    READS: ClassVar[tuple[str, ...]] = ("scored_pairs", "pairs")

    text: Literal["seed", "raw"] = option(
        "seed", "seed: stemmed, with brand_/color_ tokens (the seed card's processing); raw: as typed and listed"
    )
    brand_source: Literal["title", "attributes"] = option(
        "title", "brand_<b> token of titles: the title's first word (seed) or attributes.csv's MFG Brand Name"
    )
    split: SplitConfig = field(default_factory=SplitConfig, metadata={"help": "the seeded train/val/test split"})

    @property
    def eval_shape(self) -> str:
        return "scored_pairs"

    def ordered_roles(self, key: str) -> tuple[str, ...]:
        return SHAPES["scored_pairs"].roles

    def train_columns(self) -> list[str]:
        return list(self.columns[:2]) if self.shape == "pairs" else list(self.columns)

    def check(self, key: str) -> None:
        super().check(key)
        if self.shape == "pairs" and self.search is None:
            raise invalid(
                f"{key}.search", None, "the pairs view keeps pairs at least search.min_relevance relevant; set it"
            )
        if self.text == "raw" and self.brand_source != "title":
            raise invalid(
                f"{key}.brand_source", self.brand_source, f"brand tokens belong to {key}.text=seed; set it to title"
            )

    def raw_range(self, key: str) -> tuple[float, float, str]:
        return (*RELEVANCE, "Home Depot's relevance grades")


@dataclass(kw_only=True)
class TabularData(DataConfig):
    """Rows of a table (a user's files or a hub data set), its columns mapped to roles by name."""

    READS: ClassVar[tuple[str, ...]] = tuple(SHAPES)

    roles: dict[str, str] = required(
        "role -> source column, e.g. {sentence1: question, sentence2: answer, score: relevance}; others are dropped"
    )
    label_range: list[float] = option([0.0, 1.0], "[low, high] of the raw score or label, scaled to [0, 1]")
    split: SplitConfig = field(
        default_factory=SplitConfig, metadata={"help": "the seeded train/dev/test split of a single source"}
    )

    def ordered_roles(self, key: str) -> tuple[str, ...]:
        return SHAPES[self.shape].ordered(self.roles, key)

    def check(self, key: str) -> None:
        seen: dict[str, str] = {}
        for role, column in self.roles.items():
            if not isinstance(column, str) or not column:
                raise invalid(f"{key}.roles.{role}", column, "name a column of the source data")
            if column in seen:
                raise invalid(
                    f"{key}.roles.{role}", column,
                    f"{key}.roles.{seen[column]} names that column too; a text against itself teaches nothing: "
                    "give each role its own column",
                )  # fmt: skip
            seen[column] = role
        if len(self.label_range) != 2 or not self.label_range[0] < self.label_range[1]:
            raise invalid(f"{key}.label_range", self.label_range, "expected [low, high] with low < high")
        super().check(key)

    def raw_range(self, key: str) -> tuple[float, float, str]:
        return (*self.label_range, f"{key}.label_range")


# file formats by extension (the last suffix before an optional compression suffix)
FORMATS = {".csv": "csv", ".tsv": "tsv", ".json": "json", ".jsonl": "json", ".parquet": "parquet"}


@dataclass(kw_only=True)
class FilesData(TabularData):
    """A user's own files in data/raw/<raw_subdir>/: one per split, or one split here by `split`."""

    files: str | dict[str, str] = required(
        "one file, split by data.split, or {train: ..., dev: ..., test: ...}: names under data/raw/<raw_subdir>/"
    )
    format: Literal["csv", "tsv", "json", "parquet"] | None = option(
        None, "null: from the extension (.csv, .tsv, .json, .jsonl, .parquet; .zip/.gz after it)"
    )
    encoding: str = option("utf-8", "text encoding of csv, tsv and json files")

    def check(self, key: str) -> None:
        super().check(key)
        if isinstance(self.files, dict) and sorted(self.files) != sorted(SPLITS):
            raise invalid(f"{key}.files", self.files, f"name one file, or one per split: {', '.join(SPLITS)}")
        names = [self.files] if isinstance(self.files, str) else list(self.files.values())
        for name in names:
            if Path(name).name != name:
                raise invalid(f"{key}.files", self.files, f"a file in data/raw/{self.raw_subdir}/, by name only")


@dataclass(kw_only=True)
class HubData(TabularData):
    """A data set on the Hugging Face hub; `simpipe fetch` stores its splits as parquet in data/raw/<raw_subdir>/."""

    hub_id: str = required("the data set's hub id, e.g. sentence-transformers/all-nli")
    subset: str | None = option(None, "the hub data set's subset (config name), e.g. pair-score")
    revision: str | None = option(None, "a branch, tag or commit of the hub data set (null: main)")
    splits: str | dict[str, str] = option(
        {"train": "train", "dev": "validation", "test": "test"},
        "the hub's split of each of train, dev, test; or one hub split, divided by data.split",
    )

    def check(self, key: str) -> None:
        super().check(key)
        if isinstance(self.splits, dict) and sorted(self.splits) != sorted(SPLITS):
            raise invalid(f"{key}.splits", self.splits, f"name one hub split, or one per split: {', '.join(SPLITS)}")


READER_SECTIONS: dict[str, type[DataConfig]] = {
    "stsb": DataConfig,
    "homedepot": HomeDepotData,
    "files": FilesData,
    "hub": HubData,
}
