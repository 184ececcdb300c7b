"""A user's own data by config: files (csv, tsv, jsonl, parquet) and hub data sets, columns by role, and the
bad-input contract (one line naming the file, the row and the fix; nothing written)."""

import pandas as pd
import pytest

from simpipe.core.errors import ConfigError, DataError
from simpipe.core.sections import build
from simpipe.data.config import FilesData
from simpipe.data.fetch import fetch
from simpipe.data.readers import read_raw
from simpipe.data.tabular import by_role
from tests.helpers.datasets import user_pairs, write_hub_dataset, write_table

ROLES = "data.roles={sentence1:question,sentence2:answer,score:rating}"


@pytest.fixture
def files_cfg(variant_cfg):
    """The `data` section of a user's scored pairs in files (`data.files` etc. as overrides)."""

    def make(*overrides):
        base = ["data=files", "data.name=survey", "data.raw_subdir=survey", ROLES, "data.label_range=[1,5]"]
        return variant_cfg("minilm_sts", *base, *overrides).data

    return make


def per_split(raw, suffix, frame=None):
    """One file per split in `raw`: the first 40 rows train, then 10 dev, 10 test."""
    frame = user_pairs() if frame is None else frame
    parts = {"train": frame.iloc[:40], "dev": frame.iloc[40:50], "test": frame.iloc[50:]}
    for split, part in parts.items():
        write_table(part, raw / f"{split}{suffix}")
    return "data.files={" + ",".join(f"{split}:{split}{suffix}" for split in parts) + "}"


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet"])
def test_each_format_read_by_role(tmp_path, files_cfg, suffix):
    splits = read_raw(files_cfg(per_split(tmp_path, suffix)), tmp_path)
    source = user_pairs()
    assert [len(splits[s]) for s in ("train", "dev", "test")] == [40, 10, 10]
    train = splits["train"]
    assert list(train.columns) == ["sentence1", "sentence2", "score"]  # the roles, in order; id and note dropped
    assert train["sentence1"].tolist() == source["question"][:40].tolist()
    assert train["score"].tolist() == pytest.approx(((source["rating"][:40] - 1) / 4).tolist())


def test_shuffled_source_columns_give_the_same_prepared_splits(tmp_path, files_cfg):
    source = user_pairs()
    a = read_raw(files_cfg(per_split(tmp_path / "a", ".csv", source)), tmp_path / "a")
    shuffled = source[["note", "rating", "answer", "id", "question"]]
    b = read_raw(files_cfg(per_split(tmp_path / "b", ".csv", shuffled)), tmp_path / "b")
    for split in a:
        pd.testing.assert_frame_equal(a[split], b[split])


def test_one_file_split_by_the_seeded_split(tmp_path, files_cfg):
    write_table(user_pairs(100), tmp_path / "pairs.csv")
    cfg = files_cfg("data.files=pairs.csv")
    splits = read_raw(cfg, tmp_path)
    assert [len(splits[s]) for s in ("train", "dev", "test")] == [64, 16, 20]
    again = read_raw(cfg, tmp_path)
    assert all(again[s].equals(splits[s]) for s in splits)


def test_texts_stay_texts_in_csv(tmp_path, files_cfg):
    frame = user_pairs()
    frame["answer"] = [f"{i:04d}" for i in range(len(frame))]  # all digits: a CSV reader would make numbers
    frame.loc[0, "question"] = "NA"  # and this a missing value
    splits = read_raw(files_cfg(per_split(tmp_path, ".csv", frame)), tmp_path)
    assert splits["train"]["sentence2"][:2].tolist() == ["0000", "0001"]
    assert splits["train"]["sentence1"][0] == "NA"


def test_prepared_names_can_differ_from_the_roles(tmp_path, files_cfg):
    splits = read_raw(files_cfg(per_split(tmp_path, ".csv"), "data.columns=[q,a,label]"), tmp_path)
    assert list(splits["train"].columns) == ["q", "a", "label"]


def test_a_hub_data_set_through_fetch(tmp_path, files_cfg, variant_cfg):
    """A data set saved with `datasets` in a hub repository's layout stands in for the hub: `simpipe fetch`
    stores its splits as parquet under data/raw/, the reader maps its columns by role."""
    source = user_pairs()
    hub = write_hub_dataset(tmp_path / "hub", {"train": source[:40], "validation": source[40:50], "test": source[50:]})
    cfg = variant_cfg(
        "minilm_sts", "data=hub", "data.name=survey", "data.raw_subdir=survey", f"data.hub_id={hub}", ROLES,
        "data.label_range=[1,5]",
    ).data  # fmt: skip
    raw = tmp_path / "raw" / "survey"
    assert fetch(cfg, raw, mirror=None) == f"download {hub}"
    assert sorted(p.name for p in raw.iterdir()) == ["test.parquet", "train.parquet", "validation.parquet"]
    splits = read_raw(cfg, raw)
    assert [len(splits[s]) for s in ("train", "dev", "test")] == [40, 10, 10]
    assert splits["dev"]["sentence2"].tolist() == source["answer"][40:50].tolist()
    assert fetch(cfg, raw, mirror=None) == "present"


def test_an_offline_hub_names_the_id_and_how_to_provide_the_files(tmp_path, variant_cfg):
    cfg = variant_cfg(
        "minilm_sts", "data=hub", "data.name=nli", "data.raw_subdir=nli", "data.hub_id=some-org/some-pairs",
        "data.roles={sentence1:premise,sentence2:hypothesis,score:label}",
    ).data  # fmt: skip
    with pytest.raises(DataError, match=r"download of 'some-org/some-pairs' failed .*; connect to the hub") as err:
        fetch(cfg, tmp_path / "nli", mirror=None)
    message = str(err.value)
    assert "\n" not in message and "data/raw/nli/<hub split>.parquet" in message and "train.parquet" in message
    assert not (tmp_path / "nli").exists() or not any((tmp_path / "nli").iterdir())


def bad(tmp_path, files_cfg, frame, suffix=".csv", *overrides):
    with pytest.raises(DataError) as err:
        read_raw(files_cfg(per_split(tmp_path, suffix, frame), *overrides), tmp_path)
    assert "\n" not in str(err.value)
    return str(err.value)


def test_a_missing_column_lists_the_columns_present(tmp_path, files_cfg):
    message = bad(tmp_path, files_cfg, user_pairs().drop(columns="answer"))
    assert message.endswith("no column sentence2: answer (data.roles); the file has id, question, rating, note")
    assert "train.csv" in message


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("lots", "'lots' in data row 4 is not a number; fix the row"),
        (7.5, "7.5 in data row 4 is outside data.label_range [1, 5] (1 rows in all); fix the row or set data.label_"),
    ],
)
def test_a_bad_score_names_the_file_and_row(tmp_path, files_cfg, value, why):
    frame = user_pairs().astype({"rating": object})
    frame.loc[3, "rating"] = value
    assert f"train.csv: score {why}" in bad(tmp_path, files_cfg, frame)


def test_a_file_too_small_to_split_names_the_file_and_the_keys(tmp_path, files_cfg):
    write_table(user_pairs(2), tmp_path / "pairs.csv")
    with pytest.raises(ConfigError, match=r"pairs\.csv: 2 rows split by data\.split \(test_fraction=0\.2, "
                                          r"val_fraction=0\.2\) into 0/1/1 leave train empty; add rows, change the "
                                          r"fractions, or give one file per split \(data\.files:"):  # fmt: skip
        read_raw(files_cfg("data.files=pairs.csv"), tmp_path)


def test_duplicates_of_a_users_file_are_kept_with_what_to_do(tmp_path, files_cfg, caplog):
    frame = user_pairs()
    frame.loc[1] = frame.loc[0]
    read_raw(files_cfg(per_split(tmp_path, ".csv", frame)), tmp_path)
    assert "train.csv: 1 duplicated row(s) kept, drop them from the file if they are mistakes" in caplog.text
    assert "reference runs" not in caplog.text


def test_a_missing_file_says_to_fetch(tmp_path, files_cfg):
    with pytest.raises(
        DataError,
        match=r"missing pairs\.csv \(data\.files\); copy the files into data/raw/survey/, "
        r"or set paths\.mirror to a directory holding survey/ and run `simpipe fetch`$",
    ):
        read_raw(files_cfg("data.files=pairs.csv"), tmp_path)


def test_an_empty_text_names_the_row(tmp_path, files_cfg):
    frame = user_pairs()
    frame.loc[45, "question"] = "  "
    assert "dev.csv: empty sentence1 in data row 6 (1 in all); fix or remove the row" in bad(tmp_path, files_cfg, frame)


def test_a_null_text_in_json_is_an_empty_text(tmp_path, files_cfg):
    frame = user_pairs().astype({"answer": object})
    frame.loc[2, "answer"] = None
    assert "train.jsonl: empty sentence2 in data row 3" in bad(tmp_path, files_cfg, frame, ".jsonl")


def test_an_empty_split_file(tmp_path, files_cfg):
    frame = user_pairs()
    spec = per_split(tmp_path, ".csv", frame)
    write_table(frame.iloc[:0], tmp_path / "test.csv")
    with pytest.raises(DataError, match=r"test\.csv: no rows; fill the file"):
        read_raw(files_cfg(spec), tmp_path)


def test_an_undecodable_file(tmp_path, files_cfg):
    spec = per_split(tmp_path, ".csv")
    (tmp_path / "dev.csv").write_bytes("question,answer,rating\ncaf\xe9,b,2\n".encode("latin-1"))
    with pytest.raises(DataError, match=r"dev\.csv: cannot be read as csv with encoding utf-8 \(UnicodeDecodeError"):
        read_raw(files_cfg(spec), tmp_path)
    (tmp_path / "train.parquet").write_text("not parquet")
    with pytest.raises(DataError, match=r"train\.parquet: cannot be read as parquet"):
        read_raw(files_cfg("data.files={train:train.parquet,dev:dev.csv,test:test.csv}"), tmp_path)


def test_an_unknown_extension_says_to_set_the_format(tmp_path, files_cfg):
    write_table(user_pairs(), tmp_path / "pairs.csv").rename(tmp_path / "pairs.txt")
    with pytest.raises(
        DataError, match=r"pairs\.txt: unknown file format '\.txt'; name the file .* or set data\.format"
    ):
        read_raw(files_cfg("data.files=pairs.txt"), tmp_path)
    splits = read_raw(files_cfg("data.files=pairs.txt", "data.format=csv"), tmp_path)
    assert len(splits["train"]) == 38


def test_duplicate_rows_are_kept_with_a_warning(tmp_path, files_cfg, caplog):
    frame = user_pairs()
    frame.loc[1, ["question", "answer", "rating"]] = frame.loc[0, ["question", "answer", "rating"]]
    splits = read_raw(files_cfg(per_split(tmp_path, ".csv", frame)), tmp_path)
    assert len(splits["train"]) == 40
    assert "train.csv: 1 duplicated row(s) kept" in caplog.text


def test_missing_files_say_where_they_go(tmp_path, files_cfg):
    with pytest.raises(DataError, match=r"missing pairs\.csv \(data\.files\); copy the files into data/raw/survey/"):
        fetch(files_cfg("data.files=pairs.csv"), tmp_path / "survey", mirror=tmp_path / "mirror")


def test_binary_labels_must_be_the_ends_of_the_range(tmp_path):
    """labelled_pairs: a label is low or high of data.label_range (0 or 1 once prepared), nothing between."""
    cfg = build(
        FilesData,
        {"name": "s", "reader": "files", "raw_subdir": "s", "shape": "labelled_pairs", "dev_name": "dev",
         "test_name": "test", "files": "pairs.parquet", "roles": {"sentence1": "question", "sentence2": "answer",
         "label": "same"}},
        "data",
    )  # fmt: skip
    frame = user_pairs().assign(same=[float(i % 2) for i in range(60)])
    assert by_role(frame, cfg, tmp_path / "pairs.parquet")["label"].tolist()[:4] == [0.0, 1.0, 0.0, 1.0]
    frame.loc[2, "same"] = 0.5
    with pytest.raises(
        DataError, match=r"pairs\.parquet: label 0\.5 in data row 3 is neither 0 nor 1 \(a labelled_pairs"
    ):
        by_role(frame, cfg, tmp_path / "pairs.parquet")
