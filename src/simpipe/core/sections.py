"""Typed config sections: one dataclass per config group, with each key's type, default, one-line help and
value checks in one place (as transformers' `run_glue.py` declares its arguments).

A section subclasses `Section`, declares its keys with `option(default, help)` and adds the checks that
involve values in `check(key)`. `build(cls, node, key)` turns a composed config node into the section:
an unknown key, a value of the wrong type or outside its range is a `ConfigError` of one line that names
the key, the value and what is allowed. Missing keys take the section's default.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any, ClassVar, Literal, TypeVar

from omegaconf import DictConfig, ListConfig, OmegaConf

from simpipe.core.errors import ConfigError

S = TypeVar("S", bound="Section")
# OmegaConf's mark of a value the user must set (`key: ???` in a conf/ file). A text that starts with it
# marks one too, with a reason: over a group's default, where OmegaConf would keep the default under a plain
# `???`, e.g. `batch_size: ??? (not stated by the card)` in a variant `simpipe variant --from-card` wrote
UNSET = "???"


def is_unset(value: Any) -> bool:
    """Whether a config value marks a key the user must set (`???`, or a text starting with it)."""
    return isinstance(value, str) and value.startswith(UNSET)


def option(default: Any, help: str) -> Any:
    """A section key with its default and one line of help (lists and dicts are copied per instance)."""
    if isinstance(default, list | dict):
        return field(default_factory=lambda: type(default)(default), metadata={"help": help})
    return field(default=default, metadata={"help": help})


def required(help: str) -> Any:
    """A section key without a default: a config that lacks it is refused."""
    return field(metadata={"help": help})


def invalid(key: str, value: Any, allowed: str) -> ConfigError:
    """The one-line error of a bad value: `train.warmup_ratio=1.5: must be in [0, 1) (...)`."""
    return ConfigError(f"{key}={value!r}: {allowed}")


@dataclass
class Section:
    """Base of every config section."""

    def check(self, key: str) -> None:
        """Checks that involve the values (ranges, keys that depend on each other); `key`: the section's path."""

    # keys of `derived()`: a checked config carries them; building from it again recomputes them
    DERIVED: ClassVar[tuple[str, ...]] = ()

    def derived(self) -> dict[str, Any]:
        """Values computed from the keys that stages read beside them (not keys a config sets)."""
        return {}

    @classmethod
    def help(cls) -> dict[str, str]:
        """Key -> its one line of help."""
        return {f.name: f.metadata.get("help", "") for f in fields(cls)}

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Key -> default (nested sections as dicts)."""
        out = {}
        for f in fields(cls):
            if f.default is not MISSING:
                out[f.name] = f.default
            elif f.default_factory is not MISSING:
                value = f.default_factory()
                out[f.name] = asdict(value) if isinstance(value, Section) else value
        return out


def plain(node: Any) -> Any:
    """A config node as plain Python values (resolved)."""
    if isinstance(node, DictConfig | ListConfig):
        return OmegaConf.to_container(node, resolve=True)
    return node


def build(cls: type[S], node: Any, key: str) -> S:
    """The section `cls` of config `node` (a mapping) at dotted path `key`, type- and value-checked."""
    data = plain(node)
    if not isinstance(data, Mapping):
        raise invalid(key, data, f"expected a mapping of {', '.join(f.name for f in fields(cls))}")
    data = {name: value for name, value in data.items() if name not in cls.DERIVED}
    hints = typing.get_type_hints(cls)
    known = [f.name for f in fields(cls)]
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(f"{key}.{unknown[0]}: unknown key; {key} takes {', '.join(known)} (a typo? or remove it)")
    # `???` (to be set: a conf/ file's placeholder, a key a card did not state) is never a default's
    unset = [name for name, value in data.items() if is_unset(value)]
    missing = [f for f in fields(cls) if f.name in unset or (f.name not in data and f.default is MISSING
                                                             and f.default_factory is MISSING)]  # fmt: skip
    if missing:
        raise ConfigError(f"{key}.{missing[0].name}: missing; set it ({missing[0].metadata.get('help', '')})")
    values = {name: convert(data[name], hints[name], f"{key}.{name}") for name in known if name in data}
    section = cls(**values)
    section.check(key)
    return section


def _type_name(hint: Any) -> str:
    names = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}
    if hint in names:
        return names[hint]
    origin = typing.get_origin(hint)
    if origin is list:
        return "a list"
    if origin is dict:
        return "a mapping"
    return getattr(hint, "__name__", str(hint))


def convert(value: Any, hint: Any, key: str) -> Any:
    """`value` checked against type `hint` (floats accept whole numbers); nested sections are built."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None:
            if type(None) in options:
                return None
            raise invalid(key, value, "must be set")
        inner = [option for option in options if option is not type(None)]
        for option_type in inner[:-1]:
            try:
                return convert(value, option_type, key)
            except ConfigError:
                continue  # the next type of the union may fit
        try:
            return convert(value, inner[-1], key)
        except ConfigError:
            if len(inner) == 1:
                raise
            raise invalid(key, value, f"expected {' or '.join(map(_type_name, inner))}") from None
    if origin is Literal:
        choices = typing.get_args(hint)
        if value not in choices:
            raise invalid(key, value, f"choose one of {', '.join(map(str, choices))}")
        return value
    if isinstance(hint, type) and issubclass(hint, Section):
        return build(hint, value, key)
    if hint is Any:
        return value
    if origin is list:
        (item,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise invalid(key, value, f"expected a list of {_type_name(item)}s")
        return [convert(v, item, f"{key}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, Mapping):
            raise invalid(key, value, "expected a mapping")
        return dict(value)
    ok = {
        bool: isinstance(value, bool),
        int: isinstance(value, int) and not isinstance(value, bool),
        float: isinstance(value, int | float) and not isinstance(value, bool),
        str: isinstance(value, str),
    }[hint]
    if not ok:
        raise invalid(key, value, f"expected {_type_name(hint)}")
    return value


def at_least(key: str, value: int | float | None, low: int | float, what: str) -> None:
    """`value` (None passes) is at least `low`; `what` says what the key means."""
    if value is not None and value < low:
        raise invalid(key, value, f"must be at least {low} ({what})")


def within(key: str, value: float, low: float, high: float, what: str, closed_high: bool = False) -> None:
    """`low <= value < high` (`<= high` with `closed_high`); `what` says what the key means."""
    if not (low <= value <= high if closed_high else low <= value < high):
        raise invalid(key, value, f"must be in [{low:g}, {high:g}{']' if closed_high else ')'} ({what})")
