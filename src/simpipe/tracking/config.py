"""The `tracking` config section (conf/tracking/mlflow.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simpipe.core.sections import Section, at_least, option
from simpipe.tracking.tracker import check_no_password


@dataclass
class CodecarbonConfig(Section):
    enabled: bool = option(True, "measure the CO2 of training with codecarbon's offline tracker")
    country_iso_code: str = option("USA", "grid carbon intensity by country (offline: no location look-up)")


@dataclass
class TrackingConfig(Section):
    enabled: bool = option(True, "log runs to MLflow")
    uri: str | None = option(
        None, "MLflow tracking URI; null: $MLFLOW_TRACKING_URI, else sqlite:///<paths.root>/mlflow.db"
    )
    experiment: str = option("simpipe", "MLflow experiment of the runs")
    codecarbon: CodecarbonConfig = field(default_factory=CodecarbonConfig, metadata={"help": "CO2 measurement"})
    log_model: bool = option(True, "log the trained model to its run (MLflow's sentence-transformers flavor)")
    tags: dict[str, Any] = option({}, "extra tags on every run (sweeps add each job's overrides)")
    parent_run_id: str | None = option(None, "nest runs under this MLflow run (sweeps set it per job)")
    run_name: str | None = option(None, "name of the training run; null: the variant's name")
    http_max_retries: int = option(2, "HTTP stores: retries per request ($MLFLOW_HTTP_REQUEST_MAX_RETRIES wins)")
    http_timeout_s: int = option(30, "HTTP stores: timeout per request in seconds ($MLFLOW_HTTP_REQUEST_TIMEOUT wins)")

    def check(self, key: str) -> None:
        if self.uri:
            check_no_password(self.uri, f"{key}.uri")
        at_least(f"{key}.http_max_retries", self.http_max_retries, 0, "retries of an HTTP request")
        at_least(f"{key}.http_timeout_s", self.http_timeout_s, 1, "seconds before an HTTP request gives up")
