"""Hugging Face hub ids (`org/name`): of models (report.reference, `simpipe publish --repo-id`) and data sets."""

from __future__ import annotations

import re

HUB_ID = re.compile(r"^[\w.-]+/[\w.-]+$")


def is_hub_id(text: str) -> bool:
    """Whether `text` has the form of a hub id (`org/name`)."""
    return bool(HUB_ID.match(text))
