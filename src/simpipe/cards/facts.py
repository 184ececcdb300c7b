"""The facts of a model card, as data: what a card says about its model, data sets, loss, evaluators,
training and results. Every field is optional (cards vary); `unparsed` lists what a parser saw but could not
map, so nothing is dropped in silence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# the kinds of model a sentence-transformers card describes, by the card's "Model Type" / tags
SENTENCE_TRANSFORMER = "sentence-transformer"
CROSS_ENCODER = "cross-encoder"
SPARSE_ENCODER = "sparse-encoder"
MODEL_TYPES = (SENTENCE_TRANSFORMER, CROSS_ENCODER, SPARSE_ENCODER)
TRAIN, EVAL = "train", "eval"
# the name of an evaluator a card does not name (a 2.x results table without a data set column)
UNNAMED = "results"


@dataclass
class DatasetFacts:
    """One training or evaluation data set of a card."""

    split: str  # TRAIN or EVAL
    name: str | None = None
    hub_id: str | None = None
    revision: str | None = None
    subset: str | None = None
    size: int | None = None
    columns: list[str] = field(default_factory=list)
    loss: str | None = None
    # the loss's parameters as the card prints them: a wrapper's inner `loss`, its dims and weights included
    loss_params: dict[str, Any] = field(default_factory=dict)


@dataclass
class EvaluatorFacts:
    """One evaluator's results on a card: its type (class name), name (the data set it names), task,
    parameters and metrics. Two runs of one name (before and after training) are two entries."""

    name: str
    type: str | None = None
    task: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass
class CardFacts:
    """What a model card says (every field optional). Lists keep the card's order."""

    source: str
    title: str | None = None
    model_type: str | None = None  # one of MODEL_TYPES, None when the card does not say
    adapter: bool = False  # a PEFT adapter on its base model, not full weights
    base_model: str | None = None
    language: list[str] = field(default_factory=list)
    # module class names, e.g. [WordEmbeddings, LSTM, Pooling]; the printed architecture when known
    modules: list[str] = field(default_factory=list)
    architecture: str | None = None
    output_dim: int | None = None
    num_labels: int | None = None  # a cross-encoder's outputs
    max_seq_length: int | None = None
    similarity: str | None = None
    prompts: dict[str, str] = field(default_factory=dict)
    datasets: list[DatasetFacts] = field(default_factory=list)
    non_default_hyperparameters: dict[str, str] = field(default_factory=dict)
    all_hyperparameters: dict[str, str] = field(default_factory=dict)
    # a 2.x card's fit() parameters and DataLoader parameters, as printed
    fit_parameters: dict[str, Any] = field(default_factory=dict)
    evaluators: list[EvaluatorFacts] = field(default_factory=list)
    # the Training Logs table, one list of rows per training run (a run starts where the steps restart)
    training_logs: list[list[dict[str, float | None]]] = field(default_factory=list)
    co2: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    unparsed: list[str] = field(default_factory=list)

    def hyperparameter(self, *names: str | None) -> str | None:
        """The card's value of the first of `names` it states: non-default list first, then all."""
        for source in (self.non_default_hyperparameters, self.all_hyperparameters):
            for name in names:
                if name and source.get(name) not in (None, "None"):
                    return source[name]
        return None

    def train_datasets(self) -> list[DatasetFacts]:
        return [d for d in self.datasets if d.split == TRAIN]

    @property
    def train_size(self) -> int | None:
        """Training samples over all training data sets (None when no size is stated)."""
        sizes = [d.size for d in self.train_datasets() if d.size is not None]
        return sum(sizes) if sizes else None

    @property
    def eval_size(self) -> int | None:
        sizes = [d.size for d in self.datasets if d.split == EVAL and d.size is not None]
        return sum(sizes) if sizes else None

    @property
    def columns(self) -> list[str]:
        """The first training data set's columns."""
        return next((d.columns for d in self.train_datasets() if d.columns), [])

    @property
    def loss(self) -> str | None:
        """The loss of the first training data set that names one."""
        return next((d.loss for d in self.train_datasets() if d.loss), None)

    @property
    def metrics(self) -> dict[str, dict[str, float]]:
        """Evaluator name -> metric -> value, of every evaluator of that name (a split's similarity and search
        evaluators); of two runs of one evaluator (name and type), the later (after training)."""
        out: dict[str, dict[str, float]] = {}
        for evaluator in {(e.name, e.type): e for e in self.evaluators}.values():
            out.setdefault(evaluator.name, {}).update(evaluator.metrics)
        return out

    @property
    def training_log(self) -> list[dict[str, float | None]]:
        """The last training run's log rows (the run that made the model)."""
        return self.training_logs[-1] if self.training_logs else []
