"""`dvc repro` of the repository when nothing changed, and which stages re-run after a card-only change
(a `card` param); needs an up-to-date pipeline (`dvc repro`)."""

from __future__ import annotations

import statistics
import subprocess
import time
from pathlib import Path

import yaml
from omegaconf import OmegaConf

from bench.common import table_section
from simpipe.core.config import REPO_ROOT


def after_card(dvc_yaml: Path = REPO_ROOT / "dvc.yaml") -> list[str]:
    """The stages of dvc.yaml that depend on an output of `card`: what a card-only change re-runs besides it."""
    stages = yaml.safe_load(dvc_yaml.read_text(encoding="utf-8"))["stages"]
    outs = [next(iter(o)) if isinstance(o, dict) else o for o in stages["card"]["do"]["outs"]]
    return [name for name, s in stages.items() if "do" in s and set(outs) & set(s["do"].get("deps", []))]


def ran_stages(output: str) -> list[str]:
    return [line.split("'")[1] for line in output.splitlines() if line.startswith("Running stage '")]


def dvc_repro(repo: Path) -> tuple[float, list[str]]:
    started = time.perf_counter()
    proc = subprocess.run(["dvc", "repro"], cwd=repo, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, ran_stages(proc.stdout)


def measure(work: Path, repo: Path = REPO_ROOT, rounds: int = 3) -> dict:
    """No-op `dvc repro` (median of `rounds`), then a card-only param change and back."""
    noop = []
    for _ in range(rounds):
        seconds, stages = dvc_repro(repo)
        if stages:
            raise RuntimeError(f"the pipeline is not up to date ({', '.join(stages)} ran); run `dvc repro` first")
        noop.append(seconds)
    params = repo / "params.yaml"
    original = params.read_text(encoding="utf-8")
    cfg = OmegaConf.create(original)
    cfg.variants.glove_bilstm_sts.card.model_name = "GloVe BiLSTM (bench: card-only change)"
    try:
        params.write_text(OmegaConf.to_yaml(cfg), encoding="utf-8")
        changed_s, changed = dvc_repro(repo)
    finally:
        params.write_text(original, encoding="utf-8")
        restore_s, restored = dvc_repro(repo)  # back to the committed card (DVC's run cache)
    return {
        "noop_s": statistics.median(noop),
        "noop_runs_s": noop,
        "card_change_s": changed_s,
        "card_change_ran": changed,
        "restore_s": restore_s,
        "restore_ran": restored,
    }


def targets(r: dict) -> list[tuple[str, str, str, bool]]:
    """(what, measured, target, met) rows of RESULTS.md's summary."""
    rows = []
    rows.append(("`dvc repro`, nothing changed", f"{r['noop_s']:.1f} s", "< 5 s", r["noop_s"] < 5))
    ran = sorted({name.split("@")[0] for name in r["card_change_ran"]})
    expected = sorted(["card", *after_card()])
    rows.append(("stages re-run after a card-only change", ", ".join(ran) or "none", ", ".join(expected) + " only",
                 ran == expected))  # fmt: skip
    return rows


def section(r: dict) -> list[str]:
    """This case's part of RESULTS.md."""
    ran = ", ".join(r["card_change_ran"]) or "nothing"
    return table_section(
        r,
        "`dvc repro` of this repository",
        ["nothing changed (median of 3)", "after a card-only change (`card.model_name` of glove_bilstm_sts)"],
        [[f"{r['noop_s']:.1f} s, no stage ran", f"{r['card_change_s']:.1f} s; ran: {ran}"]],
        "Stages that depend on the card's output, read from dvc.yaml now: "
        + (", ".join(after_card()) or "none")
        + "; prepare, train and evaluate are not re-run. The measurement is of the pipeline as it was then.",
    )
