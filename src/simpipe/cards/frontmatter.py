"""A card's YAML front matter: read as YAML, or line by line when its YAML is broken (indentation lost in
copying, as in the GloVe seed card). Yields the base model, tags, hub data set ids, CO2 and the model-index
results (sentence-transformers' own and MTEB's `- dataset:` list items alike)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from simpipe.cards.facts import EvaluatorFacts
from simpipe.cards.markdown import number, value

CO2_KEYS = (
    "emissions", "energy_consumed", "source", "training_type", "on_cloud",
    "cpu_model", "ram_total_size", "hours_used", "hardware_used",
)  # fmt: skip


@dataclass
class FrontMatter:
    """What the front matter states."""

    data: dict[str, Any] = field(default_factory=dict)  # the parsed YAML ({} when broken)
    broken: bool = False
    base_model: str | None = None
    tags: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    language: list[str] = field(default_factory=list)
    library: str | None = None
    pipeline_tag: str | None = None
    co2: dict[str, Any] = field(default_factory=dict)
    results: list[EvaluatorFacts] = field(default_factory=list)


def parse_front_matter(lines: list[str]) -> FrontMatter:
    """The front matter of `lines` (its text between the `---` lines)."""
    if not lines:
        return FrontMatter()
    try:
        data = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError:
        data = None
    if not isinstance(data, dict):
        return _from_lines(lines)
    base = data.get("base_model")
    return FrontMatter(
        data=data,
        base_model=base[0] if isinstance(base, list) and base else base if isinstance(base, str) else None,
        tags=[str(t) for t in data.get("tags") or []],
        datasets=[str(d) for d in _as_list(data.get("datasets"))],
        language=[str(x) for x in _as_list(data.get("language"))],
        library=data.get("library_name"),
        pipeline_tag=data.get("pipeline_tag"),
        co2={k: v for k, v in (data.get("co2_eq_emissions") or {}).items() if k in CO2_KEYS}
        if isinstance(data.get("co2_eq_emissions"), dict)
        else {},
        results=_model_index(data.get("model-index")),
    )


def _as_list(node: Any) -> list:
    return node if isinstance(node, list) else [node] if node else []


def _model_index(node: Any) -> list[EvaluatorFacts]:
    """One EvaluatorFacts per result; a result whose metric types repeat holds two runs of one evaluator
    (before and after training, as sentence-transformers merges them): split where a type comes again."""
    found = []
    for model in _as_list(node):
        for result in _as_list(model.get("results") if isinstance(model, dict) else None):
            if not isinstance(result, dict):
                continue
            dataset = result.get("dataset") or {}
            task = result.get("task") or {}
            name = str(dataset.get("type") or dataset.get("name") or "unknown")
            params = {k: dataset[k] for k in ("name", "config", "split", "revision") if dataset.get(k) is not None}
            runs: list[dict[str, float]] = [{}]
            for metric in _as_list(result.get("metrics")):
                if not isinstance(metric, dict) or "type" not in metric:
                    continue
                number = _float(metric.get("value"))
                if number is None:
                    continue
                if metric["type"] in runs[-1]:
                    runs.append({})
                runs[-1][str(metric["type"])] = number
            found += [
                EvaluatorFacts(name=name, task=task.get("name") or task.get("type"), params=params, metrics=run)
                for run in runs
                if run
            ]
    return found


def _float(node: Any) -> float | None:
    """A YAML metric value as a float (`.nan` and "nan" stay NaN); None when it is no number."""
    if isinstance(node, bool):
        return None
    if isinstance(node, int | float):
        return float(node)
    return number(node) if isinstance(node, str) else None


def _from_lines(lines: list[str]) -> FrontMatter:
    """Broken YAML: the scalars, tags, CO2 keys and model-index metrics, one line at a time."""
    stripped = [line.strip() for line in lines]
    front = FrontMatter(broken=True)
    for line in stripped:
        key, _, rest = line.partition(":")
        if key == "base_model" and rest.strip():
            front.base_model = rest.strip()
        elif key == "library_name":
            front.library = rest.strip() or None
        elif key == "pipeline_tag":
            front.pipeline_tag = rest.strip() or None
    front.tags = _list_after(stripped, "tags:")
    front.language = _list_after(stripped, "language:")
    if "co2_eq_emissions:" in stripped:
        for line in stripped[stripped.index("co2_eq_emissions:") + 1 :]:
            key, _, rest = line.partition(":")
            if key in CO2_KEYS and key not in front.co2:
                front.co2[key] = value(rest)
            elif key == "model-index" or (line.endswith(":") and key not in CO2_KEYS and front.co2):
                break
    front.results = _index_lines(stripped)
    return front


def _list_after(stripped: list[str], key: str) -> list[str]:
    """The `- item` lines right after the line `key`."""
    if key not in stripped:
        return []
    items = []
    for line in stripped[stripped.index(key) + 1 :]:
        if not line.startswith("- ") or ":" in line:
            break
        items.append(line[2:].strip())
    return items


def _index_lines(stripped: list[str]) -> list[EvaluatorFacts]:
    """model-index results from flattened lines: a `type:` after `dataset:` names the data set, a
    `- type:` then `value:` is one metric."""
    if "model-index:" not in stripped:
        return []
    found: list[EvaluatorFacts] = []
    in_dataset, pending = False, None
    for line in stripped[stripped.index("model-index:") + 1 :]:
        if line in ("dataset:", "- dataset:"):
            in_dataset = True
        elif in_dataset and line.startswith("type:"):
            found.append(EvaluatorFacts(name=line.split(":", 1)[1].strip()))
            in_dataset = False
        elif line.startswith("- type:"):
            pending = line.split(":", 1)[1].strip()
        elif pending and line.startswith("value:") and found:
            number = _float(line.split(":", 1)[1].strip())
            if number is not None:
                found[-1].metrics[pending] = number
            pending = None
    return [e for e in found if e.metrics]
