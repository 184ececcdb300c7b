"""The facts of a reference model card: parsed from a sentence-transformers card (Hugging Face
README), downloaded from the hub, or kept in the repository as YAML (`references/<variant>.yaml`,
written by `simpipe reference` from a card, so no card file is needed at run time).

Real cards vary: front matter with or without a model-index, YAML whose indentation was lost
in copying (the GloVe seed card), metrics only in Markdown tables, missing sections. Parsing
is therefore line-based and every field is optional; a text with none of a card's landmarks
is rejected with a clear error.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from simpipe.core.errors import SimpipeError
from simpipe.core.hub import is_hub_id

CO2_KEYS = (
    "emissions", "energy_consumed", "source", "training_type", "on_cloud",
    "cpu_model", "ram_total_size", "hours_used", "hardware_used",
)  # fmt: skip
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")


class CardError(SimpipeError):
    """The file is not a parseable model card."""


@dataclass
class CardFacts:
    """What a model card says about its model, data, training and results (every field optional)."""

    source: str
    title: str | None = None
    base_model: str | None = None
    # module class names, e.g. [WordEmbeddings, LSTM, Pooling]; the printed architecture when known
    modules: list[str] = field(default_factory=list)
    architecture: str | None = None
    output_dim: int | None = None
    max_seq_length: int | None = None
    train_size: int | None = None
    eval_size: int | None = None
    columns: list[str] = field(default_factory=list)
    loss: str | None = None
    non_default_hyperparameters: dict[str, str] = field(default_factory=dict)
    all_hyperparameters: dict[str, str] = field(default_factory=dict)
    # dataset type (e.g. sts-dev) -> metric (e.g. spearman_cosine) -> value
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    training_logs: list[dict[str, float | None]] = field(default_factory=list)
    co2: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)


def _value(text: str) -> Any:
    text = text.strip().strip("*").strip()
    if _NUMBER.match(text):
        return float(text) if any(c in text for c in ".eE") else int(text)
    return {"true": True, "false": False}.get(text.lower(), text)


def split_front_matter(text: str) -> tuple[list[str], str]:
    """(front matter lines, body); no front matter -> ([], text)."""
    lines = text.splitlines()
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                return lines[1:i], "\n".join(lines[i + 1 :])
    return [], text


def front_matter_metrics(lines: list[str]) -> dict[str, dict[str, float]]:
    """model-index metrics by dataset type, from indented or flattened YAML alike."""
    metrics: dict[str, dict[str, float]] = {}
    stripped = [line.strip() for line in lines]
    try:
        start = stripped.index("model-index:")
    except ValueError:
        return metrics
    dataset = None
    in_dataset = False
    pending: str | None = None
    for line in stripped[start + 1 :]:
        if line == "dataset:":
            in_dataset = True
            continue
        if in_dataset and line.startswith("type:"):
            dataset = line.split(":", 1)[1].strip()
            in_dataset = False
            metrics.setdefault(dataset, {})
            continue
        if line.startswith("- type:"):
            pending = line.split(":", 1)[1].strip()
            continue
        if pending and line.startswith("value:") and dataset:
            value = _value(line.split(":", 1)[1])
            if isinstance(value, int | float):
                metrics[dataset][pending] = float(value)
            pending = None
    return {k: v for k, v in metrics.items() if v}


def front_matter_scalar(lines: list[str], key: str) -> str | None:
    for line in lines:
        if line.startswith(f"{key}:"):
            return line.split(":", 1)[1].strip() or None
    return None


def front_matter_co2(lines: list[str]) -> dict[str, Any]:
    stripped = [line.strip() for line in lines]
    if "co2_eq_emissions:" not in stripped:
        return {}
    co2: dict[str, Any] = {}
    for line in stripped[stripped.index("co2_eq_emissions:") + 1 :]:
        key, _, value = line.partition(":")
        if key in CO2_KEYS and key not in co2:
            co2[key] = _value(value)
        elif key == "model-index" or (line.endswith(":") and key not in CO2_KEYS and co2):
            break
    return co2


def section(body: str, heading: str) -> str | None:
    """Text under a Markdown heading (any level) up to the next heading of the same or a higher level."""
    match = re.search(rf"^(#+) {re.escape(heading)}\s*$", body, flags=re.M)
    if not match:
        return None
    level = len(match.group(1))
    rest = body[match.end() :]
    end = re.search(rf"^#{{1,{level}}} ", rest, flags=re.M)
    return rest[: end.start()] if end else rest


def table(text: str) -> list[list[str]]:
    """Rows of the first Markdown table in `text` (header first, separator dropped)."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("|") and line.endswith("|"):
            cells = [c.strip() for c in line[1:-1].split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                rows.append(cells)
        elif rows:
            break
    return rows


def table_metrics(body: str) -> dict[str, dict[str, float]]:
    """Metrics from the Evaluation tables (`| Metric | Value |` or one column per dataset)."""
    metrics: dict[str, dict[str, float]] = {}
    evaluation = section(body, "Evaluation") or ""
    for block in re.split(r"^#### ", evaluation, flags=re.M)[1:]:
        datasets = re.findall(r"`([^`]+)`", (re.search(r"\* Datasets?: (.*)", block) or [""])[0])
        rows = table(block)
        if len(rows) < 2:
            continue
        header = rows[0][1:]
        names = datasets if header == ["Value"] else header
        for row in rows[1:]:
            metric = row[0].strip("*")
            for name, cell in zip(names, row[1:], strict=False):
                value = _value(cell)
                if isinstance(value, int | float):
                    metrics.setdefault(name, {})[metric] = float(value)
    return metrics


def bullet_pairs(text: str | None) -> dict[str, str]:
    """`- `key`: value` and `- Key: value` lines."""
    pairs = {}
    for match in re.finditer(r"^\s*- `?([^`:\n]+)`?: ?(.*)$", text or "", flags=re.M):
        pairs[match.group(1).strip()] = match.group(2).strip()
    return pairs


def training_logs(body: str) -> list[dict[str, float | None]]:
    rows = table(section(body, "Training Logs") or "")
    if len(rows) < 2:
        return []
    header = rows[0]
    logs = []
    for row in rows[1:]:
        entry: dict[str, float | None] = {}
        for name, cell in zip(header, row, strict=False):
            value = _value(cell)
            entry[name] = float(value) if isinstance(value, int | float) else None
        logs.append(entry)
    return logs


def _int(pattern: str, text: str) -> int | None:
    match = re.search(pattern, text)
    return int(match.group(1).replace(",", "")) if match else None


def parse_card(text: str, source: str = "<card>") -> CardFacts:
    """Parse a model card's text; raise CardError when it has none of a card's landmarks."""
    front, body = split_front_matter(text)
    if not front and "## Training Details" not in body and "## Evaluation" not in body:
        raise CardError(
            f"{source}: not a sentence-transformers model card (no front matter, no Evaluation or "
            "Training Details section); point to the README.md of a sentence-transformers model"
        )
    card = CardFacts(source=source)
    title = re.search(r"^# (.+)$", body, flags=re.M)
    card.title = title.group(1).strip() if title else None
    card.base_model = front_matter_scalar(front, "base_model")
    architecture = section(body, "Full Model Architecture")
    if architecture and (code := re.search(r"```\w*\n(.*?)```", architecture, flags=re.S)):
        card.architecture = code.group(1).strip()
        card.modules = re.findall(r"^\s*\(\d+\): (\w+)", card.architecture, flags=re.M)
    card.output_dim = _int(r"Output Dimensionality:\*\* ([\d,]+)", body)
    card.max_seq_length = _int(r"Maximum Sequence Length:\*\* ([\d,]+)", body)
    train = section(body, "Training Dataset") or ""
    card.train_size = _int(r"Size: ([\d,]+) training samples", train) or _int(r"dataset_size:(\d+)", text)
    card.eval_size = _int(r"Size: ([\d,]+) evaluation samples", section(body, "Evaluation Dataset") or "")
    if columns := re.search(r"Columns:(.*?)(?:\* |\n\n)", train, flags=re.S):
        names = re.findall(r"<code>([^<]+)</code>", columns.group(1))
        card.columns = names or [c for c in re.split(r"[\s,]+|\band\b", columns.group(1)) if c]
    if loss := re.search(r"Loss: \[(?:<code>)?(\w+)", train):
        card.loss = loss.group(1)
    card.non_default_hyperparameters = bullet_pairs(section(body, "Non-Default Hyperparameters"))
    card.all_hyperparameters = bullet_pairs(section(body, "All Hyperparameters"))
    card.metrics = front_matter_metrics(front) or table_metrics(body)
    card.training_logs = training_logs(body)
    card.co2 = front_matter_co2(front)
    card.versions = bullet_pairs(section(body, "Framework Versions"))
    return card


def load_card(path: Path) -> CardFacts:
    """Facts of a model card file (README.md, .txt) or of a facts file written by `simpipe reference` (.yaml)."""
    path = Path(path)
    if not path.is_file():
        raise CardError(f"{path}: reference not found; set report.reference to a model card, a facts file or a hub id")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CardError(f"{path}: not UTF-8 text ({exc.reason}); point to a model card's README.md") from exc
    if path.suffix in (".yaml", ".yml"):
        return facts_from_yaml(text, path)
    return parse_card(text, source=str(path))


def facts_from_yaml(text: str, path: Path) -> CardFacts:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CardError(
            f"{path}: not valid YAML ({str(exc).splitlines()[0]}); rewrite it with `simpipe reference`"
        ) from exc
    known = {f.name for f in fields(CardFacts)}
    if not isinstance(data, dict) or "source" not in data or set(data) - known:
        extra = sorted(set(data) - known) if isinstance(data, dict) else []
        raise CardError(
            f"{path}: not a facts file of `simpipe reference`"
            + (f" (unknown keys: {', '.join(extra)})" if extra else " (no source)")
            + "; rewrite it with `simpipe reference CARD --output "
            + path.name
            + "`"
        )
    data["source"] = _source_text(data["source"])
    return CardFacts(**data)


def _source_text(source: Any) -> str:
    """A facts file's `source` ({card, hub_id}) as one line, e.g. `003_45aad721b0a4e677.txt`."""
    if not isinstance(source, dict):
        return str(source)
    card, hub = source.get("card"), source.get("hub_id")
    return " / ".join(str(x) for x in (hub, card) if x) or "unknown"


def facts_yaml(card: CardFacts, card_name: str, hub_id: str | None) -> str:
    """The facts of a parsed card as YAML for references/: figures and names only, none of its prose."""
    data = asdict(card)
    data.pop("architecture")  # the card's printed text; `modules` keeps the facts
    data["title"] = None
    data["source"] = {"card": card_name, "hub_id": hub_id}
    header = (
        f"# Facts of the reference model card {card_name}" + (f" (hub: {hub_id})" if hub_id else "") + ",\n"
        "# written by `simpipe reference`: its metrics, hyperparameters, data sizes, architecture,\n"
        "# CO2 and training-log curve, which the report compares with. Regenerate, don't edit.\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)


def reference_facts(reference: str | None) -> CardFacts | None:
    """The facts of `report.reference`: a facts file or model card on disk, else a hub model id
    (its README.md, downloaded); None when no reference is set."""
    if not reference:
        return None
    path = Path(reference)
    if path.is_file():
        return load_card(path)
    if is_hub_id(reference) and not path.suffix:
        try:
            from huggingface_hub import hf_hub_download

            downloaded = Path(hf_hub_download(reference, "README.md"))
        except Exception as exc:  # offline or unknown id: one clear error
            raise CardError(
                f"report.reference={reference!r}: no such file, and its README.md could not be downloaded from "
                f"the hub ({type(exc).__name__}); write its facts with `simpipe reference` or point to a card file"
            ) from exc
        facts = load_card(downloaded)
        facts.source = reference
        return facts
    raise CardError(
        f"report.reference={reference!r}: reference not found; set it to a facts file (references/<variant>.yaml), "
        "a model card (README.md), a hub model id (org/name), or null for none"
    )
