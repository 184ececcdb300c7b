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

_stemmer = PorterStemmer()  # NLTK_EXTENSIONS mode, as the seed


@cache
def stem(word: str) -> str:
    """Porter stem of one lowercase token (cached: the corpus has few distinct words)."""
    return _stemmer.stem(word, to_lowercase=False)


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


def clean(text: str) -> list[str]:
    """Lowercased, cleaned tokens before stemming (the / only removed)."""
    text = _SPACED.sub(" ", text.lower())
    text = _NUMBER_THEN_WORD.sub(r"\1", text)
    text = _REMOVED.sub("", _HYPHEN_AFTER_DIGIT.sub("", text))
    return [token for token in text.split() if token not in DROPPED_WORDS]


def augment(text: str, brand: str | None = None) -> str:
    """The seed card's processed form of a search query or product title.

    `brand`: the product's brand name (e.g. attributes.csv's `MFG Brand Name`); default: the
    first whitespace token of `text`.
    """
    words = clean(text)
    tokens = [stem(word) for word in words]
    source = brand.split()[0] if brand and brand.split() else (text.split() or [None])[0]
    if source is not None:
        tokens.append(f"brand_{tag_value(source)}")
    colors = dict.fromkeys(word for word in words if word in COLORS)
    tokens.extend(f"color_{tag_value(color)}" for color in colors)
    return " ".join(tokens)
