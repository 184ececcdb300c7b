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
    "candidates": "simpipe.stages.candidates",
    "evaluate": "simpipe.stages.evaluate",
    "comparison": "simpipe.stages.comparison",
    "card": "simpipe.stages.card",
    "report": "simpipe.stages.report",
}


# stages that run once per data set a variant trains on (dvc.yaml: prepare and prepare_set, mine and
# mine_set; `simpipe <stage> --set S` runs one of `train.datasets`)
PER_SET = ("prepare", "mine")


def run_stage(name: str, cfg: Any, key: str = "stage") -> Any:
    """Run stage `name` on a variant's config, once per data set for the stages of PER_SET (the sweep
    runs every stage of a job this way); the result of its run on the variant's own data."""
    run = stage(name, key)
    if name not in PER_SET:
        return run(cfg)
    from simpipe.training.sets import training_sets

    own, *more = training_sets(cfg)
    result = run(own.cfg)
    for dataset in more:
        run(dataset.cfg)
    return result


def stage(name: str, key: str = "stage") -> Callable[[Any], Any]:
    """The `run(cfg)` of stage `name` (imported on first use: a stage pulls in torch); `key` names the
    setting that asked for it in the error."""
    if name not in STAGES:
        raise ConfigError(f"{key}: unknown stage {name!r}; choose from {', '.join(STAGES)}")
    return importlib.import_module(STAGES[name]).run
