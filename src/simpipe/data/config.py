"""The `data` config section of each reader (conf/data/*.yaml): `READER_SECTIONS[data.reader]`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from simpipe.core.sections import Section, at_least, invalid, option, required

# Home Depot's relevance: the mean of (mostly three) raters' grades 1 (irrelevant) to 3 (exact match)
RELEVANCE = (1.0, 3.0)


@dataclass
class SearchConfig(Section):
    min_relevance: float = option(2.5, "a result is relevant to a query when their pair's raw score is at least this")


@dataclass
class DataConfig(Section):
    """Keys every reader takes."""

    name: str = required("the data set's name (prepared stats, cards)")
    reader: str = required("the raw reader: stsb or homedepot (simpipe.data.readers)")
    raw_subdir: str = required("the raw files' directory under data/raw/ (and under paths.mirror)")
    columns: list[str] = required("prepared column names: text, text, label in [0, 1]")
    dev_name: str = required("name of the dev split in metrics (e.g. sts-dev): <dev_name>/spearman_cosine")
    test_name: str = required("name of the test split in metrics")
    hub_id: str | None = option(None, "where `simpipe fetch` downloads from without a mirror")
    search: SearchConfig | None = option(None, "product-search metrics over the eval splits; null: none")
    limit: int | None = option(None, "keep only the first N pairs of each split (null: all)")

    def check(self, key: str) -> None:
        if len(self.columns) != 3 or len(set(self.columns)) != 3:
            raise invalid(f"{key}.columns", self.columns, "name three distinct columns: text, text, label")
        if self.dev_name == self.test_name:
            raise invalid(f"{key}.test_name", self.test_name, f"must differ from {key}.dev_name")
        at_least(f"{key}.limit", self.limit, 1, "pairs kept per split")


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
    """Kaggle's Home Depot files: one file, split here."""

    brand_source: Literal["title", "attributes"] = option(
        "title", "brand_<b> token of titles: the title's first word (seed) or attributes.csv's MFG Brand Name"
    )
    split: SplitConfig = field(default_factory=SplitConfig, metadata={"help": "the seeded train/val/test split"})

    def check(self, key: str) -> None:
        super().check(key)
        low, high = RELEVANCE
        if self.search is not None and not low <= self.search.min_relevance <= high:
            raise invalid(
                f"{key}.search.min_relevance",
                self.search.min_relevance,
                f"must be in [{low:g}, {high:g}] (Home Depot's relevance grades)",
            )


READER_SECTIONS: dict[str, type[DataConfig]] = {"stsb": DataConfig, "homedepot": HomeDepotData}
