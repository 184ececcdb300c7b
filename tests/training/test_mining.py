"""Hard-negative mining (`simpipe.training.mining`, stage `mine`) with the real base model."""

import pandas as pd
import pytest
from datasets import Dataset

from simpipe.modeling.model import build_model
from simpipe.stages.mine import rows
from simpipe.training.catalog import CROSS_ENCODER_LOSSES, LOSSES
from simpipe.training.config import trained_columns
from simpipe.training.mining import mine, teacher_embeddings, teacher_scores

# queries repeat with several positives each (as Home Depot's do): none of a query's positives may be its negative
PAIRS = [
    ("cordless drill", "dewalt 20v max cordless drill driver kit"),
    ("cordless drill", "ryobi 18v one+ lithium-ion cordless drill"),
    ("cordless drill", "makita 18v lxt brushless cordless drill"),
    ("drill bits", "dewalt titanium drill bit set 21 piece"),
    ("drill bits", "ryobi black oxide drill bit set"),
    ("white paint", "behr premium plus ultra white interior paint"),
    ("white paint", "glidden white exterior paint 1 gal"),
    ("paint roller", "wooster 9 in. paint roller cover"),
    ("tape measure", "husky 25 ft tape measure"),
    ("tape measure", "stanley 16 ft tape measure"),
    ("led bulb", "philips 60w equivalent soft white led bulb"),
    ("led bulb", "ecosmart 100w equivalent daylight led light bulb"),
    ("garden hose", "flexzilla 50 ft garden hose"),
    ("hose nozzle", "gilmour 8 pattern hose nozzle"),
]
COLUMNS = ["sentence_0", "sentence_1"]


@pytest.fixture(scope="module")
def model(variant_cfg):
    return build_model(variant_cfg("minilm_homedepot_search", "model.max_seq_length=64").model, "cpu")


def train_split() -> Dataset:
    return Dataset.from_dict({c: [p[i] for p in PAIRS] for i, c in enumerate(COLUMNS)})


def positives_of(anchor: str) -> set[str]:
    return {t for q, t in PAIRS if q == anchor}


@pytest.mark.parametrize(
    ("overrides", "negatives"),
    [
        (["mine.num_negatives=1", "mine.range_max=8"], ["negative"]),
        (
            ["mine.num_negatives=3", "mine.range_max=10", "mine.sampling_strategy=random"],
            ["negative_1", "negative_2", "negative_3"],
        ),
    ],
)
def test_mining_never_takes_a_querys_own_positive_and_is_reproducible(model, variant_cfg, overrides, negatives):
    cfg = variant_cfg("minilm_homedepot_search", *overrides)
    frame, stats = mine(model, train_split(), cfg.mine, COLUMNS)
    again, _ = mine(model, train_split(), cfg.mine, COLUMNS)
    pd.testing.assert_frame_equal(frame, again)  # the same rows, the same negatives (the seed fixes the sample)
    assert list(frame.columns) == [*COLUMNS, *negatives]
    assert len(frame) > 0 and stats["rows"] == len(frame) and stats["pairs"] == len(PAIRS)
    assert stats["pairs_left_out"] == len(PAIRS) - len(frame) >= stats["pairs_without_negatives"]
    for row in frame.itertuples(index=False):
        anchor, _, *mined = row
        assert not set(mined) & positives_of(anchor), (anchor, mined)
        assert len(set(mined)) == len(mined)
    assert stats["positive_mean"] > stats["negative_mean"]  # the relative margin keeps negatives below positives


def test_the_margin_guard_is_counted(model, variant_cfg):
    """Candidates the default relative margin skips are counted in the mining metrics."""
    cfg = variant_cfg("minilm_homedepot_search", "mine.range_max=12", "mine.relative_margin=0.5")
    _, stats = mine(model, train_split(), cfg.mine, COLUMNS)
    assert stats["skipped_by_relative_margin"] > 0


def test_the_trained_columns_name_the_mined_negatives(variant_cfg):
    """What the card and the report state as the columns trained on: the data's, then the mined ones."""
    cfg = variant_cfg("minilm_homedepot_search", "mine.num_negatives=2")
    assert trained_columns(cfg.data, cfg.mine, LOSSES[cfg.train.loss]) == [*COLUMNS, "negative_1", "negative_2"]
    plain = variant_cfg("minilm_homedepot_search", "mine.enabled=false")
    assert trained_columns(plain.data, plain.mine, LOSSES[plain.train.loss]) == COLUMNS


@pytest.mark.parametrize(
    ("loss", "columns"),
    [("BinaryCrossEntropyLoss", [*COLUMNS, "label"]), ("LambdaLoss", ["sentence_0", "documents", "labels"])],
)
def test_a_reranker_reads_mined_negatives_as_labelled_pairs_or_query_lists(variant_cfg, loss, columns):
    """A cross-encoder's pointwise or listwise loss on mined pairs: each pair's positive labelled 1 and its
    negatives 0 (sentence-transformers' labeled-pair), or each query's documents in one row (labeled-list);
    never one of a query's positives labelled 0."""
    cfg = variant_cfg("minilm_homedepot_search", "model=minilm_reranker", "+model@mine.model=minilm",
                      f"train.loss={loss}", "mine.num_negatives=2", "mine.range_max=12")  # fmt: skip
    frame, stats = rows(cfg, CROSS_ENCODER_LOSSES[loss], train_split())
    assert list(frame.columns) == columns == trained_columns(cfg.data, cfg.mine, CROSS_ENCODER_LOSSES[loss])
    if loss == "LambdaLoss":
        assert stats["lists_lists"] == len(frame) == len({anchor for anchor, _ in PAIRS})
        pairs = frame.explode(["documents", "labels"]).to_numpy().tolist()
    else:
        assert frame["label"].tolist() == [1.0, 0.0, 0.0] * stats["rows"]
        pairs = frame.to_numpy().tolist()
    assert {(a, d) for a, d, label in pairs if label == 1.0} == set(PAIRS)
    assert not any(d in positives_of(a) for a, d, label in pairs if label == 0.0)


def test_a_teacher_scores_each_row_once_per_text(model):
    """The distillation label of (query, positive, negative...) rows: the teacher's cosine of the query with each
    candidate, as the teacher itself scores them one pair at a time."""
    frame = pd.DataFrame({"q": ["cordless drill", "white paint"], "p": [PAIRS[0][1], PAIRS[5][1]],
                          "n1": [PAIRS[5][1], PAIRS[0][1]], "n2": [PAIRS[8][1], PAIRS[8][1]]})  # fmt: skip
    scores = teacher_scores(model, frame, ["q", "p", "n1", "n2"], batch_size=4)
    assert len(scores) == 2 and all(len(row) == 3 for row in scores)
    for row, (_, query, *candidates) in zip(scores, frame.itertuples(), strict=True):
        expected = model.similarity(model.encode([query]), model.encode(candidates))[0].tolist()
        assert row == pytest.approx(expected, abs=1e-5)
    assert scores[0][0] > scores[0][1]  # the drill query: its drill positive above the paint negative


def test_a_teacher_embeds_each_text_once(model):
    """MSELoss's label: the teacher's embedding of each text (a repeated text gets the same vector)."""
    texts = ["cordless drill", "white paint", "cordless drill"]
    vectors = teacher_embeddings(model, texts, batch_size=2)
    assert len(vectors) == 3 and len(vectors[0]) == 384 and vectors[0] == vectors[2]
    assert vectors[1] == pytest.approx(model.encode(["white paint"])[0].tolist(), abs=1e-5)
