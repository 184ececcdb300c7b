"""Peak RSS of each stage of each variant on the full data (fresh processes)."""

from __future__ import annotations

import logging
from pathlib import Path

from bench.common import logged_peak_rss, pipeline_params, run_child, simpipe_cmd, table_section

log = logging.getLogger("bench")


def measure(work: Path, hd_train_steps: int = 100) -> dict:
    """Each stage of each variant as its own process on the full data; the Home Depot training
    stops after `hd_train_steps` steps (its memory is flat after the first evaluation)."""
    params = pipeline_params(
        work, f"variants.minilm_homedepot.train.max_steps={hd_train_steps}", "tracking.codecarbon.enabled=false"
    )
    out: dict[str, dict[str, float]] = {}
    for variant in ("glove_bilstm_sts", "minilm_homedepot"):
        for stage in ("prepare", "train", "evaluate", "card"):
            log_file = work / "logs" / f"{stage}-{variant}.log"
            seconds = run_child(simpipe_cmd(stage, variant, params), log_file)
            gib = logged_peak_rss(log_file)
            out[f"{stage}@{variant}"] = {"peak_rss_gib": gib, "wall_s": seconds}
            log.info("%s@%s: peak RSS %.2f GiB, %.1f s", stage, variant, gib, seconds)
    return {"hd_train_steps": hd_train_steps, "stages": out}


def targets(r: dict) -> list[tuple[str, str, str, bool]]:
    """(what, measured, target, met) rows of RESULTS.md's summary."""
    rows = []
    stages = r["stages"]
    for stage, limit in (("prepare", 1.0), ("train", 4.0)):
        peak = max(v["peak_rss_gib"] for k, v in stages.items() if k.startswith(f"{stage}@"))
        rows.append((f"peak RSS, {stage}", f"{peak:.2f} GiB", f"< {limit:g} GiB", peak < limit))
    return rows


def section(r: dict) -> list[str]:
    """This case's part of RESULTS.md."""
    return table_section(
        r,
        "Peak memory (RSS) per stage, full data, CPU",
        ["stage", "peak RSS", "wall"],
        [[name, f"{v['peak_rss_gib']:.2f} GiB", f"{v['wall_s']:.0f} s"] for name, v in r["stages"].items()],
        f"Each stage its own process (`simpipe <stage>`); train@minilm_homedepot stopped after "
        f"{r['hd_train_steps']} steps, including one evaluation of 2,000 val pairs.",
    )
