"""CO2 of training, measured with codecarbon's offline tracker, and its MLflow metrics.

A codecarbon fault never costs a result: the block still runs and the record says what failed.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# MLflow metric of a training run's emissions in grams (run tables read it)
CO2_GRAMS = "co2/emissions_g"


def emission_metrics(emissions: dict[str, Any]) -> dict[str, float]:
    """MLflow metrics of a codecarbon record (grams, kWh, seconds); {} without one."""
    if "emissions" not in emissions:
        return {}
    return {
        CO2_GRAMS: emissions["emissions"] * 1000,
        "co2/energy_kwh": emissions["energy_consumed"],
        "co2/duration_s": emissions["duration"],
    }


@contextlib.contextmanager
def emissions(cfg, output_dir: Path) -> Iterator[dict[str, Any]]:
    """Measure CO2 of the block with codecarbon's offline tracker; the yielded dict is filled on exit.

    Empty when disabled; {"error": ...} when codecarbon failed (the block still runs).
    """
    record: dict[str, Any] = {}
    cc = cfg.tracking.codecarbon
    tracker = None
    if cc.enabled:
        try:
            from codecarbon import OfflineEmissionsTracker

            tracker = OfflineEmissionsTracker(
                country_iso_code=cc.country_iso_code,
                output_dir=str(output_dir),
                save_to_file=False,
                log_level="error",
            )
            tracker.start()
        except Exception as exc:  # codecarbon is optional to the result: record the fallback
            log.warning("codecarbon failed to start (%s: %s); emissions not measured", type(exc).__name__, exc)
            record["error"] = f"{type(exc).__name__}: {exc}"
            tracker = None
    try:
        yield record
    finally:
        if tracker is not None:
            try:
                tracker.stop()
                record.update(asdict(tracker.final_emissions_data))
            except Exception as exc:
                log.warning("codecarbon failed to stop (%s: %s); emissions not measured", type(exc).__name__, exc)
                record["error"] = f"{type(exc).__name__}: {exc}"
