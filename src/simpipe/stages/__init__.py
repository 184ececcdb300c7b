"""One module per DVC stage; each exposes `run(cfg)` taking a single-variant config."""
