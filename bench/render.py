"""RESULTS.md from results.json: the targets of every case measured, then each case's section. Nothing is
hand-written: figures come from results.json, facts about the pipeline from dvc.yaml (through the cases)."""

from __future__ import annotations

from bench.cases import CASES
from bench.common import describe


def summary(results: dict) -> list[str]:
    """One row per target: what was measured, the target, whether it holds."""
    rows = [row for name, case in CASES.items() if name in results for row in case.targets(results[name])]
    if not rows:
        return []
    return [
        "| case | measured | target | met |",
        "|---|---|---|---|",
        *(f"| {case} | {value} | {target} | {'yes' if met else '**no**'} |" for case, value, target, met in rows),
        "",
    ]


def render(results: dict) -> str:
    lines = ["# simpipe benchmarks", "", f"Latest run on: {describe(results['machine'])}", "", *summary(results)]
    for name, case in CASES.items():  # in CASES' order
        if name in results:
            lines += case.section(results[name])
    return "\n".join(lines)
