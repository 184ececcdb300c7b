"""Where card facts come from and go: a card file (README.md, .txt), a hub model id (its README.md,
downloaded), or a facts file in the repository (`references/<name>.yaml`, written by `simpipe reference`
or `simpipe variant --from-card`, so no card is needed at run time)."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import yaml

from simpipe.cards.errors import CardError
from simpipe.cards.facts import CROSS_ENCODER, SENTENCE_TRANSFORMER, CardFacts, DatasetFacts, EvaluatorFacts
from simpipe.cards.parse import parse_card
from simpipe.core.hub import is_hub_id

log = logging.getLogger(__name__)
NESTED = {"datasets": DatasetFacts, "evaluators": EvaluatorFacts}


def load_card(path: Path) -> CardFacts:
    """Facts of a model card file (README.md, .txt) or of a facts file (.yaml). A card inside a saved
    model's directory also gets the prompts of its config_sentence_transformers.json."""
    path = Path(path)
    if not path.is_file():
        raise CardError(f"{path}: card not found; point to a model card, a facts file or a hub id")
    try:  # bytes decoded as they are: read_text's newline translation would make `\r\r\n` two line ends
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CardError(f"{path}: not UTF-8 text ({exc.reason}); point to a model card's README.md") from exc
    if path.suffix in (".yaml", ".yml"):
        return facts_from_yaml(text, path)
    card = parse_card(text, source=str(path))
    config = path.with_name("config_sentence_transformers.json")
    if config.is_file():
        card.prompts = {k: v for k, v in (json.loads(config.read_text()).get("prompts") or {}).items() if v}
    return card


def card_facts(reference: str, key: str = "card") -> CardFacts:
    """The facts of a card file, facts file or hub model id (whose README.md is downloaded)."""
    path = Path(reference)
    if path.is_file():
        return load_card(path)
    if is_hub_id(reference) and not path.suffix:
        try:
            from huggingface_hub import hf_hub_download

            downloaded = Path(hf_hub_download(reference, "README.md"))
        except Exception as exc:  # offline or unknown id: one clear error
            raise CardError(
                f"{key}={reference!r}: no such file, and its README.md could not be downloaded from the hub "
                f"({type(exc).__name__}); download the card and point to the file"
            ) from exc
        facts = load_card(downloaded)
        facts.source = reference
        return facts
    raise CardError(
        f"{key}={reference!r}: not found; give a model card (README.md), a facts file (references/<name>.yaml) "
        "or a hub model id (org/name)"
    )


def reference_facts(reference: str | None) -> CardFacts | None:
    """The facts of `report.reference` (None when no reference is set); a card of a model type simpipe
    cannot train is refused (its metrics would not compare)."""
    if not reference:
        return None
    facts = card_facts(reference, key="report.reference")
    require_trainable(facts)
    return facts


# the card model types simpipe trains
TRAINABLE = (SENTENCE_TRANSFORMER, CROSS_ENCODER)


def require_trainable(card: CardFacts) -> None:
    """Refuse a card of a model type simpipe cannot train (sparse encoders) in one line."""
    if card.model_type not in (None, *TRAINABLE):
        raise CardError(
            f"{card.source}: a {card.model_type} card; simpipe trains {' and '.join(TRAINABLE)} models "
            "(sparse encoders are not supported): choose a SentenceTransformer or CrossEncoder card"
        )


def facts_from_yaml(text: str, path: Path) -> CardFacts:
    """A facts file's CardFacts; a file of another shape is refused with the command that rewrites it."""
    fix = f"; rewrite it with `simpipe reference CARD --output {path}`"
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CardError(f"{path}: not valid YAML ({str(exc).splitlines()[0]}){fix}") from exc
    known = {f.name for f in fields(CardFacts)}
    if not isinstance(data, dict) or "source" not in data:
        raise CardError(f"{path}: not a facts file of `simpipe reference` (no source){fix}")
    if extra := sorted(set(data) - known):
        raise CardError(f"{path}: not a facts file of this simpipe (unknown keys: {', '.join(extra)}){fix}")
    data["source"] = _source_text(data["source"])
    for name, cls in NESTED.items():
        data[name] = [cls(**item) for item in data.get(name) or []]
    return CardFacts(**data)


def _source_text(source: Any) -> str:
    """A facts file's `source` ({card, hub_id}) as one line, e.g. `003_45aad721b0a4e677.txt`."""
    if not isinstance(source, dict):
        return str(source)
    card, hub = source.get("card"), source.get("hub_id")
    return " / ".join(str(x) for x in (hub, card) if x) or "unknown"


def facts_yaml(card: CardFacts, card_name: str | None, hub_id: str | None) -> str:
    """The facts of a parsed card as YAML for references/: figures and names only, none of its prose.
    `card_name`: the card file as the user named it; `hub_id`: the model's id on the hub."""
    data = asdict(card)
    data.pop("architecture")  # the card's printed text; `modules` keeps the facts
    data["title"] = None
    data["source"] = {"card": card_name, "hub_id": hub_id}
    header = (
        f"# Facts of the model card {card_name or hub_id}"
        + (f" (hub: {hub_id})" if card_name and hub_id else "")
        + ", written by\n"
        "# `simpipe reference`: model, data sets, losses, evaluators and metrics, hyperparameters, CO2 and\n"
        "# training-log runs, which the report compares with; `unparsed`: what it could not map. Regenerate.\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)
