"""Cards in the sentence-transformers 2.x layout (written by `fit()`): a `## Training` section with
DataLoader and Loss blocks and the fit() parameters, results under `## Evaluation Results`, the module list
under `## Full Model Architecture` (read by `parse`), MTEB results in the front matter (read by
`frontmatter`)."""

from __future__ import annotations

import re

from simpipe.cards.facts import SENTENCE_TRANSFORMER, TRAIN, UNNAMED, CardFacts, DatasetFacts, EvaluatorFacts
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
    """Evaluators from the result tables, in any of the layouts 2.x cards use (`_table_results`); prose
    without a table is reported."""
    found: list[EvaluatorFacts] = []
    for rows in tables(text):
        if len(rows) >= 2:
            found += _table_results(rows)
    prose = re.sub(r"\s+", " ", re.sub(r"^.*\|.*$", "", text, flags=re.M)).strip()
    if not found and prose and not prose.startswith("For an automated evaluation"):
        unparsed.append(f"Evaluation Results: text without a table: {prose[:60]!r}")
    return found


# words of a metric's name (`cosine_spearman`, `Accuracy`, `MRR@10`, `src2trg`): a table whose header holds
# them has a metric per column
_METRIC = re.compile(
    r"accuracy|\bacc|f1|precision|recall|spearman|pearson|map|mrr|ndcg|\bap\b|auc|loss|score|cos|euclidean|"
    r"manhattan|dot|sim|correlation|mse|@|2",
    re.I,
)
# columns that say when a row was measured (an evaluation during training), not what
_WHEN = {"epoch", "epochs", "step", "steps"}


def _table_results(rows: list[list[str]]) -> list[EvaluatorFacts]:
    """One table's evaluators. Three layouts: a metric per row and an evaluator per column (`| | sts-dev |`
    over `| cosine_spearman | 0.81 |`); an evaluator (a split) or a run (epoch, steps) per row and a metric
    per column (`| split | accuracy |` over `| dev | 0.91 |`); metric names over values only
    (`| src2trg | trg2src |` over `| 0.95 | 0.94 |`: one evaluator, `results` (UNNAMED)). Epoch and steps columns
    become the evaluator's params."""
    header, body = [h.strip("*").strip() for h in rows[0]], rows[1:]
    if all(number(cell) is not None for row in body for cell in row if cell.strip() not in ("", "-")):
        return _runs_by_row(header, body, name_column=False)
    metric_columns = [h for h in header[1:] if h.lower() not in _WHEN]
    names = [row[0].strip("*").strip() for row in body if row]
    by_column = metric_columns and all(_METRIC.search(h) for h in metric_columns)
    if (header[0].lower() in _WHEN | {"split", "dataset", "data", "set", "model", "name", "evaluator", ""}
            and by_column and not any(_METRIC.search(n) for n in names)):  # fmt: skip
        return _runs_by_row(header, body, name_column=header[0].lower() not in _WHEN)
    evaluators = [EvaluatorFacts(name=name or UNNAMED) for name in header[1:]]
    for row in body:
        for evaluator, cell in zip(evaluators, row[1:], strict=False):
            if (parsed := number(cell)) is not None:
                evaluator.metrics[row[0].strip("*")] = parsed
    return [e for e in evaluators if e.metrics]


def _runs_by_row(header: list[str], body: list[list[str]], name_column: bool) -> list[EvaluatorFacts]:
    """An evaluator per row: named by its first cell (`name_column`), else `results` (UNNAMED); epoch and steps
    columns as its params, the other columns its metrics."""
    found = []
    for row in body:
        cells = list(zip(header, row, strict=False))
        name = row[0].strip("*").strip() if name_column else UNNAMED
        evaluator = EvaluatorFacts(name=name or UNNAMED)
        for column, cell in cells[1:] if name_column else cells:
            if (parsed := number(cell)) is None:
                continue
            if column.lower() in _WHEN:
                evaluator.params[column.lower()] = int(parsed) if parsed.is_integer() else parsed
            else:
                evaluator.metrics[column] = parsed
        if evaluator.metrics:
            found.append(evaluator)
    return found
