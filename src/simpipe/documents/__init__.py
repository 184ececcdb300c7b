"""Documents: what people read about a trained model.

`reproduction` computes the comparison of a run with a reference card's facts (`simpipe.cards`) and with its
base model, into the data model of `comparison` (comparison.json); `card` builds the Hugging Face model card
(through the one replay of sentence-transformers' card callback, `replay`, and the CO2 block of `co2`);
`report` renders the comparison; `runs` tabulates tracked MLflow runs; `render` holds the number format,
tables and charts they share; `config` the `card` and `report` sections.

Imports `simpipe.core`, `artifacts`, `cards`, `tracking` (run tables), `evaluation` (the evaluators a card
names) and `training.losses` (the loss a card describes), never the training loop. A new card wording goes
here.
"""
