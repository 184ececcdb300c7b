"""Parse a sentence-transformers model card (Hugging Face README) into comparable facts.

Real cards vary: front matter with or without a model-index, YAML whose indentation was lost
in copying (the GloVe seed card), metrics only in Markdown tables, missing sections. Parsing
is therefore line-based and every field is optional; a text with none of a card's landmarks
is rejected with a clear error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simpipe.errors import SimpipeError

CO2_KEYS = (
    "emissions", "energy_consumed", "source", "training_type", "on_cloud",
    "cpu_model", "ram_total_size", "hours_used", "hardware_used",
)  # fmt: skip
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")


class CardError(SimpipeError):
    """The file is not a parseable model card."""


@dataclass
class ReferenceCard:
    """What a model card says about its model, data, training and results."""

    source: str
    title: str | None = None
    base_model: str | None = None
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


def parse_card(text: str, source: str = "<card>") -> ReferenceCard:
    """Parse a model card's text; raise CardError when it has none of a card's landmarks."""
    front, body = split_front_matter(text)
    if not front and "## Training Details" not in body and "## Evaluation" not in body:
        raise CardError(
            f"{source}: not a sentence-transformers model card (no front matter, no Evaluation or "
            "Training Details section); point to the README.md of a sentence-transformers model"
        )
    card = ReferenceCard(source=source)
    title = re.search(r"^# (.+)$", body, flags=re.M)
    card.title = title.group(1).strip() if title else None
    card.base_model = front_matter_scalar(front, "base_model")
    architecture = section(body, "Full Model Architecture")
    if architecture and (code := re.search(r"```\w*\n(.*?)```", architecture, flags=re.S)):
        card.architecture = code.group(1).strip()
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


def load_card(path: Path) -> ReferenceCard:
    path = Path(path)
    if not path.is_file():
        raise CardError(f"{path}: reference card not found; set card.reference to a model card (README.md) path")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CardError(f"{path}: not UTF-8 text ({exc.reason}); point to a model card's README.md") from exc
    return parse_card(text, source=str(path))


def reference_card(report_cfg) -> ReferenceCard:
    """The reference card from `report.reference` (a file), else `report.reference_hub` (a hub model id)."""
    path = Path(report_cfg.reference) if report_cfg.reference else None
    if path is not None and path.is_file():
        return load_card(path)
    if report_cfg.get("reference_hub"):
        try:
            from huggingface_hub import hf_hub_download

            return load_card(Path(hf_hub_download(report_cfg.reference_hub, "README.md")))
        except CardError:
            raise
        except Exception as exc:  # offline or unknown id: one clear error below
            hub = f" nor from the hub ({report_cfg.reference_hub}: {type(exc).__name__})"
    else:
        hub = ""
    raise CardError(
        f"report.reference={report_cfg.reference!r}: reference card not found{hub}; "
        "set it to a model card (README.md) path or report.reference_hub to a hub model id"
    )
