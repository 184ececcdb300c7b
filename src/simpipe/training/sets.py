"""The data sets a variant trains on: its own (`data`, `train.loss`, `mine`) and those of `train.datasets`
(sentence-transformers' multi-dataset training: a DatasetDict and a loss per set).

Each set is a view of the variant's config with that set's `data`, `mine`, `train.loss` and
`train.loss_params` in place and `train_set` naming it, so the prepare and mine stages run on one set
without knowing of the others; the paths of its files follow `train_set` (`Layout.prepared(name, set)`).
The variant's own set is named by `data.name` in the DatasetDict, the card and MLflow, the others by their
`train.datasets` key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from datasets import Dataset
from omegaconf import DictConfig, OmegaConf, open_dict

from simpipe.core.errors import ConfigError
from simpipe.core.paths import Layout
from simpipe.data.prepared import load_split, read_search, run_files

# the key of a view's set: None (or absent) for the variant's own data set
SET_KEY = "train_set"


@dataclass(frozen=True)
class TrainingSet:
    """One data set of a variant: `key` in `train.datasets` (None: the variant's own `data`), its `name`
    (the DatasetDict's key) and `cfg`, the variant's config as this set's."""

    key: str | None
    name: str
    cfg: DictConfig


def set_config(cfg: DictConfig, key: str | None) -> DictConfig:
    """The variant's config as its set `key`'s (None: the variant's own, unchanged); a set without a
    `data.limit` of its own takes the variant's."""
    if key is None:
        return cfg
    sets = cfg.train.get("datasets") or {}
    if key not in sets:
        known = ", ".join(sets) or "none (train.datasets is empty)"
        raise ConfigError(f"--set {key}: {cfg.name} has no train.datasets.{key}; its sets: {known}")
    dataset = sets[key]
    view = cfg.copy()
    with open_dict(view):
        view.data = dataset.data
        if view.data.get("limit") is None:  # the variant's (a quick profile's) limit shrinks every set
            view.data.limit = cfg.data.get("limit")
        view.mine = dataset.mine
        view.train.loss = dataset.loss
        view.train.loss_params = dataset.loss_params
        view.train.datasets = {}
        view[SET_KEY] = key
    return view


def set_key(cfg: DictConfig) -> str | None:
    """The set a (view of a) variant's config is: None for the variant's own data."""
    return OmegaConf.select(cfg, SET_KEY, default=None)


def training_sets(cfg: DictConfig) -> list[TrainingSet]:
    """Every data set the variant trains on, its own first."""
    own = TrainingSet(None, cfg.data.name, cfg)
    more = [TrainingSet(key, key, set_config(cfg, key)) for key in cfg.train.get("datasets") or {}]
    return [own, *more]


@dataclass
class SetSplits:
    """One data set's prepared splits as a later stage reads them: `files` by split (train: as trained,
    the mine stage's), the loaded `splits` asked for, and the prepared search threshold."""

    dataset: TrainingSet
    files: dict[str, Path]
    splits: dict[str, Dataset]
    min_label: float | None


def set_splits(layout: Layout, cfg: DictConfig, names: Sequence[str]) -> list[SetSplits]:
    """The splits `names` (of train, dev, test) of every data set of the variant, its own first."""
    out = []
    for dataset in training_sets(cfg):
        prepared = layout.prepared(cfg.name, dataset.key)
        files = run_files(prepared, layout.mined(cfg.name, dataset.key))
        splits = {name: load_split(files[name].parent, name) for name in names}
        out.append(SetSplits(dataset, files, splits, read_search(prepared)))
    return out
