"""Benchmarks, each measured side by side in one run; writes bench/RESULTS.md and bench/results.json.

    python bench/run.py [case ...]        (make bench)

Cases:
  prep         Home Depot text preparation of all 74,067 rows: simpipe (each distinct text and word
               once) vs a naive per-row NLTK run of the same rules; outputs must be identical.
  eval         Home Depot val set (11,851 pairs): simpipe's evaluator (each distinct text encoded once)
               vs sentence-transformers' EmbeddingSimilarityEvaluator; metrics must agree to 1e-6.
  checkpoint   cost of the train stage's crash-safety checkpoints: seconds per save and the
               share of training time at the default interval (MiniLM on Home Depot).
  steps        one training step of each model in each CPU setting tried (fp32, bf16 autocast,
               bf16 + torch.compile), alternating; the padding share of random batches.
  train        training throughput (samples/s) of `simpipe train` (its defaults on this machine:
               bf16 on a CPU with native bf16, the sparser CPU dev curve; MLflow, codecarbon,
               callbacks, checkpoints) vs bench/plain_st.py, a plain fp32 sentence-transformers
               script with the same hyperparameters, data and dev evaluation as the seeds; fresh
               processes, alternating (ABBA), MiniLM on Home Depot and GloVe on STS-b.
  quality      final metrics of a full GloVe run and a 1-epoch Home Depot run in fp32 with the dev
               curve every `train.eval_steps` (the settings before the fast path) and with the
               defaults, and the dev curve's share of each train stage.
  dvc          `dvc repro` of the repository when nothing changed, and which stages re-run after
               a card-only change (a `card` param); needs an up-to-date pipeline (`dvc repro`).
  rss          peak RSS of each stage of each variant on the full data (fresh processes).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch
from omegaconf import OmegaConf
from transformers import TrainerCallback

from simpipe import record
from simpipe.config import REPO_ROOT, compose
from simpipe.data.prepared import load_split
from simpipe.hardware import BF16_FLAGS, cpu_flags, cpu_has_bf16
from simpipe.io import read_json, write_json, write_text
from simpipe.modeling import build_model, model_source
from simpipe.paths import Layout
from simpipe.stages import prepare
from simpipe.tracking import Tracker
from simpipe.training import train

log = logging.getLogger("bench")
HERE = Path(__file__).resolve().parent


class StepClock(TrainerCallback):
    """Wall time of each optimizer step, and of each checkpoint save (from step end to `on_save`)."""

    def __init__(self) -> None:
        self.steps: list[float] = []
        self.saves: list[float] = []
        self._last = 0.0

    def on_step_begin(self, args, state, control, **kwargs):
        self._begin = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        self._last = time.perf_counter()
        self.steps.append(self._last - self._begin)

    def on_save(self, args, state, control, **kwargs):
        self.saves.append(time.perf_counter() - self._last)


def bench_checkpoint(work: Path, steps: int = 40, every: int = 10) -> dict:
    """Train MiniLM on the Home Depot data for `steps` steps with a checkpoint every `every` steps."""
    cfg = homedepot_cfg(
        work, f"train.max_steps={steps}", f"train.eval_steps={steps * 10}", f"checkpoint.every_steps={every}"
    )
    prepare.run(cfg)
    layout = Layout.from_cfg(cfg)
    clock = StepClock()
    model = build_model(cfg.model)
    train_ds = load_split(layout.prepared(cfg.name), "train")
    dev_ds = load_split(layout.prepared(cfg.name), "dev", 100)
    checkpoints = layout.checkpoints(cfg.name)
    train(cfg, model, train_ds, dev_ds, Tracker(cfg), checkpoints, "cpu", "fp32", callbacks=[clock])
    size = sum(f.stat().st_size for f in checkpoints.rglob("*") if f.is_file())
    step_s = statistics.median(clock.steps)
    save_s = statistics.median(clock.saves)
    default_every = compose("run").checkpoint.every_steps
    return {
        "steps": steps,
        "saves": len(clock.saves),
        "median_step_s": step_s,
        "median_save_s": save_s,
        "checkpoint_mb": size / 2**20,
        "default_every_steps": default_every,
        "overhead_at_default": save_s / (default_every * step_s),
    }


def variant_cfg(work: Path, variant: str, *overrides: str):
    """`variant`'s run config rooted at `work`, reading the repository's raw data, untracked."""
    return compose(
        "run",
        [
            f"variant={variant}",
            f"paths.root={work}",
            f"paths.raw={REPO_ROOT / 'data' / 'raw'}",
            "tracking.enabled=false",
            "tracking.codecarbon.enabled=false",
            *overrides,
        ],
    )


def homedepot_cfg(work: Path, *overrides: str):
    return variant_cfg(work, "minilm_homedepot", *overrides)


def bench_prep(work: Path) -> dict:
    """simpipe.data.homedepot.prepare_texts vs per-row augment() with uncached NLTK stemming."""
    from unittest import mock

    from simpipe import text
    from simpipe.data.homedepot import TRAIN_COLUMNS, locate, prepare_texts, read_csv

    raw = Layout.from_cfg(homedepot_cfg(work)).raw("home-depot")
    frame = read_csv(locate(raw, "train.csv"), "train.csv", TRAIN_COLUMNS)
    text.stem.cache_clear()
    text.tag_value.cache_clear()
    started = time.perf_counter()
    fast = prepare_texts(frame, None)
    fast_s = time.perf_counter() - started
    with (
        mock.patch.object(text, "stem", text.stem.__wrapped__),
        mock.patch.object(text, "tag_value", text.tag_value.__wrapped__),
    ):
        started = time.perf_counter()
        naive = ([text.augment(q) for q in frame["search_term"]], [text.augment(t) for t in frame["product_title"]])
        naive_s = time.perf_counter() - started
    return {
        "rows": len(frame),
        "simpipe_s": fast_s,
        "naive_s": naive_s,
        "speedup": naive_s / fast_s,
        "identical": fast[0] == naive[0] and fast[1] == naive[1],
    }


def bench_eval(work: Path) -> dict:
    """The same model and val pairs through both evaluators, one after the other."""
    from sentence_transformers.sentence_transformer.evaluation import EmbeddingSimilarityEvaluator

    from simpipe.evaluation import final_evaluator

    cfg = homedepot_cfg(work)
    prepare.run(cfg)
    val = load_split(Layout.from_cfg(cfg).prepared(cfg.name), "dev")
    model = build_model(cfg.model)
    ours = final_evaluator(val, "val", cfg.data.columns, cfg.eval)
    theirs = EmbeddingSimilarityEvaluator(
        sentences1=ours.sentences1,
        sentences2=ours.sentences2,
        scores=ours.scores,
        batch_size=ours.batch_size,
        main_similarity=ours.main_similarity,
        similarity_fn_names=ours.similarity_fn_names,
        name="val",
        write_csv=False,
    )
    model.encode(ours.sentences1[:256], batch_size=ours.batch_size)  # warm-up: the first side must not pay it
    timings, results = {}, {}
    for label, evaluator in (("simpipe", ours), ("sentence_transformers", theirs)):
        started = time.perf_counter()
        results[label] = evaluator(model)
        timings[label] = time.perf_counter() - started
    diff = max(abs(results["simpipe"][k] - results["sentence_transformers"][k]) for k in results["simpipe"])
    return {
        "pairs": len(val),
        "distinct_texts": len(set(ours.sentences1) | set(ours.sentences2)),
        "simpipe_s": timings["simpipe"],
        "sentence_transformers_s": timings["sentence_transformers"],
        "speedup": timings["sentence_transformers"] / timings["simpipe"],
        "max_metric_diff": diff,
    }


def pipeline_params(work: Path, *overrides: str) -> Path:
    """`work/params.yaml`: the pipeline config (conf/config.yaml + `overrides`) rooted at `work`,
    reading the repository's raw data and tracking to `work/mlflow.db`, for `simpipe <stage> --params`."""
    cfg = compose("config", list(overrides))
    cfg.paths.root, cfg.paths.raw = str(work), str(REPO_ROOT / "data" / "raw")
    cfg.tracking.uri = f"sqlite:///{work / 'mlflow.db'}"
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


STEP_SETTINGS = ("fp32", "bf16", "bf16+compile")


def bench_steps(work: Path, steps: int = 8, rounds: int = 4) -> dict:
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


TRAIN_STEPS = {"minilm_homedepot": 300, "glove_bilstm_sts": 180}  # GloVe: its full epoch


def plain_cmd(work: Path, variant: str, steps: int) -> list[str]:
    """bench/plain_st.py on `variant`'s prepared data: fp32, the dev curve every `train.eval_steps`
    (the seed's interval) on `train.eval_max_pairs` pairs, as a plain script would."""
    cfg = compose("run", [f"variant={variant}"])
    t, prepared = cfg.train, work / "data" / "prepared" / variant
    model = model_source(cfg.model) if cfg.model.get("package") is not None else None
    if model is None:  # a model built from modules (GloVe + BiLSTM): the script loads it saved
        model = str(work / "initial" / variant)
        build_model(cfg.model).save(model)
    return [
        sys.executable, str(HERE / "plain_st.py"), "--model", model,
        "--train", str(prepared / "train.parquet"), "--output", str(work / "plain" / variant),
        "--result", str(work / "plain" / f"{variant}.json"), "--batch-size", str(t.batch_size),
        "--lr", str(t.learning_rate), "--warmup-ratio", str(t.warmup_ratio), "--epochs", str(t.epochs),
        "--max-steps", str(steps), "--logging-steps", "10", "--seed", str(t.seed),
        "--dev", str(prepared / "dev.parquet"), "--dev-name", cfg.data.dev_name,
        *(["--dev-pairs", str(t.eval_max_pairs)] if t.eval_max_pairs else []),
        "--eval-steps", str(t.eval_steps), "--eval-batch-size", str(t.eval_batch_size),
    ]  # fmt: skip


def bench_train(work: Path, rounds: int = 2) -> dict:
    """`simpipe train` (its defaults) vs the plain fp32 script, `rounds` times each in alternating
    order (ABBA...), per variant for `TRAIN_STEPS` steps."""
    params = pipeline_params(
        work,
        *(f"variants.{v}.train.{k}" for v, n in TRAIN_STEPS.items() for k in (f"max_steps={n}", "logging_steps=10")),
    )
    out = {}
    for variant, steps in TRAIN_STEPS.items():
        run_child(simpipe_cmd("prepare", variant, params), work / "logs" / f"prepare-{variant}.log")
        plain = plain_cmd(work, variant, steps)
        runs: dict[str, list[dict]] = {"simpipe": [], "plain": []}
        order = [n for i in range(rounds) for n in (("simpipe", "plain") if i % 2 == 0 else ("plain", "simpipe"))]
        for name in order:
            cmd = simpipe_cmd("train", variant, params) if name == "simpipe" else plain
            seconds = run_child(cmd, work / "logs" / f"{variant}-{name}-{len(runs[name])}.log")
            if name == "simpipe":
                metrics = read_json(work / "trained" / variant / "log_history.json")[-1]
                precision = read_json(work / "trained" / variant / "run.json")["precision"]
            else:
                metrics = read_json(work / "plain" / f"{variant}.json")
            runs[name].append({"samples_per_s": metrics["train_samples_per_second"], "wall_s": seconds})
            log.info("%s %s: %.2f samples/s, %.1f s wall", variant, name, metrics["train_samples_per_second"], seconds)
        speed = {name: statistics.median(r["samples_per_s"] for r in rs) for name, rs in runs.items()}
        wall = {name: statistics.median(r["wall_s"] for r in rs) for name, rs in runs.items()}
        cfg = compose("run", [f"variant={variant}"])
        out[variant] = {
            "steps": steps,
            "batch_size": cfg.train.batch_size,
            "simpipe_precision": precision,
            "simpipe_eval_steps": cfg.train.cpu_eval_steps or cfg.train.eval_steps,
            "plain_eval_steps": cfg.train.eval_steps,
            "runs": runs,
            "simpipe_samples_per_s": speed["simpipe"],
            "plain_samples_per_s": speed["plain"],
            "ratio": speed["simpipe"] / speed["plain"],
            "simpipe_wall_s": wall["simpipe"],
            "plain_wall_s": wall["plain"],
        }
    return {"rounds": rounds, "variants": out}


QUALITY = {"glove_bilstm_sts": [], "minilm_homedepot": ["train.epochs=1"]}
# the settings compared: before the fast path (fp32, the dev curve every eval_steps) and the defaults
SETTINGS = {"fp32": ["train.precision=fp32", "train.cpu_eval_steps=null"], "default": []}


def curve_share(log_history: list[dict]) -> tuple[float, int]:
    """(share of the training loop spent on dev evaluations, number of evaluations)."""
    evals = [e["eval_runtime"] for e in log_history if "eval_runtime" in e]
    return sum(evals) / log_history[-1]["train_runtime"], len(evals)


def bench_quality(work: Path) -> dict:
    """Each variant of QUALITY in each of SETTINGS: train + evaluate as `simpipe` processes, one after
    the other; final dev/test Spearman from metrics.json."""
    out: dict[str, dict] = {}
    for variant, overrides in QUALITY.items():
        cfg = compose("run", [f"variant={variant}"])
        split, metric = cfg.data.dev_name, record.curve_metric(cfg.eval.main_similarity)
        for setting, changes in SETTINGS.items():
            root = work / setting
            done = root / f"quality-{variant}.json"  # a long case goes on where it stopped
            if done.is_file():
                out.setdefault(variant, {})[setting] = read_json(done)
                log.info("%s %s: measured before, %s", variant, setting, done)
                continue
            params = pipeline_params(root, *(f"variants.{variant}.{o}" for o in (*overrides, *changes)))
            run_child(simpipe_cmd("prepare", variant, params), root / "logs" / f"prepare-{variant}.log")
            wall = run_child(simpipe_cmd("train", variant, params), root / "logs" / f"train-{variant}.log")
            run_child(simpipe_cmd("evaluate", variant, params), root / "logs" / f"evaluate-{variant}.log")
            history = read_json(root / "trained" / variant / "log_history.json")
            metrics = read_json(root / "metrics" / variant / "metrics.json")
            share, evals = curve_share(history)
            out.setdefault(variant, {})[setting] = {
                "precision": read_json(root / "trained" / variant / "run.json")["precision"],
                "steps": history[-1]["step"],
                "dev": metrics[split][metric],
                "test": metrics[cfg.data.test_name][metric],
                "train_runtime_s": history[-1]["train_runtime"],
                "train_wall_s": wall,
                "curve_share": share,
                "curve_evaluations": evals,
                "torch_threads": torch.get_num_threads(),
            }
            write_json(done, out[variant][setting])
            log.info("%s %s: %s", variant, setting, out[variant][setting])
    return {"variants": out}


def ran_stages(output: str) -> list[str]:
    return [line.split("'")[1] for line in output.splitlines() if line.startswith("Running stage '")]


def dvc_repro(repo: Path) -> tuple[float, list[str]]:
    started = time.perf_counter()
    proc = subprocess.run(["dvc", "repro"], cwd=repo, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, ran_stages(proc.stdout)


def bench_dvc(work: Path, repo: Path = REPO_ROOT, rounds: int = 3) -> dict:
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


def bench_rss(work: Path, hd_train_steps: int = 100) -> dict:
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


CASES = {
    "prep": bench_prep,
    "eval": bench_eval,
    "steps": bench_steps,
    "train": bench_train,
    "quality": bench_quality,
    "dvc": bench_dvc,
    "rss": bench_rss,
    "checkpoint": bench_checkpoint,
}


# CPU flags shown in RESULTS.md (all of them go to results.json): vector widths and bf16/int8 units
SHOWN_FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8")


def machine() -> dict:
    """The CPU model and flags, cores, OS and torch of this run."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.machine(),
    )
    flags = cpu_flags()
    return {
        "cpu": cpu,
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


def summary(results: dict) -> list[str]:
    """One row per target of issue 6: what was measured, the target, whether it holds."""
    rows = []
    if "prep" in results:
        r = results["prep"]
        met = r["identical"] and r["speedup"] >= 20 and r["simpipe_s"] < 5
        rows.append(("prep vs naive per-row NLTK", f"{r['speedup']:.1f}x, {r['simpipe_s']:.2f} s, "
                     f"identical {r['identical']}", "identical, >= 20x, < 5 s", met))  # fmt: skip
    if "train" in results:
        native = results["train"]["machine"]["native_bf16"]
        target = 1.3 if native else 0.98
        for variant, r in results["train"]["variants"].items():
            rows.append((f"train stage samples/s vs plain fp32 script, {variant}", f"{r['ratio']:.2f}x",
                         f">= {target:g}x" + (" (native bf16)" if native else ""), r["ratio"] >= target))  # fmt: skip
    if "quality" in results:
        for variant, r in results["quality"]["variants"].items():
            diff = r["default"]["dev"] - r["fp32"]["dev"]
            rows.append((f"final dev Spearman, defaults - fp32, {variant}", f"{diff:+.4f}", "within 0.005",
                         abs(diff) <= 0.005))  # fmt: skip
    if "eval" in results:
        r = results["eval"]
        met = r["speedup"] >= 1.3 and r["max_metric_diff"] <= 1e-6
        rows.append(("eval vs EmbeddingSimilarityEvaluator", f"{r['speedup']:.2f}x, diff {r['max_metric_diff']:.1e}",
                     ">= 1.3x, diff <= 1e-6", met))  # fmt: skip
    if "dvc" in results:
        r = results["dvc"]
        rows.append(("`dvc repro`, nothing changed", f"{r['noop_s']:.1f} s", "< 5 s", r["noop_s"] < 5))
        ran = sorted({name.split("@")[0] for name in r["card_change_ran"]})
        rows.append(("stages re-run after a card-only change", ", ".join(ran) or "none", "card only", ran == ["card"]))
    if "rss" in results:
        stages = results["rss"]["stages"]
        for stage, limit in (("prepare", 1.0), ("train", 4.0)):
            peak = max(v["peak_rss_gib"] for k, v in stages.items() if k.startswith(f"{stage}@"))
            rows.append((f"peak RSS, {stage}", f"{peak:.2f} GiB", f"< {limit:g} GiB", peak < limit))
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
    if "prep" in results:
        r = results["prep"]
        lines += [
            f"## Home Depot text preparation ({r['rows']:,} rows, queries and titles)",
            "",
            "| simpipe | naive per-row NLTK | speed-up | identical output |",
            "|---|---|---|---|",
            f"| {r['simpipe_s']:.2f} s | {r['naive_s']:.1f} s | {r['speedup']:.0f}x | {r['identical']} |",
            "",
            *noted(r),
        ]
    if "eval" in results:
        r = results["eval"]
        lines += [
            f"## Evaluation, Home Depot val ({r['pairs']:,} pairs, {r['distinct_texts']:,} distinct texts)",
            "",
            "| simpipe | EmbeddingSimilarityEvaluator | speed-up | max metric difference |",
            "|---|---|---|---|",
            f"| {r['simpipe_s']:.1f} s | {r['sentence_transformers_s']:.1f} s | {r['speedup']:.2f}x "
            f"| {r['max_metric_diff']:.1e} |",
            "",
            *noted(r),
        ]
    if "steps" in results:
        r = results["steps"]
        lines += [
            f"## One training step per CPU setting (median of {r['steps_per_setting']}; fp32 and bf16 "
            "alternating, then bf16 + compile: a process that has compiled runs its eager steps slower too)",
            "",
            "| model (batch) | fp32 | bf16 autocast | bf16 + torch.compile | padding share of random batches |",
            "|---|---|---|---|---|",
            *(
                f"| {v} ({x['batch_size']}) | "
                + " | ".join(
                    f"{1000 * x['median_step_s'][n]:.0f} ms ({x['speedup_vs_fp32'][n]:.2f}x)" for n in STEP_SETTINGS
                )
                + f" | {100 * x['padding_share']:.0f} % |"
                for v, x in r["variants"].items()
            ),
            "",
            *noted(r),
        ]
    if "train" in results:
        r = results["train"]
        lines += [
            "## Train stage throughput vs a plain fp32 sentence-transformers script",
            "",
            "| variant (steps x batch) | `simpipe train` (defaults) | plain fp32 script | ratio "
            "| wall, simpipe / plain |",
            "|---|---|---|---|---|",
            *(
                f"| {v} ({x['steps']} x {x['batch_size']}) | {x['simpipe_samples_per_s']:.2f} samples/s "
                f"({x['simpipe_precision']}, dev curve every {x['simpipe_eval_steps']} steps) "
                f"| {x['plain_samples_per_s']:.2f} samples/s (dev curve every {x['plain_eval_steps']} steps) "
                f"| **{x['ratio']:.2f}x** | {x['simpipe_wall_s']:.0f} s / {x['plain_wall_s']:.0f} s |"
                for v, x in r["variants"].items()
            ),
            "",
            f"Samples/s of the Trainer's train loop (its evaluations included), median of {r['rounds']} fresh "
            "processes per side, alternating (simpipe, plain, plain, simpipe); simpipe with MLflow tracking "
            "(SQLite), codecarbon, its callbacks and checkpoints; the plain script is `bench/plain_st.py`. Both "
            "evaluate the same dev pairs at the end; the plain script also every `train.eval_steps` (the seeds' "
            "interval), simpipe every `train.cpu_eval_steps` on the CPU.",
            "",
            *noted(r),
        ]
    if "quality" in results:
        r = results["quality"]
        lines += [
            "## Final metrics and dev-curve cost per setting (full GloVe run, 1-epoch Home Depot run)",
            "",
            "| variant | setting | precision | steps | dev Spearman | test Spearman | train loop (torch threads) | "
            "dev curve: evaluations, share of the train loop |",
            "|---|---|---|---|---|---|---|---|",
            *(
                f"| {v} | {name} | {x['precision']} | {x['steps']} | {x['dev']:.4f} | {x['test']:.4f} "
                f"| {x['train_runtime_s']:.0f} s ({x['torch_threads']}) "
                f"| {x['curve_evaluations']}, {100 * x['curve_share']:.1f} % |"
                for v, settings in r["variants"].items()
                for name, x in settings.items()
            ),
            "",
            "fp32: `train.precision=fp32`, the dev curve every `train.eval_steps` (simpipe before the fast path); "
            "default: `train.precision=auto` and `train.cpu_eval_steps`. Final metrics: the evaluate stage, fp32 "
            "on the full splits. One run per setting; a case stopped midway goes on where it stopped "
            "(`<work>/<setting>/quality-<variant>.json`), so the train-loop times of a table may come from "
            "different loads and thread counts: compare speed in the table above.",
            "",
            *noted(r),
        ]
    if "dvc" in results:
        r = results["dvc"]
        ran = ", ".join(r["card_change_ran"]) or "nothing"
        lines += [
            "## `dvc repro` of this repository",
            "",
            "| nothing changed (median of 3) | after a card-only change (`card.model_name` of glove_bilstm_sts) |",
            "|---|---|",
            f"| {r['noop_s']:.1f} s, no stage ran | {r['card_change_s']:.1f} s; ran: {ran} |",
            "",
            "`report` depends on the card it renders (`models/<variant>`), so it follows `card`; prepare, train "
            "and evaluate are not re-run.",
            "",
            *noted(r),
        ]
    if "rss" in results:
        r = results["rss"]
        stages = r["stages"]
        lines += [
            "## Peak memory (RSS) per stage, full data, CPU",
            "",
            "| stage | peak RSS | wall |",
            "|---|---|---|",
            *(f"| {name} | {v['peak_rss_gib']:.2f} GiB | {v['wall_s']:.0f} s |" for name, v in stages.items()),
            "",
            f"Each stage its own process (`simpipe <stage>`); train@minilm_homedepot stopped after "
            f"{r['hd_train_steps']} steps, including one evaluation of 2,000 val pairs.",
            "",
            *noted(r),
        ]
    if "checkpoint" in results:
        r = results["checkpoint"]
        lines += [
            "## Checkpoint cost (train stage, MiniLM on Home Depot, CPU)",
            "",
            "| median step | median save | checkpoint size | interval | overhead |",
            "|---|---|---|---|---|",
            f"| {r['median_step_s']:.3f} s | {r['median_save_s']:.2f} s | {r['checkpoint_mb']:.0f} MB "
            f"| every {r['default_every_steps']} steps | {100 * r['overhead_at_default']:.2f} % |",
            "",
            f"{r['saves']} saves of model, optimizer, scheduler and RNG states in {r['steps']} steps; "
            "overhead = save time / (interval x step time).",
            "",
            *noted(r),
            "",
        ]
    return "\n".join(lines)


def noted(r: dict) -> list[str]:
    """The conditions of a case's run: its machine, its torch threads (when not all cores), the --note."""
    parts = [f"measured on {describe(r['machine'])}"] if "machine" in r else ["machine not recorded (an earlier run)"]
    threads = r.get("torch_threads", os.cpu_count())
    parts += [f"{threads} torch thread(s) per process"] if threads < os.cpu_count() else []
    parts += [r["note"]] if r.get("note") else []
    return [f"Conditions: {'; '.join(parts)}", ""] if parts else []


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="*", help=f"any of {', '.join(CASES)} (default: all)")
    parser.add_argument("--work", type=Path, default=REPO_ROOT / "runs" / "bench")
    parser.add_argument("--note", help="conditions of this run, printed in RESULTS.md (e.g. other load)")
    parser.add_argument("--render", action="store_true", help="only rewrite RESULTS.md from results.json")
    args = parser.parse_args()
    unknown = sorted(set(args.cases) - set(CASES))
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(CASES)}")
    out = HERE / "results.json"
    results = json.loads(out.read_text()) if out.is_file() else {}
    if args.render:
        write_text(HERE / "RESULTS.md", render(results))
        return
    results["machine"] = machine()
    for case in args.cases or CASES:
        log.info("bench %s", case)
        measured = CASES[case](args.work / case)
        results[case] = {**measured, "note": args.note, "torch_threads": torch.get_num_threads(), "machine": machine()}
    write_json(out, results)
    write_text(HERE / "RESULTS.md", render(results))


if __name__ == "__main__":
    main()
