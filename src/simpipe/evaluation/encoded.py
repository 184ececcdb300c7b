"""Encode once: the embeddings of a split's distinct texts, shared by every evaluator of that split.

Home Depot val holds 11,851 pairs but far fewer distinct queries and titles, and its similarity and search
evaluators read the same texts: each (text, prompt) is encoded once per evaluation and indexed back.
Evaluators take their embeddings from an `Encodings` (mixin `SharedEncodings`); a Matryoshka evaluator at
`truncate_dim` reads the first dims of the same embeddings (as sentence-transformers truncates), so
evaluating at every dim encodes nothing more.

An evaluation is one `session()`: the first evaluator of the split encodes, the others look up; the
cache is emptied when the outermost session ends, so a model that trains on never reads stale vectors.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext

import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.base.modules import Router


class Encodings:
    """Embeddings of distinct texts for one state of a model, by how they were encoded (prompt, task).

    `batch_size` texts are encoded at a time (`cuda_batch_size` on CUDA: a GPU wants larger batches);
    with `autocast` (a dtype) under `torch.autocast`, as a mixed-precision training step computes (the
    cheaper dev curve during training); the final metrics use none (fp32)."""

    def __init__(self, batch_size: int, cuda_batch_size: int | None = None, autocast: torch.dtype | None = None):
        self.batch_size = batch_size
        self.cuda_batch_size = cuda_batch_size or batch_size
        self.autocast = autocast
        self.encoded = 0  # texts encoded so far (what encode-once saves is visible in tests and benchmarks)
        self._vectors: dict[tuple[str, str | None], dict[str, np.ndarray]] = {}
        self._depth = 0

    @contextmanager
    def session(self) -> Iterator[None]:
        """One evaluation: vectors encoded inside are reused inside, and dropped when the outermost ends."""
        if self._depth == 0:
            self._vectors.clear()
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._vectors.clear()

    def embed(
        self,
        model: SentenceTransformer,
        texts: Sequence[str],
        encode_fn_name: str | None = None,
        prompt_name: str | None = None,
        prompt: str | None = None,
    ) -> np.ndarray:
        """The full-size embeddings of `texts` (row i: texts[i]), encoded as sentence-transformers'
        `encode` (`encode_fn_name` None), `encode_query` or `encode_document` would."""
        known = self._vectors.setdefault(_key(model, encode_fn_name, prompt_name, prompt), {})
        new = [text for text in dict.fromkeys(texts) if text not in known]
        if new:
            encode = {None: model.encode, "query": model.encode_query, "document": model.encode_document}
            batch = self.cuda_batch_size if model.device.type == "cuda" else self.batch_size
            precision = torch.autocast(model.device.type, dtype=self.autocast) if self.autocast else nullcontext()
            with precision:
                vectors = encode[encode_fn_name](
                    new, prompt_name=prompt_name, prompt=prompt, batch_size=batch, convert_to_numpy=True
                )
            known.update(zip(new, np.asarray(vectors, dtype=np.float32), strict=True))
            self.encoded += len(new)
        return np.stack([known[text] for text in texts]) if texts else np.zeros((0, 0), dtype=np.float32)


def _key(model: SentenceTransformer, encode_fn_name: str | None, prompt_name: str | None, prompt: str | None):
    """(the prompt text put before each input, the task when a Router routes by it): what the vectors depend on."""
    if prompt is None:
        if prompt_name is None and encode_fn_name is not None and encode_fn_name in model.prompts:
            prompt_name = encode_fn_name
        if prompt_name is None:
            prompt_name = model.default_prompt_name
        prompt = model.prompts.get(prompt_name, "") if prompt_name else ""
    routed = any(isinstance(module, Router) for module in model.modules())
    return prompt, encode_fn_name if routed else None


class SharedEncodings:
    """Mixin for sentence-transformers evaluators: embeddings from a shared `Encodings` (set `encodings`),
    truncated to the evaluator's `truncate_dim`."""

    truncate_dim: int | None
    as_tensor = False  # the search evaluator computes on tensors, the others on arrays

    def __init__(self, *args, encodings: Encodings, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.encodings = encodings

    def __call__(self, model: SentenceTransformer, *args, **kwargs) -> dict[str, float]:
        with self.encodings.session():
            return super().__call__(model, *args, **kwargs)

    def embed_inputs(self, model, sentences, encode_fn_name=None, prompt_name=None, prompt=None, **kwargs):
        texts = [sentences] if isinstance(sentences, str) else list(sentences)
        vectors = self.encodings.embed(model, texts, encode_fn_name, prompt_name, prompt)
        if self.truncate_dim is not None:
            vectors = vectors[:, : self.truncate_dim]
        if isinstance(sentences, str):
            vectors = vectors[0]
        return torch.from_numpy(vectors) if self.as_tensor else vectors
