"""The Markdown and value reading that card parsing shares: line endings, front matter, headed sections,
tables, bullet lists, fenced code blocks and the values in their cells."""

from __future__ import annotations

import ast
import json
import math
import re
from typing import Any

_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")


def normalize(text: str) -> str:
    """`text` with every line ending (`\\r\\n`, `\\r\\r\\n`, `\\r`) as `\\n` and no byte-order mark."""
    return re.sub(r"\r+\n?", "\n", text.removeprefix("\ufeff"))


def value(text: str) -> Any:
    """A cell's value: int, float (NaN kept as NaN), bool, or the text without Markdown bold."""
    text = text.strip().strip("*").strip()
    if _NUMBER.match(text):
        return float(text) if any(c in text for c in ".eE") else int(text)
    if text.lower() == "nan":
        return math.nan
    return {"true": True, "false": False}.get(text.lower(), text)


def number(text: str) -> float | None:
    """A cell's value as a float, or None when it holds no number (`-`, empty, text)."""
    parsed = value(text)
    return float(parsed) if isinstance(parsed, int | float) and not isinstance(parsed, bool) else None


def split_front_matter(text: str) -> tuple[list[str], str]:
    """(front matter lines, body); no front matter -> ([], text)."""
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                return lines[1:i], "\n".join(lines[i + 1 :])
    return [], text


def _headings(text: str) -> list[tuple[int, int, str]]:
    """(offset, level, title) of each Markdown heading of `text` outside fenced code blocks (whose `#`
    lines are comments)."""
    found, offset, fenced = [], 0, False
    for line in text.split("\n"):
        if line.strip().startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"^(#+) (.+?)\s*$", line)):
            found.append((offset, len(match.group(1)), match.group(2)))
        offset += len(line) + 1
    return found


def headings(body: str, level: int) -> list[str]:
    """The titles of the headings of exactly `level` (`##` = 2)."""
    return [title for _, found, title in _headings(body) if found == level]


def section(body: str, *titles: str) -> str | None:
    """Text under the first heading (any level) titled one of `titles`, up to the next heading of the same
    or a higher level; None when there is none."""
    for title in titles:
        for level in range(1, 7):
            for name, text in blocks(body, level):
                if name == title:
                    return text
    return None


def blocks(text: str, level: int) -> list[tuple[str, str]]:
    """(title, text) of each heading of `level` in `text`, its text up to the next heading of that level
    or a higher one."""
    found = _headings(text)
    out = []
    for i, (offset, found_level, title) in enumerate(found):
        if found_level == level:
            start = text.find("\n", offset) + 1 or len(text)
            end = next((o for o, lv, _ in found[i + 1 :] if lv <= level), len(text))
            out.append((title, text[start:end]))
    return out


def summaries_as_headings(text: str, level: int) -> str:
    """`text` with each `<details><summary>Title</summary>` line as a heading of `level` (a card with more
    than three data sets folds each into such a block, sentence-transformers 3.x without a heading inside)
    and the `</details>` lines dropped; a summary followed by its own heading adds none."""
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        if match := re.fullmatch(r"\s*<details>\s*<summary>(.*?)</summary>\s*", line):
            following = next((rest.strip() for rest in lines[i + 1 :] if rest.strip()), "")
            if not following.startswith("#" * level + " "):
                out.append(f"{'#' * level} {match.group(1).strip()}")
        elif line.strip() != "</details>":
            out.append(line)
    return "\n".join(out)


_SEPARATOR = re.compile(r"^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?$")


def _cells(line: str) -> list[str]:
    """The cells of a table row, with or without its outer pipes (`a | b`, `| a | b |`)."""
    line = line.strip()
    line = line[1:] if line.startswith("|") else line
    line = line[:-1] if line.endswith("|") and not line.endswith("\\|") else line
    return [c.strip() for c in line.split("|")]


def tables(text: str) -> list[list[list[str]]]:
    """The Markdown tables in `text`, each as rows of cells (header first, separator dropped). A row may
    lack its outer pipes (GitHub's tables: `metric | value`) once its table has begun: a header line with
    a separator line under it (`---|---`), or a row with both outer pipes."""
    found: list[list[list[str]]] = []
    rows: list[list[str]] = []
    lines = [line.strip() for line in text.split("\n")] + [""]
    for i, line in enumerate(lines):
        piped = line.startswith("|") and line.endswith("|") and len(line) > 1
        separator = "|" in line and "-" in line and bool(_SEPARATOR.match(line))
        header = "|" in line and i + 1 < len(lines) and "-" in lines[i + 1] and bool(_SEPARATOR.match(lines[i + 1]))
        if separator and rows:
            continue
        if piped or ("|" in line and (rows or header)):
            rows.append(_cells(line))
        elif rows:
            found.append(rows)
            rows = []
    return found


def table(text: str) -> list[list[str]]:
    """The rows of the first Markdown table in `text` ([] when none)."""
    found = tables(text)
    return found[0] if found else []


def bullet_pairs(text: str | None) -> dict[str, str]:
    """`- `key`: value` and `- Key: value` lines."""
    pairs = {}
    for match in re.finditer(r"^\s*- `?([^`:\n]+)`?: ?(.*)$", text or "", flags=re.M):
        pairs[match.group(1).strip()] = match.group(2).strip()
    return pairs


def code_blocks(text: str) -> list[str]:
    """The contents of the fenced code blocks in `text`."""
    return [m.group(1).strip() for m in re.finditer(r"```\w*\n(.*?)```", text, flags=re.S)]


def mapping(code: str) -> dict[str, Any] | None:
    """A code block's JSON object or Python dict literal (what cards print for parameters), else None."""
    for parse in (json.loads, ast.literal_eval):
        try:
            parsed = parse(code)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(parsed, dict):
            return parsed
    return None


def integer(pattern: str, text: str) -> int | None:
    """The first group of `pattern` in `text` as an int (thousands separators dropped), else None."""
    match = re.search(pattern, text)
    return int(match.group(1).replace(",", "")) if match else None
