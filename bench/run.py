"""Benchmarks, each measured side by side in one run; writes bench/RESULTS.md and bench/results.json.

    python -m bench.run [case ...]        (make bench)
    python -m bench.run train --variant minilm_homedepot_search   (one variant's train rows, the others kept)
    python -m bench.run --render          (RESULTS.md again from results.json)

Cases (bench/cases/, one module each): prep, eval, steps, train, quality, dvc, rss, checkpoint, rerank,
static; their docstrings say what each measures.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import torch

from bench.cases import CASES
from bench.common import HERE, log, machine
from bench.render import render
from simpipe.core.config import REPO_ROOT
from simpipe.core.io import write_json, write_text


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="*", help=f"any of {', '.join(CASES)} (default: all)")
    parser.add_argument("--work", type=Path, default=REPO_ROOT / "runs" / "bench")
    parser.add_argument("--note", help="conditions of this run, printed in RESULTS.md (e.g. other load)")
    parser.add_argument("--render", action="store_true", help="only rewrite RESULTS.md from results.json")
    parser.add_argument(
        "--variant", action="append", help="train case: measure only this variant (repeatable); the others' rows stay"
    )
    args = parser.parse_args()
    unknown = sorted(set(args.cases) - set(CASES))
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(CASES)}")
    steps = CASES["train"].TRAIN_STEPS
    if bad := sorted(set(args.variant or []) - set(steps)):
        parser.error(f"--variant {', '.join(bad)}: the train case measures {', '.join(steps)}")
    out = HERE / "results.json"
    results = json.loads(out.read_text()) if out.is_file() else {}
    if args.render:
        write_text(HERE / "RESULTS.md", render(results))
        return
    results["machine"] = machine()
    for case in args.cases or CASES:
        log.info("bench %s", case)
        conditions = {"note": args.note, "torch_threads": torch.get_num_threads(), "machine": machine()}
        if case == "train" and args.variant and case in results:
            # Only these variants were measured now: they carry their own conditions, the others keep theirs.
            measured = CASES[case].measure(args.work / case, variants=args.variant)
            fresh = {name: {**v, "conditions": conditions} for name, v in measured["variants"].items()}
            results[case]["variants"] = {**results[case]["variants"], **fresh}
        else:
            results[case] = {**CASES[case].measure(args.work / case), **conditions}
    write_json(out, results)
    write_text(HERE / "RESULTS.md", render(results))


if __name__ == "__main__":
    main()
