"""Versions of the libraries that shape a run, as sentence-transformers' card lists them, plus simpipe's tools."""

from __future__ import annotations

import platform
from importlib.metadata import version


def library_versions() -> dict[str, str]:
    """sentence-transformers' card versions (Python, transformers, torch, ...), simpipe's tools and the platform."""
    from sentence_transformers.base.model_card import get_versions

    versions = {k: str(v) for k, v in get_versions().items()}
    for dist in ("simpipe", "mlflow", "dvc", "hydra-core", "codecarbon", "nltk"):
        versions[dist.replace("-", "_")] = version(dist)
    versions["platform"] = platform.platform()
    return versions


def pinned_requirements(dists: tuple[str, ...] = ("sentence-transformers", "transformers", "torch")) -> list[str]:
    """`dist==version` of each of `dists`, local labels such as +cpu dropped (what a logged model needs to load)."""
    return [f"{dist}=={version(dist).split('+')[0]}" for dist in dists]
