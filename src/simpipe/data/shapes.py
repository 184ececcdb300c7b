"""Data shapes: what each row of a data set holds, by role, in the order sentence-transformers' losses take
its columns (`data.shape`; each loss states the shapes it accepts in `simpipe.training.losses`).

    >>> SHAPES["triplets"].ordered(["negative_2", "anchor", "negative_1", "positive"], "data.roles")
    ('anchor', 'positive', 'negative_1', 'negative_2')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from simpipe.core.errors import ConfigError

_NUMBERED = re.compile(r"^(?P<role>[a-z]+)_(?P<n>[1-9]\d*)$")


@dataclass(frozen=True)
class Shape:
    """A data shape: its text roles in order, then an optional label role."""

    name: str
    texts: tuple[str, ...]
    help: str
    label: str | None = None
    binary: bool = False  # the label is 0 or 1
    classes: bool = False  # the label is a class id 0 ... k-1 (not a score: no label_range scaling)
    numbered: str | None = None  # this last text role may come as <role>_1 ... <role>_n (n-tuples)

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles of the plain form (one of each), in column order."""
        return (*self.texts, *([self.label] if self.label else []))

    def ordered(self, roles: Iterable[str], key: str) -> tuple[str, ...]:
        """`roles` in column order; a ConfigError naming `key` when they are not this shape's roles."""
        given = list(roles)
        numbered = [r for r in given if (m := _NUMBERED.match(r)) and m["role"] == self.numbered]
        if numbered:
            texts = [
                *(r for r in self.texts if r != self.numbered),
                *(f"{self.numbered}_{i}" for i in range(1, 1 + len(numbered))),
            ]
            expected = (*texts, *([self.label] if self.label else []))
        else:
            expected = self.roles
        if sorted(given) != sorted(expected):
            forms = f"{', '.join(self.roles)}" + (
                f" (or {self.numbered}_1 ... {self.numbered}_n for n {self.numbered}s)" if self.numbered else ""
            )
            raise ConfigError(f"{key}: roles {', '.join(given) or 'none'} do not fit the shape {self.name}; "
                              f"it takes {forms}")  # fmt: skip
        return expected


SHAPES: dict[str, Shape] = {
    shape.name: shape
    for shape in (
        Shape("scored_pairs", ("sentence1", "sentence2"), "two texts and a similarity score", label="score"),
        Shape("labelled_pairs", ("sentence1", "sentence2"), "two texts and a 0/1 label", label="label", binary=True),
        Shape("pairs", ("anchor", "positive"), "a text and one that matches it (other rows' texts are negatives)"),
        Shape(
            "classified_pairs",
            ("sentence1", "sentence2"),
            "two texts and the class id of their relation (0 ... k-1), e.g. NLI's entailment, neutral, contradiction",
            label="label",
            classes=True,
        ),
        Shape(
            "labelled_texts",
            ("text",),
            "a text and its class id (0 ... k-1): texts of one class are alike",
            label="label",
            classes=True,
        ),
        Shape("texts", ("text",), "single texts (unsupervised losses; distillation: a teacher's embedding each)"),
        Shape(
            "triplets",
            ("anchor", "positive", "negative"),
            "a text, one that matches it and one or more that do not",
            numbered="negative",
        ),
    )
}
# shapes whose first text is a query and the others documents (prompts per role apply; search evaluators)
QUERY_DOCUMENT_SHAPES = ("pairs", "triplets")
