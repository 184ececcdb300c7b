"""What a variant's data set is called in its model card and in MLflow: its hub id when the data is a hub
data set, else `data.name` (never "Unnamed Dataset"). Local data is named here, so no card asks the hub."""

from __future__ import annotations

from simpipe.core.hub import is_hub_id


def hub_dataset(data_cfg) -> str | None:
    """The hub id of the data set (`data.hub_id` of the form org/name), or None for local data."""
    hub_id = data_cfg.get("hub_id")
    return hub_id if hub_id and is_hub_id(hub_id) else None


def dataset_name(data_cfg) -> str:
    return hub_dataset(data_cfg) or data_cfg.name


def card_dataset(data_cfg) -> dict[str, str]:
    """The card's metadata of the data set: {name, id} on the hub, {name} for local data."""
    hub = hub_dataset(data_cfg)
    return {"name": dataset_name(data_cfg), **({"id": hub} if hub else {})}
