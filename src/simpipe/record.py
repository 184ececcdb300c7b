"""The record of one trained variant: the files its stages leave and the names of its metrics.

Directories come from `simpipe.paths.Layout`; the files inside them, and every metric name, come
from here. The train stage writes `trained/<variant>/` (the model and `run.json`, `log_history.json`,
`training_args.json`, `emissions.json`) and the curves; evaluate writes `metrics.json`; the
comparison stage writes `comparison.json`; card and report write the files named below. Every
stage, `push`, `compare` and `sweep` read them through this module.

Metric names: a Trainer log key becomes `<split>/<metric>` (`eval_sts-dev_spearman_cosine` ->
`sts-dev/spearman_cosine`); the variant's headline metric is `<dev split>/spearman_<main similarity>`,
logged to MLflow as `primary` as well.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from simpipe.errors import ConfigError, SimpipeError
from simpipe.io import read_json, write_json, write_text

# trained/<variant>/
MODEL_DIR = "model"
RUN_FILE = "run.json"
LOG_HISTORY_FILE = "log_history.json"
TRAINING_ARGS_FILE = "training_args.json"
EMISSIONS_FILE = "emissions.json"
# metrics/<variant>/
METRICS_FILE = "metrics.json"
DEV_CURVE_FILE = "dev_curve.csv"
LOSS_CURVE_FILE = "loss_curve.csv"
COMPARISON_FILE = "comparison.json"
# models/<variant>/ (card stage) and reports/<variant>/ (report stage)
CARD_FILE = "README.md"
REPORT_MD = "report.md"
REPORT_HTML = "report.html"
REPORT_PNG = "curve.png"

# MLflow metric holding the headline metric's value (what sweeps maximize)
PRIMARY = "primary"
CO2_GRAMS = "co2/emissions_g"
# Trainer log keys without a split -> MLflow keys
TRAIN_KEYS = {
    "loss": "train/loss",
    "learning_rate": "train/learning_rate",
    "train_loss": "train/mean_loss",
    "train_runtime": "train/runtime_s",
    "train_samples_per_second": "train/samples_per_second",
}

Metrics = dict[str, dict[str, float]]  # split name -> metric -> value


def curve_metric(main_similarity: str) -> str:
    """The metric of the dev curve during training, e.g. spearman_cosine."""
    return f"spearman_{main_similarity}"


def headline(data_cfg, eval_cfg) -> tuple[str, str]:
    """(split, metric) of the variant's headline metric, e.g. ("sts-dev", "spearman_cosine")."""
    main = eval_cfg.main_similarity
    if main not in eval_cfg.similarity_fns:
        raise ConfigError(
            f"eval.main_similarity={main!r} is not among eval.similarity_fns={list(eval_cfg.similarity_fns)}; "
            "add it there or choose one of them"
        )
    return data_cfg.dev_name, curve_metric(main)


def headline_value(data_cfg, eval_cfg, metrics: Metrics) -> float:
    """The headline metric's value in `metrics` (a one-line error when the file lacks it)."""
    split, name = headline(data_cfg, eval_cfg)
    try:
        return metrics[split][name]
    except KeyError:
        raise SimpipeError(
            f"{METRICS_FILE} has no {split}/{name} (splits: {', '.join(metrics)}); "
            "re-run the evaluate stage (`dvc repro`) after changing data or eval settings"
        ) from None


def dev_metrics(entry: dict[str, float], dev_name: str) -> dict[str, float]:
    """The dev evaluator's metrics in a Trainer log entry, unprefixed: {spearman_cosine: ...}."""
    prefix = f"eval_{dev_name}_"
    return {k[len(prefix) :]: v for k, v in entry.items() if k.startswith(prefix)}


def curve_metrics(entry: dict[str, float], dev_name: str) -> dict[str, float]:
    """A Trainer log entry as MLflow keys: train/loss, <dev>/spearman_cosine, <dev>/loss, ..."""
    out = {name: entry[key] for key, name in TRAIN_KEYS.items() if key in entry}
    out.update({f"{dev_name}/{k}": v for k, v in dev_metrics(entry, dev_name).items()})
    if "eval_loss" in entry:
        out[f"{dev_name}/loss"] = entry["eval_loss"]
    return out


def namespaced(metrics: Metrics) -> dict[str, float]:
    """{split: {metric: v}} as flat MLflow keys `<split>/<metric>`."""
    return {f"{split}/{name}": value for split, values in metrics.items() for name, value in values.items()}


def emission_metrics(emissions: dict[str, Any]) -> dict[str, float]:
    """MLflow metrics of a codecarbon record (grams, kWh, seconds); {} without one."""
    if "emissions" not in emissions:
        return {}
    return {
        CO2_GRAMS: emissions["emissions"] * 1000,
        "co2/energy_kwh": emissions["energy_consumed"],
        "co2/duration_s": emissions["duration"],
    }


def log_final_metrics(tracker, metrics: Metrics, primary: float, step: int) -> None:
    """Every `<split>/<metric>` and the headline value as `primary`, at the run's last step."""
    tracker.log_metrics({**namespaced(metrics), PRIMARY: primary}, step=step)


def curves(log_history: list[dict], dev_name: str, metric: str) -> tuple[str, str]:
    """CSV texts of the dev curve of `metric` (e.g. spearman_cosine) and of the training loss (DVC plots)."""
    dev, loss = io.StringIO(), io.StringIO()
    dev_w, loss_w = csv.writer(dev, lineterminator="\n"), csv.writer(loss, lineterminator="\n")
    dev_w.writerow(["step", "epoch", metric])
    loss_w.writerow(["step", "epoch", "loss"])
    for entry in log_history:
        value = dev_metrics(entry, dev_name).get(metric)
        if value is not None:
            dev_w.writerow([entry["step"], round(entry["epoch"], 4), value])
        if "loss" in entry:
            loss_w.writerow([entry["step"], round(entry["epoch"], 4), entry["loss"]])
    return dev.getvalue(), loss.getvalue()


def dev_curve(log_history: list[dict], dev_name: str, metric: str) -> list[tuple[float, float]]:
    """(step, value) of `metric` on the dev split during training."""
    points = ((e["step"], dev_metrics(e, dev_name).get(metric)) for e in log_history)
    return [(float(step), float(value)) for step, value in points if value is not None]


@dataclass
class TrainedRun:
    """`run.json`: how and where the model was trained, and facts of the trained model."""

    variant: str
    mlflow_run_id: str | None
    mlflow_uri: str
    device: str
    precision: str
    global_step: int
    epoch: float
    train_seconds: float
    # emissions and train_seconds cover the last segment only when training was resumed
    resumed_from: str | None
    train_samples: int
    # dev pairs the Trainer computed a loss on (None: no dev loss)
    eval_samples: int | None
    processes: int
    versions: dict[str, str]
    tracking_failures: list[str]
    # module class names, e.g. [WordEmbeddings, LSTM, Pooling]; the model's printed form
    modules: list[str] = field(default_factory=list)
    architecture: str = ""
    output_dim: int | None = None
    max_seq_length: int | None = None
    base_model: str | None = None


@dataclass
class Record:
    """Everything the train stage leaves in `trained/<variant>/` besides the model itself."""

    run: TrainedRun
    log_history: list[dict[str, Any]]
    training_args: dict[str, Any]
    emissions: dict[str, Any]


def write_record(trained: Path, record: Record) -> None:
    write_json(trained / LOG_HISTORY_FILE, record.log_history)
    write_json(trained / TRAINING_ARGS_FILE, record.training_args)
    write_json(trained / EMISSIONS_FILE, record.emissions)
    write_json(trained / RUN_FILE, asdict(record.run))


def read_run(trained: Path) -> TrainedRun:
    path = Path(trained) / RUN_FILE
    if not path.is_file():
        raise SimpipeError(f"{path}: no trained model here; run the train stage first (`dvc repro`)")
    return TrainedRun(**read_json(path))


def read_record(trained: Path) -> Record:
    trained = Path(trained)
    run = read_run(trained)
    return Record(
        run=run,
        log_history=read_json(trained / LOG_HISTORY_FILE),
        training_args=read_json(trained / TRAINING_ARGS_FILE),
        emissions=read_json(trained / EMISSIONS_FILE),
    )


def model_dir(trained: Path) -> Path:
    return Path(trained) / MODEL_DIR


def write_curves(metrics_dir: Path, log_history: list[dict], dev_name: str, metric: str) -> None:
    dev_csv, loss_csv = curves(log_history, dev_name, metric)
    write_text(metrics_dir / DEV_CURVE_FILE, dev_csv)
    write_text(metrics_dir / LOSS_CURVE_FILE, loss_csv)


def write_metrics(metrics_dir: Path, metrics: Metrics) -> None:
    write_json(metrics_dir / METRICS_FILE, metrics)


def read_metrics(metrics_dir: Path) -> Metrics:
    path = Path(metrics_dir) / METRICS_FILE
    if not path.is_file():
        raise SimpipeError(f"{path}: no metrics yet; run the evaluate stage first (`dvc repro`)")
    return read_json(path)


def co2_eq_emissions(emissions: dict[str, Any]) -> dict[str, Any]:
    """The card's `co2_eq_emissions` block (as in the seed card) from a codecarbon record; {} without one."""
    if "emissions" not in emissions:
        return {}
    block: dict[str, Any] = {
        "emissions": float(emissions["emissions"]) * 1000,  # kg -> g
        "energy_consumed": float(emissions["energy_consumed"]),
        "source": "codecarbon",
        "training_type": "fine-tuning",
        "on_cloud": emissions.get("on_cloud") == "Y",
        "cpu_model": emissions.get("cpu_model"),
        "ram_total_size": emissions.get("ram_total_size"),
        "hours_used": round(float(emissions["duration"]) / 3600, 3),
    }
    if emissions.get("gpu_model"):
        block["hardware_used"] = emissions["gpu_model"]
    return block
