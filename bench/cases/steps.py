"""One training step of each model in each CPU setting tried (fp32, bf16 autocast, bf16 + torch.compile),
alternating; the padding share of random batches."""

from __future__ import annotations

import logging
import statistics
import time
from pathlib import Path

import torch

from bench.cases.train import TRAIN_STEPS
from bench.common import table_section, variant_cfg
from simpipe.core.paths import Layout
from simpipe.data.prepared import load_split
from simpipe.modeling.model import build_model
from simpipe.stages import prepare

log = logging.getLogger("bench")

STEP_SETTINGS = ("fp32", "bf16", "bf16+compile")


def measure(work: Path, steps: int = 8, rounds: int = 4) -> dict:
    """`step_times` of each variant of TRAIN_STEPS."""
    return {
        "steps_per_setting": steps * rounds,
        "variants": {v: step_times(work, v, steps, rounds) for v in TRAIN_STEPS},
    }


def step_times(work: Path, variant: str, steps: int, rounds: int) -> dict:
    """Median time of one optimizer step (forward, CosineSimilarityLoss, backward, AdamW) in each of
    STEP_SETTINGS on the variant's training batches: fp32 and bf16 alternating, then bf16 + compile."""
    import copy

    from sentence_transformers.sentence_transformer.losses import CosineSimilarityLoss

    cfg = variant_cfg(work, variant)
    prepare.run(cfg)
    data = load_split(Layout.from_cfg(cfg).prepared(variant), "train")
    a, b, label = cfg.data.columns
    size = cfg.train.batch_size
    torch.manual_seed(cfg.train.seed)
    eager = build_model(cfg.model).train()  # dropout on, as the Trainer steps it
    models = {"fp32": eager, "bf16": eager}

    def adamw(model) -> torch.optim.Optimizer:
        return torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.train.learning_rate)

    optimizers = {id(eager): adamw(eager)}

    def step(name: str, i: int) -> float:
        model, optimizer = models[name], optimizers[id(models[name])]
        rows = data[i * size : (i + 1) * size]
        features = [model.preprocess(rows[a]), model.preprocess(rows[b])]
        started = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=name != "fp32"):
            value = CosineSimilarityLoss(model)(features, torch.tensor(rows[label], dtype=torch.float32))
        value.backward()
        optimizer.step()
        optimizer.zero_grad()
        return time.perf_counter() - started

    def warm_up(name: str) -> None:
        started = time.perf_counter()
        for i in range(3):
            step(name, i)
        log.info("%s %s: 3 warm-up steps in %.1f s", variant, name, time.perf_counter() - started)

    times: dict[str, list[float]] = {name: [] for name in STEP_SETTINGS}
    for name in models:
        warm_up(name)
    for r in range(rounds):
        for name in ("fp32", "bf16") if r % 2 == 0 else ("bf16", "fp32"):
            times[name] += [step(name, 3 + r * steps + k) for k in range(steps)]
    # last: once a process has compiled, even its eager steps run slower (MiniLM bf16: 402 -> 454 ms)
    compiled = copy.deepcopy(eager)
    for i, module in enumerate(compiled):
        compiled[i] = torch.compile(module, dynamic=True)
    models["bf16+compile"] = compiled
    optimizers[id(compiled)] = adamw(compiled)
    warm_up("bf16+compile")
    times["bf16+compile"] = [step("bf16+compile", 3 + k) for k in range(steps * rounds)]
    median = {name: statistics.median(t) for name, t in times.items()}
    result = {
        "batch_size": size,
        "median_step_s": median,
        "speedup_vs_fp32": {name: median["fp32"] / m for name, m in median.items()},
        "padding_share": padding_share(eager, data[a], data[b], size, cfg.train.seed),
    }
    log.info("%s: %s", variant, result)
    return result


def padding_share(model, texts1: list[str], texts2: list[str], size: int, seed: int) -> float:
    """Share of padding among the tokens of randomly drawn batches of `size` pairs."""

    lengths = [model.preprocess(list(t))["attention_mask"].sum(dim=1).numpy() for t in (texts1, texts2)]
    order = torch.randperm(len(texts1), generator=torch.Generator().manual_seed(seed)).numpy()
    real = padded = 0
    for start in range(0, len(order) - size + 1, size):
        batch = order[start : start + size]
        for length in lengths:
            real += int(length[batch].sum())
            padded += int(length[batch].max()) * size
    return 1 - real / padded


def targets(r: dict) -> list[tuple[str, str, str, bool]]:
    """No target: a cost measured for the record."""
    return []


def section(r: dict) -> list[str]:
    """This case's part of RESULTS.md."""
    rows = [
        [f"{v} ({x['batch_size']})",
         *(f"{1000 * x['median_step_s'][n]:.0f} ms ({x['speedup_vs_fp32'][n]:.2f}x)" for n in STEP_SETTINGS),
         f"{100 * x['padding_share']:.0f} %"]
        for v, x in r["variants"].items()
    ]  # fmt: skip
    return table_section(
        r,
        f"One training step per CPU setting (median of {r['steps_per_setting']}; fp32 and bf16 alternating, then "
        "bf16 + compile: a process that has compiled runs its eager steps slower too)",
        ["model (batch)", "fp32", "bf16 autocast", "bf16 + torch.compile", "padding share of random batches"],
        rows,
    )
