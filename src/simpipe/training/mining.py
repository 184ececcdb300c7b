"""Hard negatives for (anchor, positive) training pairs with sentence-transformers' `mine_hard_negatives`.

sentence-transformers prints its statistics rather than returning them: they are logged line by line, and
the counts of candidates each guard skipped are read from those lines into the mining metrics, beside the
score statistics computed here from the scores it returns.
"""

from __future__ import annotations

import io
import logging
import random
import re
from contextlib import redirect_stdout

import numpy as np
import pandas as pd
import torch
from datasets import Dataset
from sentence_transformers import SentenceTransformer
from sentence_transformers.util import mine_hard_negatives

from simpipe.training.config import LABEL, LIST_COLUMNS, negative_columns

log = logging.getLogger(__name__)
_SKIPPED = re.compile(r"Skipped ([\d,]+) potential negatives .* due to the (\w+) of")
_MISSING = re.compile(r"Could not find enough negatives for ([\d,]+) samples")


def mine(model: SentenceTransformer, train: Dataset, mine_cfg, columns: list[str]) -> tuple[pd.DataFrame, dict]:
    """(anchor, positive, negatives...) rows of `train` (`columns`: anchor, positive) and the mining metrics.
    A repeated pair is mined once; a pair for which not enough negatives pass the guards is left out
    (`pairs_without_negatives`; both in `pairs_left_out`). Anchors are encoded with the model's `query`
    prompt and candidates with its `document` prompt, when it has them (as training and evaluation)."""
    anchor, positive = columns[:2]
    random.seed(mine_cfg.seed)
    torch.manual_seed(mine_cfg.seed)
    printed = io.StringIO()
    with redirect_stdout(printed):
        mined = mine_hard_negatives(
            train.select_columns([anchor, positive]),
            model,
            anchor_column_name=anchor,
            positive_column_name=positive,
            range_min=mine_cfg.range_min,
            range_max=mine_cfg.range_max,
            max_score=mine_cfg.max_score,
            absolute_margin=mine_cfg.absolute_margin,
            relative_margin=mine_cfg.relative_margin,
            num_negatives=mine_cfg.num_negatives,
            sampling_strategy=mine_cfg.sampling_strategy,
            output_format="n-tuple",
            output_scores=True,
            batch_size=mine_cfg.batch_size,
            query_prompt_name="query" if model.prompts.get("query") else None,
            corpus_prompt_name="document" if model.prompts.get("document") else None,
            verbose=True,
        )
    lines = printed.getvalue().splitlines()
    for line in lines:
        log.info("mine_hard_negatives: %s", line)
    frame = mined.to_pandas()
    scores = np.array(frame.pop("scores").tolist(), dtype=np.float64).reshape(len(frame), -1)
    frame.columns = [anchor, positive, *negative_columns(mine_cfg.num_negatives)]
    return frame, statistics(scores, len(train), lines)


def statistics(scores: np.ndarray, pairs: int, printed: list[str]) -> dict[str, float | int]:
    """Mining metrics: rows in and out, mean/median similarity of positives and negatives, their mean gap,
    the pairs without enough negatives and the candidates each guard skipped (both from sentence-transformers'
    printed report)."""
    positives, negatives = scores[:, 0], scores[:, 1:]
    out: dict[str, float | int] = {
        "pairs": pairs,
        "rows": len(scores),
        "pairs_left_out": pairs - len(scores),
        "pairs_without_negatives": 0,
        "positive_mean": float(positives.mean()) if len(scores) else float("nan"),
        "positive_median": float(np.median(positives)) if len(scores) else float("nan"),
        "negative_mean": float(negatives.mean()) if len(scores) else float("nan"),
        "negative_median": float(np.median(negatives)) if len(scores) else float("nan"),
        "gap_mean": float((positives[:, None] - negatives).mean()) if len(scores) else float("nan"),
    }
    for line in printed:
        if match := _SKIPPED.search(line):
            out[f"skipped_by_{match[2]}"] = int(match[1].replace(",", ""))
        elif match := _MISSING.search(line):
            out["pairs_without_negatives"] = int(match[1].replace(",", ""))
    return out


def teacher_scores(teacher: SentenceTransformer, frame: pd.DataFrame, columns: list[str], batch_size: int) -> list:
    """The distillation label of each (query, positive, negative...) row of `frame` (`columns` in that order):
    the teacher's similarity of the query with each candidate, [positive, negative_1, ...] (MarginMSELoss takes
    their differences, DistillKLDivLoss their softmax). Each distinct text is encoded once, with the teacher's
    query and document prompts when it has them."""
    query, *candidates = columns

    def encode(texts: list[str], prompt: str) -> dict[str, torch.Tensor]:
        distinct = list(dict.fromkeys(texts))
        vectors = teacher.encode(distinct, batch_size=batch_size, convert_to_tensor=True,
                                 prompt_name=prompt if teacher.prompts.get(prompt) else None)  # fmt: skip
        return dict(zip(distinct, vectors, strict=True))

    queries = encode(frame[query].tolist(), "query")
    docs = encode([t for c in candidates for t in frame[c].tolist()], "document")
    q = torch.stack([queries[t] for t in frame[query]])
    scores = [teacher.similarity_pairwise(q, torch.stack([docs[t] for t in frame[c]])) for c in candidates]
    return torch.stack(scores, dim=1).float().cpu().tolist()


def teacher_embeddings(teacher: SentenceTransformer, texts: list[str], batch_size: int) -> list[list[float]]:
    """The distillation label of single texts (MSELoss): the teacher's embedding of each, each distinct text
    encoded once."""
    distinct = list(dict.fromkeys(texts))
    vectors = teacher.encode(distinct, batch_size=batch_size, convert_to_numpy=True)
    by_text = dict(zip(distinct, vectors.astype(np.float32).tolist(), strict=True))
    return [by_text[text] for text in texts]


def labelled_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """(anchor, document, label) rows of mined (anchor, positive, negatives...) rows, a row's together: its
    positive labelled 1, then each negative labelled 0 (sentence-transformers' `labeled-pair` output of
    `mine_hard_negatives`); the columns are the anchor's, the positive's and LABEL."""
    anchor, positive, *negatives = frame.columns
    documents = frame[[positive, *negatives]].to_numpy()
    return pd.DataFrame({
        anchor: np.repeat(frame[anchor].to_numpy(), documents.shape[1]),
        positive: documents.reshape(-1),
        LABEL: np.tile([1.0] + [0.0] * len(negatives), len(frame)),
    })  # fmt: skip


def query_lists(frame: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, dict]:
    """Rows of (query, its documents, their labels) from (query, document, label) pairs (`columns`), queries
    and documents in order of appearance, for a listwise loss; a query with one document is left out (a list
    of one ranks nothing), as are the repeats of a (query, document) pair after the first. Returns the rows
    and their statistics."""
    query, document, label = columns[:3]
    pairs = frame.drop_duplicates([query, document])
    grouped = pairs.groupby(query, sort=False)
    lists = pd.DataFrame({query: list(grouped.groups), LIST_COLUMNS[0]: grouped[document].agg(list).tolist(),
                          LIST_COLUMNS[1]: grouped[label].agg(lambda x: [float(v) for v in x]).tolist()})  # fmt: skip
    sizes = lists[LIST_COLUMNS[0]].str.len()
    kept = lists[sizes > 1].reset_index(drop=True)
    stats = {
        "pairs": len(frame),
        "repeated_pairs": len(frame) - len(pairs),
        "queries": len(lists),
        "lists": len(kept),
        "single_document_queries_left_out": int((sizes == 1).sum()),
        "documents_per_list_mean": float(sizes[sizes > 1].mean()) if len(kept) else 0.0,
        "documents_per_list_max": int(sizes.max()) if len(lists) else 0,
    }
    return kept, stats
