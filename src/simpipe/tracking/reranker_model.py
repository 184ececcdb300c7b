"""The MLflow model of a cross-encoder (MLflow's sentence-transformers flavour loads and encodes with a
SentenceTransformer only): a pyfunc model from code, logged with the saved CrossEncoder as its artifact
`model`. Input: rows of `query` and `document`; output: the reranker's score of each pair.

MLflow copies this file into the logged model: it runs without simpipe wherever the model is served.
"""

from __future__ import annotations

import mlflow
import pandas as pd

# the input columns of a served reranker
QUERY, DOCUMENT = "query", "document"


class RerankerModel(mlflow.pyfunc.PythonModel):
    """Scores (query, document) pairs with the CrossEncoder saved in the artifact `model`."""

    def load_context(self, context) -> None:
        from sentence_transformers import CrossEncoder

        self.model = CrossEncoder(context.artifacts["model"], device="cpu", local_files_only=True)

    def predict(self, context, model_input: pd.DataFrame, params=None) -> list[float]:
        pairs = [[str(q), str(d)] for q, d in zip(model_input[QUERY], model_input[DOCUMENT], strict=True)]
        return [float(score) for score in self.model.predict(pairs, convert_to_numpy=True)]


mlflow.models.set_model(RerankerModel())
