"""simpipe: reproducible fine-tuning pipelines for sentence-transformers models.

The packages, bottom to top; each imports only the ones below it (tests/test_architecture.py):

    core        config composition and the typed-section machinery, paths, atomic io, errors, versions
    artifacts   the files stages hand each other: the trained-run record, metrics and their names, curves
    tracking    MLflow runs and codecarbon emissions (never costs a result; never a DVC dependency)
    data        raw readers (one module per source), splits, the prepared format, `simpipe fetch`
    modeling    building a model from its `model` config; device and precision
    evaluation  evaluators over prepared splits (similarity, search) and the metrics they give
    training    trainer arguments, losses, callbacks, the training loop, checkpoints
    cards       any model card read into facts (`simpipe reference`) and turned into a variant
                (`simpipe variant --from-card`)
    documents   the comparison with a reference card, the model card, the report, run tables
    shipping    results to MLflow after the fact, the model registry, the Hugging Face hub

`stages/` (one module per DVC stage), `cli.py`, `sweep.py` and `schema.py` (every config section, checked
when a variant is selected) sit on top. A new data set goes in `data/` and `conf/data/`, a new loss in
`training/losses.py`, a new card wording in `documents/`, a card layout simpipe should read in `cards/`.
"""

__version__ = "0.1.0"
