"""Where every artifact lives, derived from one root (`paths.root`). Mirrors dvc.yaml's directories."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simpipe.core.sections import Section, option


@dataclass(frozen=True)
class Layout:
    """The directories of a pipeline rooted at `root` (files inside them: `simpipe.artifacts`)."""

    root: Path
    raw_root: Path | None = None

    @classmethod
    def from_cfg(cls, cfg) -> Layout:
        raw = cfg.paths.get("raw")
        return cls(Path(cfg.paths.root), Path(raw) if raw else None)

    def raw(self, subdir: str) -> Path:
        return (self.raw_root or self.root / "data" / "raw") / subdir

    def prepared(self, variant: str, dataset: str | None = None) -> Path:
        """Prepare stage output: the variant's own data set, or its training set `dataset` (a subdirectory)."""
        return self.root / "data" / "prepared" / variant / (dataset or "")

    def mined(self, variant: str, dataset: str | None = None) -> Path:
        """Mine stage output: the train split the train stage reads (with hard negatives when mined), of the
        variant's own data set or of its training set `dataset` (a subdirectory)."""
        return self.root / "data" / "mined" / variant / (dataset or "")

    def candidates(self, variant: str) -> Path:
        """Candidates stage output: the retriever's top documents of each dev and test query (a reranker's)."""
        return self.root / "data" / "candidates" / variant

    def trained(self, variant: str) -> Path:
        """Train stage output: the trained model plus its training record."""
        return self.root / "trained" / variant

    def checkpoints(self, variant: str) -> Path:
        """Trainer checkpoints of an unfinished train stage (not a DVC output; deleted when training ends)."""
        return self.root / "checkpoints" / variant

    def metrics(self, variant: str, dataset: str | None = None) -> Path:
        """Metrics of the variant; of its training set `dataset`'s mining in a subdirectory."""
        return self.root / "metrics" / variant / (dataset or "")

    def model(self, variant: str) -> Path:
        """Card stage output: the publishable model directory with its README.md card."""
        return self.root / "models" / variant

    def report(self, variant: str) -> Path:
        """Report stage output: the reference card beside the reproduced one."""
        return self.root / "reports" / variant

    def mlflow_uri(self) -> str:
        return f"sqlite:///{(self.root / 'mlflow.db').resolve()}"


@dataclass
class PathsConfig(Section):
    """The `paths` config section (conf/paths/default.yaml)."""

    root: str = option(".", "every artifact path derives from it; dvc.yaml assumes root '.'")
    raw: str | None = option(None, "raw data sets; null: <root>/data/raw (sweep jobs share the launch directory's)")
    mirror: str | None = option("../shared/data", "local copy of the raw data sets, used by `simpipe fetch` first")
