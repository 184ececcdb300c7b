"""Cards in the sentence-transformers 2.x layout (written by `fit()`): a `## Training` section with
DataLoader and Loss blocks and the fit() parameters, results under `## Evaluation Results`, the module list
under `## Full Model Architecture` (read by `parse`), MTEB results in the front matter (read by
`frontmatter`)."""

from __future__ import annotations

import re

from simpipe.cards.facts import SENTENCE_TRANSFORMER, TRAIN, CardFacts, DatasetFacts, EvaluatorFacts
from simpipe.cards.markdown import code_blocks, mapping, number, section, tables

_LOADER = re.compile(r"\*\*DataLoader\*\*:\s*`([\w.]+)` of length (\d+) with parameters:\s*```\w*\n(.*?)```", re.S)
_LOSS = re.compile(r"\*\*Loss\*\*:\s*`([\w.]+)`(.*?)(?=\*\*DataLoader\*\*|\*\*Loss\*\*|Parameters of the fit|\Z)", re.S)


def parse_legacy(body: str, card: CardFacts) -> None:
    """Add what a 2.x card's Training and Evaluation Results sections state to `card`."""
    training = section(body, "Training")
    if training is not None and "fit()" in training:
        card.model_type = card.model_type or SENTENCE_TRANSFORMER
        _training(training, card)
    results = section(body, "Evaluation Results")
    if results is not None:  # beside MTEB's model-index results, if any
        card.evaluators += [e for e in _results(results, card.unparsed) if e.name not in card.metrics]


def _training(text: str, card: CardFacts) -> None:
    """One training data set per DataLoader/Loss pair; the fit() parameters with each loader's."""
    loaders = []
    for match in _LOADER.finditer(text):
        params = mapping(match.group(3).strip())
        if params is None:
            card.unparsed.append(f"training: DataLoader parameters not read: {match.group(3).strip()[:60]!r}")
        loaders.append({"class": match.group(1), "length": int(match.group(2)), **(params or {})})
    for match in _LOSS.finditer(text):
        params = {}
        if "with parameters" in match.group(2) and (code := code_blocks(match.group(2))):
            params = mapping(code[0])
            if params is None:
                card.unparsed.append(f"training: loss parameters not read: {code[0][:60]!r}")
        card.datasets.append(DatasetFacts(TRAIN, loss=match.group(1).split(".")[-1], loss_params=params or {}))
    fit = re.search(r"Parameters of the fit\(\)-Method:\s*```\w*\n(.*?)```", text, flags=re.S)
    params = mapping(fit.group(1).strip()) if fit else None
    if fit and params is None:
        card.unparsed.append("training: fit() parameters not read")
    card.fit_parameters = {**(params or {}), **({"dataloaders": loaders} if loaders else {})}


def _results(text: str, unparsed: list[str]) -> list[EvaluatorFacts]:
    """Evaluators from the result tables (a metric per row, a data set per column); prose is reported."""
    found: list[EvaluatorFacts] = []
    for rows in tables(text):
        if len(rows) < 2:
            continue
        names = [h.strip("*") or "results" for h in rows[0][1:]]
        evaluators = [EvaluatorFacts(name=name) for name in names]
        for row in rows[1:]:
            for evaluator, cell in zip(evaluators, row[1:], strict=False):
                if (parsed := number(cell)) is not None:
                    evaluator.metrics[row[0].strip("*")] = parsed
        found += [e for e in evaluators if e.metrics]
    prose = re.sub(r"\s+", " ", re.sub(r"^\s*\|.*$", "", text, flags=re.M)).strip()
    if not found and prose and not prose.startswith("For an automated evaluation"):
        unparsed.append(f"Evaluation Results: text without a table: {prose[:60]!r}")
    return found
