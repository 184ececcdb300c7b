"""simpipe: reproducible fine-tuning pipelines for sentence-transformers similarity models."""

__version__ = "0.1.0"
