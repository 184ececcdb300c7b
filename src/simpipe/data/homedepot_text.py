"""Product-search text preparation of the Home Depot seed card: cleaning, Porter stemming,
`brand_…` and `color_…` tokens.

    >>> augment("Cellwood 14 in. x 14 in. White Square Gable Vent")
    'cellwood 14in. x 14in. white squar gabl vent brand_cellwood color_whit'

Rules (read off the seed card's strings, each checked against its raw row in the tests):
lowercase; `(`, `)`, `#`, `+` -> space; a number that starts a token and is followed by a
space and a letter is joined to that word; then commas go, a hyphen after a digit goes, `/`
goes; `the` and `only` are dropped; every token is Porter-stemmed (NLTK, default mode);
`brand_<b>` from the raw text's first token (or a given brand); `color_<c>` per distinct basic
color word. Colors are matched on the cleaned words before stemming, so `orange` (stem `orang`)
is found as well as `white` (stem `white`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from nltk.stem.porter import PorterStemmer

COLORS = frozenset({
    "white", "black", "brown", "gray", "grey", "red", "blue", "green", "yellow",
    "orange", "purple", "pink", "beige", "ivory", "tan", "silver", "gold",
})  # fmt: skip
DROPPED_WORDS = frozenset({"the", "only"})

_SPACED = re.compile(r"[()#+]")
# a number at the start of a token, then one space and a letter: "14 in." -> "14in."
_NUMBER_THEN_WORD = re.compile(r"(?<!\S)(\d+(?:\.\d+)?) (?=[^\W\d_])")
_HYPHEN_AFTER_DIGIT = re.compile(r"(?<=\d)-")
_REMOVED = re.compile(r"[,/]")

_LETTER = re.compile(r"[^\W\d_]")

_stemmer = PorterStemmer()  # NLTK_EXTENSIONS mode, as the seed


@cache
def stem(word: str) -> str:
    """Porter stem of one lowercase token (cached: the corpus has few distinct words). Tokens
    without a letter ("1/2", "3.5") pass unchanged: every Porter suffix is made of letters."""
    return _stemmer.stem(word, to_lowercase=False) if _LETTER.search(word) else word


@cache
def tag_value(word: str) -> str:
    """Lowercase and stem; when stemming changes nothing, drop a trailing `er` or `e`.

    KOHLER -> kohl, The -> th, BLACK+DECKER -> black+deck, Westinghouse -> westinghous.
    """
    lowered = word.lower()
    stemmed = stem(lowered)
    if stemmed == lowered:
        for suffix in ("er", "e"):
            if stemmed.endswith(suffix) and len(stemmed) > len(suffix):
                return stemmed[: -len(suffix)]
    return stemmed


def _scrub(lowered: str) -> str:
    """The character rules, on one lowercased text or on many joined by newlines."""
    text = _SPACED.sub(" ", lowered)
    text = _NUMBER_THEN_WORD.sub(r"\1", text)
    return _REMOVED.sub("", _HYPHEN_AFTER_DIGIT.sub("", text))


def _words(scrubbed: str) -> list[str]:
    return [token for token in scrubbed.split() if token not in DROPPED_WORDS]


def clean(text: str) -> list[str]:
    """Lowercased, cleaned tokens before stemming (the / only removed)."""
    return _words(_scrub(text.lower()))


def _assemble(text: str, words: list[str], brand: str | None) -> str:
    """Stemmed words, then the brand tag (from `brand`, else the raw text's first token) and color tags."""
    tokens = list(map(stem, words))
    source = (brand and brand.split(maxsplit=1)) or text.split(maxsplit=1)
    if source:
        tokens.append(f"brand_{tag_value(source[0])}")
    colors = [word for word in words if word in COLORS]
    if colors:
        tokens.extend(f"color_{tag_value(color)}" for color in dict.fromkeys(colors))
    return " ".join(tokens)


def augment(text: str, brand: str | None = None) -> str:
    """The seed card's processed form of a search query or product title.

    `brand`: the product's brand name (e.g. attributes.csv's `MFG Brand Name`); default: the
    first whitespace token of `text`.
    """
    return _assemble(text, clean(text), brand)


def augment_all(texts: Sequence[str], brands: Sequence[str | None] | None = None) -> list[str]:
    """`augment` of many texts, with the same output: the character rules run once over all
    texts joined by newlines (the rules never cross a line), each distinct word is stemmed once."""
    brands = brands if brands is not None else [None] * len(texts)
    if len(brands) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(brands)} brands")
    joined = [i for i, text in enumerate(texts) if "\n" not in text]  # others: one at a time
    lines = _scrub("\n".join(texts[i] for i in joined).lower()).split("\n") if joined else []
    out = [augment(text, brand) if "\n" in text else "" for text, brand in zip(texts, brands, strict=True)]
    for i, line in zip(joined, lines, strict=True):
        out[i] = _assemble(texts[i], _words(line), brands[i])
    return out
