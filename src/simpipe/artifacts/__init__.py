"""Artifacts: the files stages hand each other, and the names of everything in them.

`trained`: the train stage's record in `trained/<variant>/` (the model's directory, run.json, log history,
training arguments, emissions). `metrics`: metrics.json and the curves in `metrics/<variant>/`, every metric
name and prefix, the headline metric, the base model's namespace. `documents`: the file names of the
comparison, the card and the report (kept apart, so the train stage's code holds nothing about them).
Directories come from `simpipe.core.paths.Layout`; the file names inside them come from here (the prepared
data's from `simpipe.data.prepared`). Imports only `simpipe.core`.
"""
