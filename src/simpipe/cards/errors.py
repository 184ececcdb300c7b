"""The error of reading a model card."""

from __future__ import annotations

from simpipe.core.errors import SimpipeError


class CardError(SimpipeError):
    """The file is not a model card simpipe can read or reproduce; the message says which and what to do."""
