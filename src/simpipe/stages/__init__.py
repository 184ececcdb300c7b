"""One module per DVC stage; each exposes `run(cfg)` taking a single-variant config.

`STAGES` is the registry the CLI (`simpipe <stage>`) and `python -m simpipe.sweep` both use.
Stage modules never import each other: what one stage hands the next is a file (`simpipe.artifacts`,
`simpipe.data.prepared`, `simpipe.documents.comparison`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from simpipe.core.errors import ConfigError

# in pipeline order (dvc.yaml): stage name -> module
STAGES = {
    "prepare": "simpipe.stages.prepare",
    "mine": "simpipe.stages.mine",
    "baseline": "simpipe.stages.baseline",
    "train": "simpipe.stages.train",
    "evaluate": "simpipe.stages.evaluate",
    "comparison": "simpipe.stages.comparison",
    "card": "simpipe.stages.card",
    "report": "simpipe.stages.report",
}


def stage(name: str, key: str = "stage") -> Callable[[Any], Any]:
    """The `run(cfg)` of stage `name` (imported on first use: a stage pulls in torch); `key` names the
    setting that asked for it in the error."""
    if name not in STAGES:
        raise ConfigError(f"{key}: unknown stage {name!r}; choose from {', '.join(STAGES)}")
    return importlib.import_module(STAGES[name]).run
