"""Metrics and their names: `metrics/<variant>/metrics.json` (evaluate stage), `base/metrics.json`
(baseline stage), the dev and loss curves (train stage), and every metric name stages, MLflow, cards,
reports and sweeps use.

Names: metrics.json maps a key to `{metric: value}`; a key is a split's name (`sts-dev`), its search
metrics' key (`search/val`), a Matryoshka dim's (`search/val/dim_128`), or any of these under `base/`
for the base model, or a reranker's (`rerank/val`: the retriever's candidates reranked, beside the
retriever's own metrics on the same queries). A Trainer log key becomes `<split>/<metric>` in MLflow
(`eval_sts-dev_spearman_cosine` -> `sts-dev/spearman_cosine`). The variant's headline metric follows its
data shape (`headline()`, with the main similarity): it is what the dev curve during training shows, what
sweeps maximize, and is logged to MLflow as `headline` as well.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

from simpipe.core.errors import SimpipeError
from simpipe.core.families import BI_ENCODER, CROSS_ENCODER
from simpipe.core.io import read_json, write_json, write_text

METRICS_FILE = "metrics.json"
MINING_FILE = "mining.json"  # the mine stage's statistics ({} when the variant mines nothing)
SPEED_FILE = "speed.json"  # the evaluate stage's measured encoding speed (simpipe.evaluation.speed)
# MLflow namespace of the speed's numbers (`speed/texts_per_s`)
SPEED = "speed"
DEV_CURVE_FILE = "dev_curve.csv"
LOSS_CURVE_FILE = "loss_curve.csv"

Metrics = dict[str, dict[str, float]]  # metrics.json key -> metric -> value

# MLflow metric holding the headline metric's value (what sweeps maximize and the registry tags)
HEADLINE = "headline"
# Trainer log keys without a split -> MLflow keys
TRAIN_KEYS = {
    "loss": "train/loss",
    "learning_rate": "train/learning_rate",
    "train_loss": "train/mean_loss",
    "train_runtime": "train/runtime_s",
    "train_samples_per_second": "train/samples_per_second",
}
# namespace of the base model's metrics in metrics.json and MLflow, and their directory under metrics/<variant>/
BASE = "base"
# namespace of a split's product-search metrics
SEARCH = "search"
# namespace of a reranker's metrics of a split: the retriever's candidates reranked, beside the retriever's own
# on the same queries (each metric again, named with RETRIEVER first)
RERANK = "rerank"
RETRIEVER = "retriever_"
# the reranking metrics comparisons and reports show, retriever -> reranked
RERANK_SHOWN = ("ndcg@10", "mrr@10", "map@100", "recall@10")
# the ranks of the search metrics (sentence-transformers' InformationRetrievalEvaluator arguments)
SEARCH_AT = {"mrr": [10], "ndcg": [10], "accuracy": [1, 10], "recall": [10, 100], "map": [100]}
# model family -> eval data shape -> the metric of a split's own evaluator ({sim}: a bi-encoder's main
# similarity): Spearman of scored pairs, average precision of labelled pairs, accuracy of triplets (positive
# nearer than negative); pairs have only search metrics
SPLIT_METRICS = {
    BI_ENCODER: {
        "scored_pairs": "spearman_{sim}",
        "labelled_pairs": "{sim}_ap",
        "triplets": "{sim}_accuracy",
        "labelled_texts": "{sim}_accuracy",  # of triplets the labels make (simpipe.evaluation.pairs)
        "classified_pairs": "accuracy",  # of the classifier head trained with the model (simpipe.evaluation.classifier)
        "texts": "negative_mse",  # of the embeddings to the teacher's (distillation; -MSE x 100)
    },
    # sentence-transformers' CrossEncoderCorrelationEvaluator and CrossEncoderClassificationEvaluator
    CROSS_ENCODER: {
        "scored_pairs": "spearman",
        "labelled_pairs": "average_precision",
        "classified_pairs": "f1_macro",
    },
}
# the headline of pairs: NDCG@10 of their search (each anchor searches the split's positives)
SEARCH_HEADLINE = "{sim}_ndcg@10"


def without_prefix(metrics: Mapping[str, float], prefix: str) -> dict[str, float]:
    """The entries named `prefix...`, without it (`sts-dev_spearman_cosine` -> `spearman_cosine`)."""
    return {k[len(prefix) :]: v for k, v in metrics.items() if k.startswith(prefix)}


def with_prefix(metrics: Mapping[str, float], prefix: str) -> dict[str, float]:
    """Every entry named with `prefix` first (`spearman_cosine` -> `sts-dev/spearman_cosine`)."""
    return {f"{prefix}{k}": v for k, v in metrics.items()}


def is_search_headline(shape: str) -> bool:
    """Whether data of `shape` (`data.shape`, what training reads) has a search metric as its headline."""
    return shape not in SPLIT_METRICS[BI_ENCODER]


def _family_metrics(family: str) -> dict[str, str]:
    if family not in SPLIT_METRICS:
        raise SimpipeError(f"model family {family!r}: no metric names; choose one of {', '.join(SPLIT_METRICS)}")
    return SPLIT_METRICS[family]


def curve_metric(shape: str, main_similarity: str, family: str) -> str:
    """The headline metric of data of `shape` for a model of `family` (the dev curve during training), e.g.
    spearman_cosine; a shape a cross-encoder has no evaluator of is a one-line error."""
    names = _family_metrics(family)
    if family == BI_ENCODER and is_search_headline(shape):
        return SEARCH_HEADLINE.format(sim=main_similarity)
    if shape not in names:
        raise SimpipeError(f"data.shape={shape!r}: a {family} model has no evaluator of it; "
                           f"use {', '.join(names)} data")  # fmt: skip
    return names[shape].format(sim=main_similarity)


def split_metric(eval_shape: str, main_similarity: str, family: str) -> str | None:
    """The metric of a split's own evaluator, for eval splits of `eval_shape` of a model of `family` (None:
    none, e.g. pairs)."""
    metric = _family_metrics(family).get(eval_shape)
    return metric.format(sim=main_similarity) if metric else None


def curve_shape(data_cfg, family: str) -> str:
    """The shape whose metric heads a variant of data `data_cfg`: a bi-encoder's data shape (pairs: their
    search), a cross-encoder's eval splits' (it scores their pairs; it searches nothing)."""
    return data_cfg.eval_shape if family == CROSS_ENCODER else data_cfg.shape


def headline(data_cfg, eval_cfg, family: str) -> tuple[str, str]:
    """(metrics.json key, metric) of the variant's headline metric by its data shape and model `family`: e.g.
    ("sts-dev", "spearman_cosine") for scored pairs, ("search/val", "cosine_ndcg@10") for pairs."""
    search = family == BI_ENCODER and is_search_headline(data_cfg.shape)
    key = search_key(data_cfg.dev_name) if search else data_cfg.dev_name
    return key, curve_metric(curve_shape(data_cfg, family), eval_cfg.main_similarity, family)


def headline_value(data_cfg, eval_cfg, metrics: Metrics, family: str) -> float:
    """The headline metric's value in `metrics` (a one-line error when the file lacks it)."""
    split, name = headline(data_cfg, eval_cfg, family)
    try:
        return metrics[split][name]
    except KeyError:
        raise SimpipeError(
            f"{METRICS_FILE} has no {split}/{name} (splits: {', '.join(metrics)}); "
            "re-run the evaluate stage (`dvc repro`) after changing data or eval settings"
        ) from None


def search_key(split_name: str) -> str:
    """The metrics.json key (and MLflow namespace) of the search metrics of split `split_name`."""
    return f"{SEARCH}/{split_name}"


def rerank_key(split_name: str) -> str:
    """The metrics.json key (and MLflow namespace) of the reranking metrics of split `split_name`."""
    return f"{RERANK}/{split_name}"


def matryoshka_dims(train_cfg) -> list[int]:
    """The embedding sizes evaluated besides the full one (`train.matryoshka.dims`; [] without Matryoshka)."""
    return list(train_cfg.matryoshka.dims) if train_cfg.get("matryoshka") else []


def dim_key(key: str, dim: int) -> str:
    """The metrics.json key of `key`'s metrics with embeddings truncated to `dim` (Matryoshka)."""
    return f"{key}/dim_{dim}"


def headline_search_metrics(similarity: str) -> list[str]:
    """The search metrics cards and reports show: MRR@10, NDCG@10, Recall@10, Recall@100."""
    at = SEARCH_AT
    return [f"{similarity}_mrr@{at['mrr'][0]}", f"{similarity}_ndcg@{at['ndcg'][0]}"] + [
        f"{similarity}_recall@{k}" for k in at["recall"]
    ]


def dev_metrics(entry: Mapping[str, float], dev_name: str) -> dict[str, float]:
    """The dev evaluator's metrics in a Trainer log entry, unprefixed: {spearman_cosine: ...}."""
    return without_prefix(entry, f"eval_{dev_name}_")


def curve_metrics(entry: Mapping[str, float], dev_name: str, loss_key: str = "eval_loss") -> dict[str, float]:
    """A Trainer log entry as MLflow keys: train/loss, <dev>/spearman_cosine, <dev>/loss (the entry's
    `loss_key`), ..."""
    out = {name: entry[key] for key, name in TRAIN_KEYS.items() if key in entry}
    out.update(with_prefix(dev_metrics(entry, dev_name), f"{dev_name}/"))
    if loss_key in entry:
        out[f"{dev_name}/loss"] = entry[loss_key]
    return out


def namespaced(metrics: Metrics) -> dict[str, float]:
    """{key: {metric: v}} as flat MLflow keys `<key>/<metric>`."""
    return {name: v for key, values in metrics.items() for name, v in with_prefix(values, f"{key}/").items()}


def final_metrics(metrics: Metrics, headline_value: float) -> dict[str, float]:
    """The MLflow metrics of a finished evaluation: every `<key>/<metric>` and the headline value."""
    return {**namespaced(metrics), HEADLINE: headline_value}


def base_dir(metrics_dir: Path) -> Path:
    """Where the baseline stage writes the base model's metrics.json."""
    return Path(metrics_dir) / BASE


def with_base(metrics: Metrics, base: Metrics) -> Metrics:
    """The fine-tuned model's metrics plus the base model's, each key under `base/`."""
    return {**metrics, **{f"{BASE}/{key}": values for key, values in base.items()}}


def base_of(metrics: Metrics, key: str) -> dict[str, float]:
    """The base model's metrics of `key` (e.g. `val`) in a metrics.json written by the evaluate stage."""
    return metrics.get(f"{BASE}/{key}", {})


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


def write_curves(metrics_dir: Path, log_history: list[dict], dev_name: str, metric: str) -> None:
    dev_csv, loss_csv = curves(log_history, dev_name, metric)
    write_text(metrics_dir / DEV_CURVE_FILE, dev_csv)
    write_text(metrics_dir / LOSS_CURVE_FILE, loss_csv)


def write_mining(metrics_dir: Path, stats: Mapping[str, float | int]) -> None:
    write_json(Path(metrics_dir) / MINING_FILE, dict(stats))


def write_speed(metrics_dir: Path, speed: Mapping[str, float | int | str]) -> None:
    write_json(Path(metrics_dir) / SPEED_FILE, dict(speed))


def read_speed(metrics_dir: Path) -> dict | None:
    """The evaluate stage's speed record; None before a run that measured it."""
    path = Path(metrics_dir) / SPEED_FILE
    return read_json(path) if path.is_file() else None


def speed_metrics(speed: Mapping[str, float | int | str]) -> dict[str, float]:
    """A speed record's rate as an MLflow metric (`speed/texts_per_s` or `speed/pairs_per_s`)."""
    return {f"{SPEED}/{name}": float(v) for name, v in speed.items() if name.endswith("_per_s")}


def write_metrics(metrics_dir: Path, metrics: Metrics) -> None:
    write_json(metrics_dir / METRICS_FILE, metrics)


def read_metrics(metrics_dir: Path) -> Metrics:
    path = Path(metrics_dir) / METRICS_FILE
    if not path.is_file():
        raise SimpipeError(f"{path}: no metrics yet; run the evaluate stage first (`dvc repro`)")
    return read_json(path)
