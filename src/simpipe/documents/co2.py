"""A codecarbon record (`trained/<variant>/emissions.json`) as a card's `co2_eq_emissions` block."""

from __future__ import annotations

from typing import Any


def co2_eq_emissions(emissions: dict[str, Any]) -> dict[str, Any]:
    """The card's `co2_eq_emissions` block (as in the seed card) from a codecarbon record; {} without one."""
    if "emissions" not in emissions:
        return {}
    block: dict[str, Any] = {
        "emissions": float(emissions["emissions"]) * 1000,  # kg -> g
        "energy_consumed": float(emissions["energy_consumed"]),
        "source": "codecarbon",
        "training_type": "fine-tuning",
        "on_cloud": emissions.get("on_cloud") == "Y",
        "cpu_model": emissions.get("cpu_model"),
        "ram_total_size": emissions.get("ram_total_size"),
        "hours_used": round(float(emissions["duration"]) / 3600, 3),
    }
    if emissions.get("gpu_model"):
        block["hardware_used"] = emissions["gpu_model"]
    return block
