"""Evaluation: the evaluators of a prepared split and the metrics they give.

`similarity` (Spearman/Pearson per similarity, each distinct text encoded once), `search` (product-search
ranking metrics), `suite` (the evaluators of a variant's dev and test splits, keyed as metrics.json keys
them), `config` (the `eval` section). Imports `simpipe.core` and `simpipe.artifacts`.
"""
