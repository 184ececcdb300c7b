"""One module per DVC stage; each exposes `run(cfg)` taking a single-variant config."""

# in pipeline order (dvc.yaml)
STAGES = ("prepare", "train", "evaluate", "card", "report")
