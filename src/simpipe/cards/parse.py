"""Parse a sentence-transformers model card (Hugging Face README) into `CardFacts`.

Real cards vary: sentence-transformers 2.x to 6.x layouts, YAML whose indentation was lost, metrics only in
Markdown tables, line breaks inside table cells, missing sections, any line endings. Parsing is line- and
section-based, every field optional; what the parser sees but cannot map goes to `CardFacts.unparsed` (one
warning line each). A text with none of a card's landmarks is refused.
"""

from __future__ import annotations

import logging
import re

from simpipe.cards import legacy
from simpipe.cards.errors import CardError
from simpipe.cards.facts import (
    CROSS_ENCODER,
    EVAL,
    SENTENCE_TRANSFORMER,
    SPARSE_ENCODER,
    TRAIN,
    CardFacts,
    DatasetFacts,
    EvaluatorFacts,
)
from simpipe.cards.frontmatter import FrontMatter, parse_front_matter
from simpipe.cards.markdown import (
    blocks,
    bullet_pairs,
    code_blocks,
    headings,
    integer,
    mapping,
    normalize,
    number,
    section,
    split_front_matter,
    summaries_as_headings,
    table,
    tables,
)

log = logging.getLogger(__name__)

# the `##` sections of sentence-transformers' card templates (2.x and later) and simpipe's own (Reproduction);
# others are reported unread
KNOWN_SECTIONS = {
    "Model Details", "Usage", "Evaluation", "Bias, Risks and Limitations", "Training Details", "Citation",
    "Glossary", "Model Card Authors", "Model Card Contact", "Usage (Sentence-Transformers)",
    "Usage (HuggingFace Transformers)", "Evaluation Results", "Training", "Full Model Architecture",
    "Citing & Authors", "Additional Resources", "Reproduction",
}  # fmt: skip
LANDMARKS = {"Training Details", "Evaluation", "Evaluation Results", "Training", "Full Model Architecture"}
MODEL_TYPES = {"Sentence Transformer": SENTENCE_TRANSFORMER, "Cross Encoder": CROSS_ENCODER}
# a link or a code span naming a class: [<code>Name</code>](...), [Name\n](...), `a.b.Name`
_CLASS = r"\[(?:<code>)?\s*(\w+)\s*(?:</code>)?\s*\]"


def parse_card(text: str, source: str = "<card>") -> CardFacts:
    """The facts of a model card's text; raise CardError when it has none of a card's landmarks."""
    front_lines, body = split_front_matter(normalize(text))
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)  # the templates' commented-out sections
    sections = set(headings(body, 2))
    if not front_lines and not sections & LANDMARKS:
        raise CardError(
            f"{source}: not a sentence-transformers model card (no front matter, no Evaluation or Training "
            "section); point to the README.md of a sentence-transformers model"
        )
    front = parse_front_matter(front_lines)
    card = CardFacts(source=source)
    if front.broken:
        card.unparsed.append("front matter: not valid YAML (indentation lost?); read line by line")
    title = re.search(r"^# (.+)$", body, flags=re.M)
    card.title = title.group(1).strip() if title else None
    card.base_model = front.base_model or _base_model_in_text(body)
    card.language = front.language
    card.model_type = _model_type(body, front)
    card.adapter = _adapter(front, body)
    _architecture(card, body)
    card.output_dim = integer(r"Output Dimensionality:\*\* ([\d,]+)", body) or integer(
        r"to a (\d+) dimensional dense vector space", body
    )
    card.num_labels = integer(r"Number of Output Labels:\*\* ([\d,]+)", body)
    card.max_seq_length = integer(r"Maximum Sequence Length:\*\* ([\d,]+)", body) or integer(
        r"'max_seq_length': (\d+)", card.architecture or ""
    )
    if similarity := re.search(r"Similarity Function:\*\* (.+)", body):
        card.similarity = similarity.group(1).strip()
    card.datasets = _datasets(body, front, card.unparsed)
    card.non_default_hyperparameters = bullet_pairs(section(body, "Non-Default Hyperparameters"))
    card.all_hyperparameters = bullet_pairs(section(body, "All Hyperparameters"))
    card.evaluators = _evaluators(section(body, "Evaluation") or "", front, card.unparsed)
    card.training_logs = training_runs(section(body, "Training Logs") or "", card.unparsed)
    card.co2 = front.co2
    card.versions = bullet_pairs(section(body, "Framework Versions"))
    legacy.parse_legacy(body, card)
    card.unparsed += [f"section '{name}': not read" for name in sorted(sections - KNOWN_SECTIONS)]
    if not (card.modules or card.datasets or card.evaluators or card.all_hyperparameters or card.fit_parameters):
        card.unparsed.append(
            "no model, data, loss, evaluation or training facts found: a hand-written card? "
            "Write the variant by hand (conf/variant/minilm_sts.yaml is an example)"
        )
    for line in card.unparsed:
        log.warning("%s: %s", source, line)
    return card


def _base_model_in_text(body: str) -> str | None:
    match = re.search(r"\*\*Base model:\*\* \[([^\]]+)\]", body)
    return match.group(1).strip() if match else None


def _model_type(body: str, front: FrontMatter) -> str | None:
    """sentence-transformer, cross-encoder or sparse-encoder: the card's Model Type, else its tags."""
    if stated := re.search(r"\*\*Model Type:\*\* (.+)", body):
        kind = stated.group(1).strip()
        return SPARSE_ENCODER if "Sparse Encoder" in kind else MODEL_TYPES.get(kind, kind)
    tags = set(front.tags)
    for tag, kind in (("cross-encoder", CROSS_ENCODER), ("sparse-encoder", SPARSE_ENCODER)):
        if tag in tags:
            return kind
    if "sentence-transformers" in tags or front.library == "sentence-transformers":
        return SENTENCE_TRANSFORMER
    return None


def _adapter(front: FrontMatter, body: str) -> bool:
    """A PEFT adapter: tagged peft/lora, library peft, an adapter relation, or a Peft model printed."""
    tags = {t.lower() for t in front.tags}
    return bool(
        tags & {"peft", "lora", "adapter"}
        or front.library == "peft"
        or front.data.get("base_model_relation") == "adapter"
        or re.search(r"Peft\w*Model|adapter_config", body)
    )


def _architecture(card: CardFacts, body: str) -> None:
    architecture = section(body, "Full Model Architecture")
    if architecture and (code := code_blocks(architecture)):
        card.architecture = code[0]
        card.modules = re.findall(r"^\s*\(\d+\): (\w+)", card.architecture, flags=re.M)


def _datasets(body: str, front: FrontMatter, unparsed: list[str]) -> list[DatasetFacts]:
    """The Training and Evaluation Dataset(s) blocks; from the front matter's tags when there are none."""
    found = []
    for split, titles in ((TRAIN, ("Training Dataset", "Training Datasets")),
                          (EVAL, ("Evaluation Dataset", "Evaluation Datasets"))):  # fmt: skip
        text = section(body, *titles)
        if text is None:
            continue
        parts = blocks(summaries_as_headings(text, 4), 4) or [("", text)]
        found += [_dataset(split, name, part, unparsed) for name, part in parts]
    if not any(d.split == TRAIN for d in found) and (sizes := _tag_values(front, "dataset_size")):
        losses = _tag_values(front, "loss")
        found.insert(0, DatasetFacts(TRAIN, size=int(sizes[0]), loss=losses[0] if len(losses) == 1 else None))
    _hub_ids(found, front, unparsed)
    return found


def _tag_values(front: FrontMatter, prefix: str) -> list[str]:
    return [t.split(":", 1)[1] for t in front.tags if t.startswith(f"{prefix}:")]


def _dataset(split: str, heading: str, text: str, unparsed: list[str]) -> DatasetFacts:
    dataset = DatasetFacts(split, name=None if heading in ("", "Unnamed Dataset") else heading)
    if line := re.search(r"^\* Dataset: (.*)$", text, flags=re.M):
        stated = line.group(1)
        if link := re.search(r"\[([^\]]+)\]\(https?://[^)]*/datasets/([^)/\s]+/[^)/\s]+|[^)/\s]+)\)", stated):
            dataset.name, dataset.hub_id = link.group(1).strip(), link.group(2)
        elif stated.strip():
            dataset.name = stated.strip()
        if revision := re.search(r"/tree/([0-9a-f]{7,40})\)", stated):
            dataset.revision = revision.group(1)
    dataset.size = integer(r"Size: ([\d,]+) (?:training|evaluation) samples", text)
    if columns := re.search(r"\* Columns:(.*?)(?:^\* |\n\n|\Z)", text, flags=re.S | re.M):
        names = re.findall(r"<code>([^<]+)</code>", columns.group(1))
        dataset.columns = names or [c for c in re.split(r"[\s,]+|\band\b", columns.group(1)) if c]
    if loss := re.search(rf"^\* Loss: {_CLASS}(.*)", text, flags=re.M | re.S):
        dataset.loss = loss.group(1)
        rest = loss.group(2)
        if "with these parameters" in rest.split("\n```", 1)[0] and (code := code_blocks(rest)):
            params = mapping(code[0])
            if params is None:
                unparsed.append(f"data set {dataset.name or heading!r}: loss parameters not read: {code[0][:60]!r}")
            dataset.loss_params = params or {}
    elif "Loss:" in text:
        unparsed.append(f"data set {dataset.name or heading!r}: loss line not read")
    return dataset


def _hub_ids(datasets: list[DatasetFacts], front: FrontMatter, unparsed: list[str]) -> None:
    """Give the front matter's hub data set ids to the training sets that name none, when they pair up."""
    named = {d.hub_id for d in datasets if d.hub_id}
    missing = [i for i in front.datasets if i not in named]
    unnamed = [d for d in datasets if d.split == TRAIN and not d.hub_id]
    if missing and len(missing) == len(unnamed):
        for dataset, hub_id in zip(unnamed, missing, strict=True):
            dataset.hub_id = hub_id
    elif missing:
        unparsed.append(f"front matter datasets {', '.join(missing)}: not matched to a data set block")


def _evaluators(evaluation: str, front: FrontMatter, unparsed: list[str]) -> list[EvaluatorFacts]:
    """The Evaluation blocks (type, parameters, table), with the front matter's full-precision values where
    the model-index holds the same evaluator; the model-index alone when the card has no blocks."""
    found: list[EvaluatorFacts] = []
    for task, text in blocks(evaluation, 4):
        found += _evaluation_block(task, text, unparsed)
    if not found:
        return [_named(e) for e in front.results]
    pending = list(front.results)
    for evaluator in found:
        match = next((r for r in pending if _same_evaluator(r, evaluator) and set(r.metrics) >= set(evaluator.metrics)),
                     None)  # fmt: skip
        if match:
            pending.remove(match)
            evaluator.metrics = {k: match.metrics[k] for k in evaluator.metrics}
            evaluator.params = {**match.params, **evaluator.params}
    return found


def _same_evaluator(result: EvaluatorFacts, block: EvaluatorFacts) -> bool:
    """A model-index result and an Evaluation block of one evaluator: the same name, or both unnamed (the
    model-index says `unknown`, the block is keyed by its type) under one task."""
    if result.name == block.name:
        return True
    unnamed = block.name in (block.type, block.task)
    return unnamed and result.name.lower() == "unknown" and result.task == block.task


def _named(evaluator: EvaluatorFacts) -> EvaluatorFacts:
    """An unnamed model-index result (`unknown`) keyed by its task instead."""
    if evaluator.name.lower() == "unknown" and evaluator.task:
        evaluator.name = evaluator.task
    return evaluator


def _evaluation_block(task: str, text: str, unparsed: list[str]) -> list[EvaluatorFacts]:
    """One `#### <task>` block: one evaluator per data set it names (one table column each)."""
    names = re.findall(r"`([^`]+)`", (re.search(r"^\* Datasets?: (.*)$", text, flags=re.M) or [""])[0])
    kind = re.search(rf"Evaluated with {_CLASS}|Evaluated with <code>([\w.]+)</code>", text)
    kind_name = (kind.group(1) or kind.group(2).split(".")[-1]) if kind else None
    params = {}
    if "with these parameters" in text and (code := code_blocks(text)):
        params = mapping(code[0]) or {}
    rows = table(text)
    if len(rows) < 2:
        unparsed.append(f"evaluation '{task}': no metrics table")
        return []
    header = rows[0][1:]
    columns = names if header == ["Value"] else [h.strip("*") for h in header]
    if not columns:
        columns = [kind_name or task]  # an unnamed evaluator: keyed by its type
    found = [EvaluatorFacts(name=name, type=kind_name, task=task, params=dict(params)) for name in columns]
    for row in rows[1:]:
        metric = row[0].strip("*")
        for evaluator, cell in zip(found, row[1:], strict=False):
            if (parsed := number(cell)) is not None:
                evaluator.metrics[metric] = parsed
            elif cell.strip() not in ("", "-"):
                unparsed.append(f"evaluation '{task}', {metric}: value {cell!r} not read")
    return [e for e in found if e.metrics]


def training_runs(text: str, unparsed: list[str]) -> list[list[dict[str, float | None]]]:
    """The Training Logs table as runs: a new run starts where the step does not grow (a second `fit()`);
    rows of step -1 (an evaluation outside training) stay in the run they are in."""
    rows = table(text)
    if len(tables(text)) > 1:
        unparsed.append("training logs: more than one table; read the first")
    if len(rows) < 2:
        return []
    header = rows[0]
    runs: list[list[dict[str, float | None]]] = []
    last = None
    for row in rows[1:]:
        entry = {name: number(cell) for name, cell in zip(header, row, strict=False)}
        step = entry.get("Step")
        if step is not None and step >= 0:
            if not runs or (last is not None and step <= last):
                runs.append([])
            last = step
        elif not runs:
            runs.append([])
        runs[-1].append(entry)
    return runs
