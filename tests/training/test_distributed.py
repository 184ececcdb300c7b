"""The train stage under torchrun (DDP): 2 CPU processes (gloo) train what one process trains."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import mlflow
import pytest

from simpipe.core.errors import ConfigError
from simpipe.training.distributed import is_main, per_device_batch, world_size

V = "glove_bilstm_sts"
# 256 pairs, global batch 32: 8 steps; lr 1e-3 so that the model moves measurably
OVERRIDES = [f"variants.{V}.{o}" for o in ("data.limit=256", "train.max_steps=-1", "train.eval_steps=4",
                                            "train.logging_steps=2", "train.learning_rate=1e-3")]  # fmt: skip


def test_one_process_without_a_launcher(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    monkeypatch.delenv("RANK", raising=False)
    assert world_size() == 1 and is_main() and per_device_batch(32, "train.batch_size") == 32


def test_the_global_batch_is_split_over_the_processes(monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("RANK", "3")
    assert per_device_batch(32, "train.batch_size") == 8 and not is_main()
    monkeypatch.setenv("WORLD_SIZE", "3")
    with pytest.raises(ConfigError, match=r"train.batch_size=32 does not split over 3 processes; use a multiple of 3"):
        per_device_batch(32, "train.batch_size")


def run_stage(name: str, params: Path, launcher: list[str] | None = None) -> None:
    cmd = [*(launcher or [sys.executable]), "-m", "simpipe", name, "--variant", V, "--params", str(params)]
    subprocess.run(cmd, check=True)


def loss_curve(root: Path) -> list[tuple[int, float]]:
    with (root / "metrics" / V / "loss_curve.csv").open() as f:
        return [(int(row["step"]), float(row["loss"])) for row in csv.DictReader(f)]


@pytest.mark.slow
def test_torchrun_two_cpu_processes_match_one_process(tmp_path, mirror, quick_params):
    roots = {"single": tmp_path / "single", "ddp": tmp_path / "ddp"}
    for root in roots.values():
        params = quick_params(root, *OVERRIDES)
        run_stage("fetch", params)
        run_stage("prepare", params)
        run_stage("mine", params)
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
    run_stage("train", roots["single"] / "params.yaml")
    run_stage("train", roots["ddp"] / "params.yaml", launcher=torchrun)
    for root in roots.values():
        run_stage("evaluate", root / "params.yaml")

    single, ddp = (json.loads((r / "trained" / V / "run.json").read_text()) for r in roots.values())
    assert (single["processes"], ddp["processes"]) == (1, 2)
    assert single["global_step"] == ddp["global_step"] == 8
    # the same batches in the same order: process k of 2 takes half of each global batch
    steps, losses = zip(*loss_curve(roots["single"]), strict=True)
    assert [s for s, _ in loss_curve(roots["ddp"])] == list(steps) == [2, 4, 6, 8]
    assert [loss for _, loss in loss_curve(roots["ddp"])] == pytest.approx(losses, rel=1e-4)
    assert losses[-1] < losses[0]  # it did learn
    first, second = (json.loads((r / "metrics" / V / "metrics.json").read_text()) for r in roots.values())
    for split, values in first.items():
        for name, value in values.items():
            assert second[split][name] == pytest.approx(value, abs=2e-3), (split, name)

    # rank 0 alone tracked the run and wrote the outputs
    client = mlflow.MlflowClient(f"sqlite:///{roots['ddp'] / 'mlflow.db'}")
    (run,) = client.search_runs([client.get_experiment_by_name("simpipe").experiment_id])
    assert run.info.status == "FINISHED" and run.data.tags["processes"] == "2"
    assert [p.name for p in (roots["ddp"] / "trained").iterdir()] == [V]
    assert not (roots["ddp"] / "checkpoints" / V).exists()
