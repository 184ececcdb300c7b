"""Hydra entry point for runs and sweeps beside DVC (conf/sweep.yaml):

    python -m simpipe.sweep variant=minilm_homedepot train.learning_rate=1e-4       # one run
    python -m simpipe.sweep -m variant=glove_bilstm_sts train.learning_rate=1e-4,1e-3 train.epochs=1,4
    python -m simpipe.sweep -m search=glove_grid                                     # a sweep kept in conf/search/

Every job runs the DVC stages' own functions (`stages`, default prepare → mine → train → evaluate) in its
Hydra output directory and returns the variant's headline metric (what Optuna maximizes). With -m,
`SweepCallback` opens one MLflow parent run per sweep; each job's run is nested under it, and when the
sweep ends the parent gets the best job, a comparison table and a chart of the jobs' Spearman curves.
"""

from __future__ import annotations

import atexit
import logging
import time
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict

from simpipe.cli import exit_on_sigterm
from simpipe.core.config import CONF_DIR
from simpipe.core.io import write_text
from simpipe.modeling.config import family_of
from simpipe.schema import check
from simpipe.shipping.registry import register
from simpipe.stages import run_stage, stage

log = logging.getLogger(__name__)
# written into the sweep directory: how jobs (local processes or cluster tasks) find their parent run
PARENT_FILE = "mlflow_parent_run_id"


def run_stages(cfg: DictConfig) -> float | None:
    """Run `cfg.stages` in order; the headline metric when `evaluate` ran, else None."""
    from simpipe.artifacts.metrics import headline_value, read_metrics
    from simpipe.core.paths import Layout

    for name in cfg.stages:  # an unknown name fails before anything runs
        stage(name, "stages")
    cfg = check(cfg)
    for name in cfg.stages:
        started = time.perf_counter()
        run_stage(name, cfg, "stages")
        log.info("stage %s@%s done in %.1f s", name, cfg.name, time.perf_counter() - started)
    if "evaluate" not in cfg.stages:
        return None
    metrics = read_metrics(Layout.from_cfg(cfg).metrics(cfg.name))
    return headline_value(cfg.data, cfg.eval, metrics, family_of(cfg.model))


def job_overrides() -> list[str]:
    return [o for o in HydraConfig.get().overrides.task if not o.startswith(("variant=", "search="))]


@hydra.main(config_path=str(CONF_DIR), config_name="sweep", version_base="1.3")
def main(cfg: DictConfig) -> float | None:
    exit_on_sigterm()
    hydra_cfg = HydraConfig.get()
    overrides = job_overrides()
    with open_dict(cfg):
        cfg.tracking.tags = {**cfg.tracking.tags, "hydra.overrides": " ".join(overrides)}
        if hydra_cfg.mode == RunMode.MULTIRUN:
            cfg.tracking.run_name = cfg.tracking.run_name or f"{cfg.name}-{hydra_cfg.job.num}"
            parent = Path(hydra_cfg.sweep.dir) / PARENT_FILE
            cfg.tracking.parent_run_id = parent.read_text(encoding="utf-8").strip() if parent.is_file() else None
            cfg.tracking.tags["sweep.job"] = hydra_cfg.job.num
    OmegaConf.resolve(cfg)
    return run_stages(cfg)


class SweepCallback(Callback):
    """One MLflow parent run per multirun, holding the sweep's overrides and, at the end, its summary.

    The parent's id goes to `<sweep dir>/mlflow_parent_run_id`, which every job reads: this works for
    any launcher (joblib processes, SLURM via submitit) as long as the sweep dir is on a shared disk.
    A sweep that dies still gets its parent ended (FAILED) with what its finished jobs logged.
    """

    def __init__(self) -> None:
        self.tracker = None
        self.sweep_dir: Path | None = None

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        from simpipe.tracking.tracker import Tracker

        HydraConfig.instance().set_config(config)  # Hydra sets it per job only; ${hydra:...} needs it here too
        self.sweep_dir = Path(config.hydra.sweep.dir)
        overrides = list(config.hydra.overrides.task)
        tracker = Tracker(config)
        tracker.start(
            run_name=f"sweep {self.sweep_dir.name}",
            tags={"simpipe.sweep": "parent", "sweep.overrides": " ".join(overrides), "sweep.dir": str(self.sweep_dir)},
        )
        if tracker.run_id is None:
            return
        tracker.log_params(
            {
                "sweep.overrides": " ".join(overrides),
                "sweep.sweeper": config.hydra.sweeper._target_,
                "sweep.launcher": config.hydra.launcher._target_,
            }
        )
        write_text(self.sweep_dir / PARENT_FILE, tracker.run_id + "\n")
        self.tracker = tracker
        atexit.register(self.finish, "FAILED")
        log.info("sweep: MLflow parent run %s in %s", tracker.run_id, tracker.uri)

    def on_multirun_end(self, config: DictConfig, **kwargs) -> None:
        self.finish("FINISHED")

    def finish(self, status: str) -> None:
        """Summarize the children into the parent run and end it (once)."""
        if self.tracker is None:
            return
        tracker, self.tracker = self.tracker, None
        rows = tracker.attempt("read the sweep's runs", self._children, tracker) or []
        if rows:
            self._summarize(tracker, rows)
        tracker.end(status)

    def _children(self, tracker) -> list:
        from simpipe.documents.runs import find_runs

        return find_runs(tracker.uri, tracker.cfg.tracking.experiment, parent=tracker.run_id)

    def _summarize(self, tracker, rows: list) -> None:
        from simpipe.documents.runs import best, table, text_table, write_report

        top = best(rows)
        tracker.log_metrics(
            {"sweep/jobs": len(rows), "sweep/failed": sum(r.status != "FINISHED" for r in rows)}
            | ({"best/headline": top.headline} if top else {})
        )
        if top:
            tracker.set_tags(
                {
                    "best.run_id": top.run_id,
                    "best.run_name": top.name,
                    "best.overrides": top.tags.get("hydra.overrides"),
                }
            )
        for path in write_report(rows, self.sweep_dir, f"Sweep {self.sweep_dir.name}"):
            tracker.log_artifact(path, artifact_path="sweep")
        log.info("sweep summary (%s):\n%s", self.sweep_dir, text_table(*table(rows)))
        if top:
            log.info("best: %s (headline %.4f, run %s)", top.name, top.headline, top.run_id)
            name = tracker.cfg.get("register_as")
            if name:
                what = f"register the best model as {name!r}"
                version = tracker.attempt(what, register, tracker.uri, top.run_id, name)
                if version is not None:
                    tracker.set_tags({"best.model": f"models:/{name}/{version.version}"})


if __name__ == "__main__":
    main()
