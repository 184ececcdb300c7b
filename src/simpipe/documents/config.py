"""The `card` (conf/card/default.yaml) and `report` (conf/report/default.yaml) config sections."""

from __future__ import annotations

from dataclasses import dataclass

from simpipe.core.hub import is_hub_id
from simpipe.core.sections import Section, at_least, invalid, option


@dataclass
class CardConfig(Section):
    """The Hugging Face model card of the trained model (stage `card`); null: sentence-transformers' default."""

    language: str | list[str] | None = option(None, "language(s) of the card's front matter, e.g. en")
    license: str | None = option(None, "license of the card's front matter")
    model_name: str | None = option(None, "the card's title")
    model_id: str | None = option(None, "hub id shown in the card's usage snippet (null: a placeholder)")
    base_model: str | None = option(None, "base model named in the front matter (offline, the hub cannot confirm it)")

    def check(self, key: str) -> None:
        if self.model_id is not None and not is_hub_id(self.model_id):
            raise invalid(f"{key}.model_id", self.model_id, "expected a hub id ORG/NAME")


@dataclass
class ReportConfig(Section):
    """What the trained model is compared with (stages `comparison` and `report`)."""

    reference: str | None = option(
        None, "the card this variant reproduces: references/<v>.yaml, a model card file, a hub id, or null"
    )
    tolerance: float = option(0.02, "|reproduced - reference| within this counts as reproduced")

    def check(self, key: str) -> None:
        at_least(f"{key}.tolerance", self.tolerance, 0.0, "the largest difference that counts as reproduced")
