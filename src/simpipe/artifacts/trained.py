"""The train stage's record of one trained variant: `trained/<variant>/` holds the model (`model/`) and
`run.json`, `log_history.json`, `training_args.json` and `emissions.json`. Every later stage, `simpipe track`
and `simpipe register` read them through this module."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from simpipe.core.errors import SimpipeError
from simpipe.core.io import read_json, write_json

MODEL_DIR = "model"
RUN_FILE = "run.json"
LOG_HISTORY_FILE = "log_history.json"
TRAINING_ARGS_FILE = "training_args.json"
EMISSIONS_FILE = "emissions.json"
# classifier heads trained with the model (SoftmaxLoss's), one pair of files per data set
HEADS_DIR = "heads"


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
    output_dim: int | None = None  # a bi-encoder's embedding size
    num_labels: int | None = None  # a cross-encoder's outputs
    max_seq_length: int | None = None
    base_model: str | None = None
    # the step whose model was kept (train.load_best_model_at_end); None: the last step's
    best_step: int | None = None
    # training rows of each data set (several: train.datasets; its own under data.name), {} for one
    set_samples: dict[str, int] = field(default_factory=dict)


@dataclass
class Record:
    """Everything the train stage leaves in `trained/<variant>/` besides the model itself."""

    run: TrainedRun
    log_history: list[dict[str, Any]]
    training_args: dict[str, Any]
    # a codecarbon record (kg, kWh, s, hardware); {} when not measured, {"error": ...} when codecarbon failed
    emissions: dict[str, Any]


def heads_dir(trained: Path) -> Path:
    """Where the classifier heads a training kept lie (simpipe.evaluation.classifier writes and reads them)."""
    return Path(trained) / HEADS_DIR


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
