"""The evaluator of classified pairs (two texts and the class id of their relation, e.g. NLI): the accuracy and
macro F1 of the classifier head trained with the model (SoftmaxLoss's), over the features it was trained on
(u, v, |u - v|, u * v as the loss concatenated them), with the split's shared `Encodings`.

The head comes from the training: live during it (the dev curve), saved beside the trained model after it
(`simpipe.artifacts.trained`); an untrained model has none, so the baseline has no such metric.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from datasets import Dataset
from sentence_transformers import SentenceTransformer
from sentence_transformers.base.evaluation import SentenceEvaluator
from torch import nn

from simpipe.evaluation.encoded import Encodings, SharedEncodings


@dataclass(frozen=True)
class Head:
    """A trained classifier over pair features: the linear layer and which features it reads, in order."""

    classifier: nn.Module
    rep: bool = True  # u and v
    difference: bool = True  # |u - v|
    multiplication: bool = False  # u * v

    def logits(self, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        parts = [*((u, v) if self.rep else ()), *((torch.abs(u - v),) if self.difference else ())]
        parts += [u * v] if self.multiplication else []
        weight = next(self.classifier.parameters())
        return self.classifier(torch.cat(parts, dim=1).to(weight.device, weight.dtype))


class PairClassifierEvaluator(SentenceEvaluator):
    """Accuracy and macro F1 of `head` on (text, text, class id) rows."""

    def __init__(self, sentences1: Sequence[str], sentences2: Sequence[str], labels: Sequence[int], head: Head,
                 name: str, batch_size: int = 64) -> None:  # fmt: skip
        super().__init__()
        self.sentences1, self.sentences2, self.labels = list(sentences1), list(sentences2), np.asarray(labels)
        self.head, self.name, self.batch_size = head, name, batch_size
        self.primary_metric = "accuracy"

    def embed_inputs(self, model: SentenceTransformer, sentences: Sequence[str], **kwargs) -> np.ndarray:
        return model.encode(list(sentences), batch_size=self.batch_size, convert_to_numpy=True)

    def __call__(self, model: SentenceTransformer, output_path=None, epoch: int = -1, steps: int = -1) -> dict:
        u = torch.from_numpy(np.asarray(self.embed_inputs(model, self.sentences1), dtype=np.float32))
        v = torch.from_numpy(np.asarray(self.embed_inputs(model, self.sentences2), dtype=np.float32))
        with torch.no_grad():
            predicted = self.head.logits(u, v).argmax(dim=1).cpu().numpy()
        classes = np.unique(self.labels)
        f1s = []
        for label in classes:
            tp = np.sum((predicted == label) & (self.labels == label))
            precision = tp / max(np.sum(predicted == label), 1)
            recall = tp / max(np.sum(self.labels == label), 1)
            f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
        metrics = {"accuracy": float(np.mean(predicted == self.labels)), "f1_macro": float(np.mean(f1s))}
        metrics = self.prefix_name_to_metrics(metrics, self.name)
        self.store_metrics_in_model_card_data(model, metrics, epoch, steps)
        return metrics

    @property
    def description(self) -> str:
        return "Pair Classification"


class SharedPairClassifierEvaluator(SharedEncodings, PairClassifierEvaluator):
    """`PairClassifierEvaluator` whose embeddings come from the split's shared `Encodings`."""

    truncate_dim = None  # the head reads full-size embeddings


def pair_classifier_evaluator(
    dataset: Dataset, name: str, columns: Sequence[str], head: Head, encodings: Encodings
) -> SharedPairClassifierEvaluator:
    """The classifier evaluator of one split of classified pairs (`columns`: text, text, class id)."""
    text1, text2, label = columns
    return SharedPairClassifierEvaluator(
        dataset[text1], dataset[text2], [int(v) for v in dataset[label]], head, name,
        batch_size=encodings.batch_size, encodings=encodings,
    )  # fmt: skip


FLAGS = ("rep", "difference", "multiplication")


def save_head(head: Head, directory: Path, name: str) -> None:
    """`head` as `<name>.safetensors` (its linear layer) and `<name>.json` (its size and features) in `directory`."""
    from safetensors.torch import save_file

    directory.mkdir(parents=True, exist_ok=True)
    linear = head.classifier
    save_file(
        {k: v.detach().cpu().contiguous() for k, v in linear.state_dict().items()}, directory / f"{name}.safetensors"
    )
    spec = {
        "in_features": linear.in_features,
        "num_labels": linear.out_features,
        **{f: getattr(head, f) for f in FLAGS},
    }
    (directory / f"{name}.json").write_text(json.dumps(spec, indent=2), encoding="utf-8")


def load_heads(directory: Path) -> dict[str, Head]:
    """The heads `save_head` wrote in `directory`, by name ({} when there are none)."""
    from safetensors.torch import load_file

    heads = {}
    for spec_file in sorted(Path(directory).glob("*.json")) if Path(directory).is_dir() else []:
        spec = json.loads(spec_file.read_text(encoding="utf-8"))
        linear = nn.Linear(spec["in_features"], spec["num_labels"])
        linear.load_state_dict(load_file(spec_file.with_suffix(".safetensors")))
        heads[spec_file.stem] = Head(linear.eval(), **{f: spec[f] for f in FLAGS})
    return heads
