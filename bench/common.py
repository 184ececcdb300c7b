"""What the benchmark cases share: configs rooted in a work directory, child processes, the machine."""

from __future__ import annotations

import logging
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import torch
from omegaconf import OmegaConf

from simpipe.core.config import REPO_ROOT, compose
from simpipe.core.io import write_text
from simpipe.core.paths import Layout
from simpipe.modeling.hardware import BF16_FLAGS, cpu_flags, cpu_has_bf16, cpu_model

log = logging.getLogger("bench")
HERE = Path(__file__).resolve().parent
# the repository's own pipeline: its raw data is what every case reads
REPO = Layout(REPO_ROOT)


def variant_cfg(work: Path, variant: str, *overrides: str):
    """`variant`'s run config rooted at `work`, reading the repository's raw data, untracked, checked (as a
    stage receives it: derived values such as `data.eval_shape` filled in)."""
    from simpipe.schema import check

    return check(
        compose(
            "run",
            [
                f"variant={variant}",
                f"paths.root={work}",
                f"paths.raw={REPO.raw('')}",
                "tracking.enabled=false",
                "tracking.codecarbon.enabled=false",
                *overrides,
            ],
        )
    )


def homedepot_cfg(work: Path, *overrides: str):
    return variant_cfg(work, "minilm_homedepot", *overrides)


def pipeline_params(work: Path, *overrides: str) -> Path:
    """`work/params.yaml`: the pipeline config (conf/config.yaml + `overrides`) rooted at `work`,
    reading the repository's raw data and tracking to `work/mlflow.db`, for `simpipe <stage> --params`."""
    cfg = compose("config", list(overrides))
    cfg.paths.root, cfg.paths.raw = str(work), str(REPO.raw(""))
    cfg.tracking.uri = Layout(work).mlflow_uri()
    work.mkdir(parents=True, exist_ok=True)
    write_text(work / "params.yaml", OmegaConf.to_yaml(cfg))
    return work / "params.yaml"


def run_child(cmd: list[str], log_file: Path) -> float:
    """Run `cmd` with its output in `log_file`; its wall seconds."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log_file.open("w", encoding="utf-8") as out:
        code = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
    if code:
        tail = log_file.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(cmd)} failed with exit code {code} (log {log_file}):\n{tail}")
    return time.perf_counter() - started


def logged_peak_rss(log_file: Path) -> float:
    """The peak RSS (GiB) a `simpipe <stage>` process logs when it ends (its own VmHWM: a child's
    ru_maxrss from wait4 would include the pages of this benchmark process that forked it)."""
    found = re.findall(r"peak RSS ([\d.]+) GiB", log_file.read_text(encoding="utf-8", errors="replace"))
    if not found:
        raise RuntimeError(f"{log_file}: no 'peak RSS' line; is it the log of a `simpipe <stage>` run?")
    return float(found[-1])


def simpipe_cmd(stage: str, variant: str, params: Path) -> list[str]:
    return [sys.executable, "-m", "simpipe", stage, "--variant", variant, "--params", str(params)]


# CPU flags shown in RESULTS.md (all of them go to results.json): vector widths and bf16/int8 units
SHOWN_FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8")


def machine() -> dict:
    """The CPU model and flags, cores, OS and torch of this run."""
    flags = cpu_flags()
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "native_bf16": cpu_has_bf16(flags),
        "flags": sorted(flags),
    }


def describe(m: dict) -> str:
    """A machine (`machine()`) as one line of RESULTS.md."""
    shown = " ".join(f for f in SHOWN_FLAGS if f in m["flags"]) or "none of " + " ".join(SHOWN_FLAGS)
    bf16 = (
        "native bf16 (" + "/".join(sorted(BF16_FLAGS & set(m["flags"]))) + ")" if m["native_bf16"] else "no native bf16"
    )
    return (
        f"{m['cpu']}, {m['cores']} cores ({m['torch_threads']} torch threads), {m['platform']}, torch {m['torch']}; "
        f"flags: {shown}; {bf16}"
    )


def conditions(r: dict) -> str:
    """The conditions of a run: its machine, its torch threads (when not all cores), the --note."""
    parts = [f"measured on {describe(r['machine'])}"] if "machine" in r else ["machine not recorded (an earlier run)"]
    threads = r.get("torch_threads", os.cpu_count())
    parts += [f"{threads} torch thread(s) per process"] if threads < os.cpu_count() else []
    parts += [r["note"]] if r.get("note") else []
    return "; ".join(parts)


def noted(r: dict) -> list[str]:
    """The conditions of a case's run as a paragraph of RESULTS.md."""
    return [f"Conditions: {conditions(r)}", ""]


def table_section(r: dict, heading: str, header: list[str], rows: list[list[str]], *notes: str) -> list[str]:
    """A part of RESULTS.md: its heading, one table, the notes under it and the conditions of case result `r`."""
    from simpipe.documents.render import markdown_table

    return [
        f"## {heading}",
        "",
        *markdown_table(header, rows),
        "",
        *(line for n in notes for line in (n, "")),
        *noted(r),
    ]
