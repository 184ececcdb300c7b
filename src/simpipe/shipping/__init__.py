"""Shipping: a trained variant out of the pipeline. `mlflow_run` copies its local results into MLflow after
the fact (`simpipe track`), `registry` registers a run's logged model (`simpipe register`, the best job of a
sweep), `hub` publishes the model with its card to the Hugging Face hub (`simpipe publish`).

Imports `simpipe.core`, `artifacts`, `tracking` and `documents` (the card's file name). Not a DVC stage.
"""
