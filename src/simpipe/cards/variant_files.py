"""The files `simpipe variant --from-card` writes: conf/variant/<name>.yaml (what the card's facts make, with
what cannot be reproduced listed on top), the two lines that add the variant to conf/config.yaml and its
model's entry in dvc.yaml's artifacts."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

import yaml

from simpipe.cards.variant import Mapped


def variant_text(mapped: Mapped, source: str) -> str:
    """conf/variant/<name>.yaml: a header naming how it was made (`--from-card CARD`, `--new NAME ...`), the
    lines of what is missing or comes from the data config, then the config (only what differs from the
    group defaults)."""
    lines = [
        "# @package _global_",
        f"# Written by `simpipe variant {source}`:",
        "# only what differs from the group defaults. Edit it like any variant.",
    ]
    if mapped.missing:
        lines += ["#", "# Not reproducible or not set yet (set the key named):"]
        lines += [_item(line) for line in mapped.missing]
    if mapped.from_data:
        lines += ["#", "# From the data config (no card states it):"] + [_item(line) for line in mapped.from_data]
    return "\n".join(lines) + "\n" + yaml.safe_dump(mapped.config, sort_keys=False, allow_unicode=True, width=120)


def _item(line: str) -> str:
    """One listed line as a comment item, wrapped at 110 characters."""
    return "\n".join(textwrap.wrap(line, 110, initial_indent="#   - ", subsequent_indent="#     "))


def with_variant(config_text: str, name: str, sets: Sequence[str] = ()) -> str:
    """conf/config.yaml's text with variant `name` (and its optional profile) in the defaults list, after the
    last variant entries, and its other data sets `sets` in the `sets` index (dvc.yaml's per-set stages);
    what is there already stays as it is."""
    entries = (f"  - variant@variants.{name}: {name}", f"  - optional profile@variants.{name}: null")
    lines = config_text.split("\n")
    if entries[0] not in lines:
        for entry, pattern in zip(
            entries, (r"  - variant@variants\.", r"  - optional profile@variants\."), strict=True
        ):
            last = max(i for i, line in enumerate(lines) if re.match(pattern, line))
            lines.insert(last + 1, entry)
    for key in sets:
        if f"  {name}.{key}:" in lines:
            continue
        block = [f"  {name}.{key}:", f"    variant: {name}", f"    set: {key}",
                 f"    raw_subdir: ${{variants.{name}.train.datasets.{key}.data.raw_subdir}}"]  # fmt: skip
        at = next(i for i, line in enumerate(lines) if line.startswith("sets:"))
        lines[at] = "sets:"
        end = next((i for i in range(at + 1, len(lines)) if not lines[i].startswith("  ")), len(lines))
        lines[end:end] = block
    return "\n".join(lines)


def with_artifact(dvc_text: str, name: str, desc: str) -> str:
    """dvc.yaml's text with the model of variant `name` among its artifacts (the last section); unchanged
    when it is there already."""
    if yaml.safe_load(dvc_text).get("artifacts", {}).get(name):
        return dvc_text
    entry = {name: {"path": f"models/{name}", "type": "model", "desc": desc, "labels": ["sentence-transformers"]}}
    if "\nartifacts:" not in dvc_text:
        dvc_text = dvc_text.rstrip("\n") + "\n\nartifacts:\n"
    block = textwrap.indent(yaml.safe_dump(entry, sort_keys=False, width=120, default_flow_style=None), "  ")
    return dvc_text.rstrip("\n") + "\n" + block
