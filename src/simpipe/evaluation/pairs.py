"""Evaluators of triplets (`TripletEvaluator`: is the positive closer than the negative?), of labelled texts
(the same, over triplets their class ids make) and of labelled pairs (`BinaryClassificationEvaluator`:
accuracy, F1, average precision of similar / dissimilar), with the split's shared `Encodings`."""

from __future__ import annotations

from collections.abc import Sequence

from datasets import Dataset
from sentence_transformers.sentence_transformer.evaluation import BinaryClassificationEvaluator, TripletEvaluator

from simpipe.evaluation.encoded import Encodings, SharedEncodings


class SharedTripletEvaluator(SharedEncodings, TripletEvaluator):
    """`TripletEvaluator` whose embeddings come from the split's shared `Encodings`."""


class SharedBinaryClassificationEvaluator(SharedEncodings, BinaryClassificationEvaluator):
    """`BinaryClassificationEvaluator` whose embeddings come from the split's shared `Encodings`."""


def triplet_evaluator(
    dataset: Dataset,
    name: str,
    columns: Sequence[str],
    similarity_fns: Sequence[str],
    main_similarity: str,
    encodings: Encodings,
    truncate_dim: int | None = None,
) -> SharedTripletEvaluator:
    """Accuracy per similarity over (anchor, positive, negative) rows; with negative_1..n, one triplet per negative."""
    anchor, positive, *negatives = columns
    anchors, positives = dataset[anchor], dataset[positive]
    rows = [row for column in negatives for row in zip(anchors, positives, dataset[column], strict=True)]
    return SharedTripletEvaluator(
        anchors=[a for a, _, _ in rows],
        positives=[p for _, p, _ in rows],
        negatives=[n for _, _, n in rows],
        encodings=encodings,
        main_similarity_function=main_similarity,
        similarity_fn_names=list(similarity_fns),
        batch_size=encodings.batch_size,
        name=name,
        write_csv=False,
        truncate_dim=truncate_dim,
    )


def label_triplets(texts: Sequence[str], labels: Sequence[int]) -> list[tuple[str, str, str]]:
    """Triplets of labelled texts, without randomness: each text of a class with at least two, the next
    text of its class (in order, cyclic) as the positive and the text at its position in the next class
    (cyclic over the classes, in order of their ids) as the negative."""
    by_class: dict[int, list[str]] = {}
    for text, label in zip(texts, labels, strict=True):
        by_class.setdefault(int(label), []).append(text)
    classes = sorted(by_class)
    out = []
    for i, label in enumerate(classes):
        members, other = by_class[label], by_class[classes[(i + 1) % len(classes)]]
        if len(members) < 2 or len(classes) < 2:
            continue
        out += [(t, members[(j + 1) % len(members)], other[j % len(other)]) for j, t in enumerate(members)]
    return out


def labelled_evaluator(
    dataset: Dataset,
    name: str,
    columns: Sequence[str],
    similarity_fns: Sequence[str],
    main_similarity: str,
    encodings: Encodings,
    truncate_dim: int | None = None,
) -> SharedTripletEvaluator:
    """Accuracy per similarity over the triplets of (text, class id) rows (`label_triplets`): is a text of
    the same class closer than one of another?"""
    text, label = columns
    rows = label_triplets(dataset[text], dataset[label])
    return SharedTripletEvaluator(
        anchors=[a for a, _, _ in rows],
        positives=[p for _, p, _ in rows],
        negatives=[n for _, _, n in rows],
        encodings=encodings,
        main_similarity_function=main_similarity,
        similarity_fn_names=list(similarity_fns),
        batch_size=encodings.batch_size,
        name=name,
        write_csv=False,
        truncate_dim=truncate_dim,
    )


def classification_evaluator(
    dataset: Dataset,
    name: str,
    columns: Sequence[str],
    similarity_fns: Sequence[str],
    main_similarity: str,
    encodings: Encodings,
    truncate_dim: int | None = None,
) -> SharedBinaryClassificationEvaluator:
    """Accuracy, F1, precision, recall and average precision per similarity over (text, text, 0/1 label) rows."""
    text1, text2, label = columns
    evaluator = SharedBinaryClassificationEvaluator(
        sentences1=dataset[text1],
        sentences2=dataset[text2],
        labels=[int(v) for v in dataset[label]],
        encodings=encodings,
        similarity_fn_names=list(similarity_fns),
        batch_size=encodings.batch_size,
        name=name,
        write_csv=False,
        truncate_dim=truncate_dim,
    )
    evaluator.primary_metric = f"{main_similarity}_ap"
    return evaluator
