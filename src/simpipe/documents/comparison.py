"""`metrics/<variant>/comparison.json`: the trained model beside its reference card and its base model,
as the comparison stage computes it (`simpipe.documents.reproduction`) and the card (its verdict) and the
report (all of it) read it. The data model only: reading it needs nothing of how it was computed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from simpipe.artifacts.documents import COMPARISON_FILE
from simpipe.core.errors import SimpipeError
from simpipe.core.io import read_json, write_json


@dataclass
class MetricRow:
    dataset: str
    metric: str
    reference: float
    reproduced: float | None
    diff: float | None
    passed: bool


@dataclass
class LiftRow:
    """A metric of the base model (before fine-tuning) and of the fine-tuned one."""

    dataset: str
    metric: str
    base: float
    fine_tuned: float
    lift: float


@dataclass
class RerankRow:
    """A search metric of the retriever alone and of the retriever + reranker, on the same queries."""

    dataset: str
    metric: str
    retriever: float
    reranked: float
    gain: float


@dataclass
class FactRow:
    name: str
    reference: Any
    reproduced: Any
    differs: bool


# what the documents call a model scored as built but not pretrained (static vectors) beside its baseline
AS_BUILT = "the model as built"


def fused(fusion: float | None) -> str:
    """How a stack ranks, after its retriever's name: nothing for the reranker's scores alone."""
    return "" if fusion is None else f", scores fused with reranker weight {fusion:g}"


@dataclass
class Comparison:
    """This run beside its reference: rows with their verdicts, curves and architectures, as written."""

    variant: str
    reference: str | None  # where the reference's facts came from; None: no reference
    tolerance: float
    summary: str
    metrics: list[MetricRow] = field(default_factory=list)
    # the pretrained model fine-tuning started from (None: none) and its metrics beside the fine-tuned ones
    base_model: str | None = None
    baseline: list[LiftRow] = field(default_factory=list)
    # a reranker's first stage (the retriever variant; None: none) and its search beside the reranked one;
    # fusion: the reranker's weight when the stack ranks by both models' scores fused (None: the reranker's)
    retriever: str | None = None
    fusion: float | None = None
    rerank: list[RerankRow] = field(default_factory=list)
    facts: list[FactRow] = field(default_factory=list)
    hyperparameters: list[FactRow] = field(default_factory=list)
    environment: list[FactRow] = field(default_factory=list)
    # the dev curve column (e.g. val_spearman_cosine) and its (step, value) points on each side
    curve_metric: str = ""
    reference_curve: list[tuple[float, float]] = field(default_factory=list)
    reproduced_curve: list[tuple[float, float]] = field(default_factory=list)
    architecture: str = ""
    # the evaluate stage's encoding speed on the machine that ran it (speed.json; None: not measured)
    speed: dict | None = None

    @property
    def passed(self) -> int:
        return sum(row.passed for row in self.metrics)


def write_comparison(metrics_dir: Path, comparison: Comparison) -> Path:
    path = Path(metrics_dir) / COMPARISON_FILE
    write_json(path, asdict(comparison))
    return path


def read_comparison(metrics_dir: Path) -> Comparison:
    path = Path(metrics_dir) / COMPARISON_FILE
    if not path.is_file():
        raise SimpipeError(f"{path}: no comparison yet; run the comparison stage first (`dvc repro`)")
    data = read_json(path)
    for key, row in (
        ("metrics", MetricRow),
        ("baseline", LiftRow),
        ("rerank", RerankRow),
        ("facts", FactRow),
        ("hyperparameters", FactRow),
        ("environment", FactRow),
    ):
        data[key] = [row(**item) for item in data[key]]
    for key in ("reference_curve", "reproduced_curve"):
        data[key] = [tuple(point) for point in data[key]]
    return Comparison(**data)
