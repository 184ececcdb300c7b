"""The model families: sentence-transformers' packages of one model class each, whose trainer, losses,
evaluators, metric names and card a variant's `model.kind` brings (simpipe.modeling.config.family_of)."""

BI_ENCODER = "sentence_transformer"  # SentenceTransformer: a text -> an embedding
CROSS_ENCODER = "cross_encoder"  # CrossEncoder: a (query, document) pair -> a score
FAMILIES = (BI_ENCODER, CROSS_ENCODER)
