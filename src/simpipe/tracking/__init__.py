"""Tracking: the MLflow run of each trained model (`tracker`) and its CO2 (`emissions`, codecarbon).

A tracking fault never costs a result. Imports `simpipe.core` only. Infrastructure: never a DVC dependency
(a tracking change must not retrain); `config` holds the `tracking` section.
"""
