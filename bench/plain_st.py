"""The baseline of the `train` benchmark: the plain sentence-transformers script a user would write
(no tracking, no pipeline), trained on simpipe's prepared data with the same hyperparameters: a
SentenceTransformer, or with --cross-encoder a CrossEncoder with a new head (BinaryCrossEntropyLoss on the
scored or labelled pairs, Spearman of its dev scores).

    python bench/plain_st.py --model DIR --train train.parquet --output DIR --result result.json [...]
"""

from __future__ import annotations

import argparse
import json

from datasets import Dataset
from sentence_transformers import (
    CrossEncoder,
    CrossEncoderTrainer,
    CrossEncoderTrainingArguments,
    SentenceTransformer,
    util,
)
from sentence_transformers.cross_encoder.evaluation import CrossEncoderCorrelationEvaluator
from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss
from sentence_transformers.sentence_transformer import losses
from sentence_transformers.sentence_transformer.evaluation import (
    EmbeddingSimilarityEvaluator,
    InformationRetrievalEvaluator,
)
from sentence_transformers.sentence_transformer.trainer import SentenceTransformerTrainer
from sentence_transformers.sentence_transformer.training_args import (
    BatchSamplers,
    SentenceTransformerTrainingArguments,
)


def search_evaluator(dev: Dataset, min_label: float, batch_size: int, name: str) -> InformationRetrievalEvaluator:
    """Each dev query searches the dev titles; relevant: label >= min_label (as a user writes it)."""
    query, title, label = dev.column_names
    queries = sorted(set(dev[query]))
    titles = sorted(set(dev[title]))
    qrels: dict[str, set[str]] = {}
    for q, t, y in zip(dev[query], dev[title], dev[label], strict=True):
        if y >= min_label:
            qrels.setdefault(str(queries.index(q)), set()).add(str(titles.index(t)))
    return InformationRetrievalEvaluator(
        {str(i): q for i, q in enumerate(queries)}, {str(i): t for i, t in enumerate(titles)}, qrels,
        batch_size=batch_size, name=name, score_functions={"cosine": util.cos_sim}, write_csv=False,
    )  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--train", required=True, help="parquet: text, text, label (or anchor, positive[, negative])")
    p.add_argument("--output", required=True)
    p.add_argument("--result", required=True, help="JSON file for the Trainer's train metrics")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=5e-5)
    p.add_argument("--warmup-ratio", type=float, default=0.0)
    p.add_argument("--epochs", type=float, default=1)
    p.add_argument("--max-steps", type=int, default=-1)
    p.add_argument("--logging-steps", type=int, default=100)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--dev", help="parquet of the dev pairs evaluated during training (none: no evaluation)")
    p.add_argument("--dev-name", default="dev")
    p.add_argument("--dev-pairs", type=int, help="evaluate on the first N dev pairs (default: all)")
    p.add_argument("--eval-steps", type=int, default=100)
    p.add_argument("--eval-batch-size", type=int, default=64)
    p.add_argument(
        "--loss", default="CosineSimilarityLoss", choices=["CosineSimilarityLoss", "MultipleNegativesRankingLoss"]
    )
    p.add_argument("--search-min-label", type=float, help="dev evaluation by search (relevant: label >= this)")
    p.add_argument("--cross-encoder", action="store_true", help="a CrossEncoder, BCE on the scored or labelled pairs")
    p.add_argument("--max-length", type=int, help="a cross-encoder's tokens per pair")
    a = p.parse_args()
    if a.cross_encoder:
        train_cross_encoder(a)
        return

    model = SentenceTransformer(a.model, device="cpu")
    train = Dataset.from_parquet(a.train)
    evaluator = None
    if a.dev:
        dev = dev_rows(a)
        text1, text2, label = dev.column_names
        if a.search_min_label is not None:
            evaluator = search_evaluator(dev, a.search_min_label, a.eval_batch_size, a.dev_name)
        else:
            evaluator = EmbeddingSimilarityEvaluator(
                dev[text1], dev[text2], dev[label], batch_size=a.eval_batch_size, name=a.dev_name,
                similarity_fn_names=["cosine"], main_similarity="cosine",
            )  # fmt: skip
    in_batch = a.loss == "MultipleNegativesRankingLoss"
    args = SentenceTransformerTrainingArguments(
        output_dir=a.output,
        num_train_epochs=a.epochs,
        max_steps=a.max_steps,
        per_device_train_batch_size=a.batch_size,
        learning_rate=a.lr,
        warmup_steps=a.warmup_ratio,
        seed=a.seed,
        logging_steps=a.logging_steps,
        eval_strategy="steps" if evaluator else "no",
        eval_steps=a.eval_steps,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        batch_sampler=BatchSamplers.NO_DUPLICATES if in_batch else BatchSamplers.BATCH_SAMPLER,
    )
    trainer = SentenceTransformerTrainer(
        model=model, args=args, train_dataset=train, loss=getattr(losses, a.loss)(model), evaluator=evaluator
    )
    finish(trainer, model, a)


def train_cross_encoder(a: argparse.Namespace) -> None:
    """A CrossEncoder from `a.model` with a new head, BinaryCrossEntropyLoss on the train pairs, and the
    Spearman of its scores on the dev pairs (as sentence-transformers' reranker examples)."""
    model = CrossEncoder(a.model, num_labels=1, max_length=a.max_length, device="cpu")
    evaluator = None
    if a.dev:
        dev = dev_rows(a)
        text1, text2, label = dev.column_names
        evaluator = CrossEncoderCorrelationEvaluator(
            list(zip(dev[text1], dev[text2], strict=True)), dev[label], name=a.dev_name, batch_size=a.eval_batch_size
        )
    args = CrossEncoderTrainingArguments(
        output_dir=a.output, num_train_epochs=a.epochs, max_steps=a.max_steps,
        per_device_train_batch_size=a.batch_size, learning_rate=a.lr, warmup_steps=a.warmup_ratio, seed=a.seed,
        logging_steps=a.logging_steps, eval_strategy="steps" if evaluator else "no", eval_steps=a.eval_steps,
        save_strategy="no", report_to="none", use_cpu=True,
    )  # fmt: skip
    train = Dataset.from_parquet(a.train)
    trainer = CrossEncoderTrainer(
        model=model, args=args, train_dataset=train, loss=BinaryCrossEntropyLoss(model), evaluator=evaluator
    )
    finish(trainer, model, a)


def dev_rows(a: argparse.Namespace) -> Dataset:
    """The dev pairs evaluated during training: the first `a.dev_pairs` of `a.dev` (all by default)."""
    dev = Dataset.from_parquet(a.dev)
    return dev.select(range(min(a.dev_pairs or len(dev), len(dev))))


def finish(trainer, model, a: argparse.Namespace) -> None:
    """Train, save the model and write the Trainer's train metrics to `a.result`."""
    metrics = trainer.train().metrics
    model.save(f"{a.output}/model")
    with open(a.result, "w", encoding="utf-8") as f:
        json.dump(metrics, f)


if __name__ == "__main__":
    main()
