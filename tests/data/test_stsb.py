"""The STS benchmark reader: tab-separated, no quoting, scores 0-5; the prepared splits read back."""

import pytest

from simpipe.core.errors import DataError
from simpipe.data.prepared import load_split
from simpipe.data.stsb import read, read_file


@pytest.fixture
def sts_data(variant_cfg):
    """The STS variant's data section."""
    return variant_cfg("glove_bilstm_sts").data


def write(path, *lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_reads_every_row_of_the_real_files(shared, sts_data):
    splits = read(shared / "data" / "stsbenchmark", sts_data)
    assert {k: len(v) for k, v in splits.items()} == {"train": 5749, "dev": 1500, "test": 1379}
    assert splits["train"]["score"].between(0, 1).all()
    assert splits["train"].iloc[0].tolist() == ["A plane is taking off.", "An air plane is taking off.", 1.0]


def test_quotes_are_text_and_extra_columns_ignored(tmp_path):
    path = write(
        tmp_path / "sts.csv",
        'g\tf\t2012\t1\t2.5\tHe said "hi.\tShe said "bye"\textra\tsource',
        'g\tf\t2012\t2\t5.000\tA "quoted\tB',
    )
    frame = read_file(path)
    assert frame.values.tolist() == [['He said "hi.', 'She said "bye"', 0.5], ['A "quoted', "B", 1.0]]


def test_missing_columns_name_file_and_line(tmp_path):
    path = write(tmp_path / "sts.csv", "g\tf\t2012\t1\t2.5\ta\tb", "g\tf\t2012\t2\t2.5\tonly one")
    with pytest.raises(DataError, match=r"sts\.csv:2: 6 tab-separated columns, expected at least 7"):
        read_file(path)


@pytest.mark.parametrize(
    ("score", "message"),
    [
        ("abc", r"score 'abc' is not a number; fix or remove the row"),
        ("nan", r"score 'nan' is not a number"),
        ("7", r"score 7.0 outside \[0, 5\]; fix the row"),
    ],
)
def test_bad_score_names_file_and_line(tmp_path, score, message):
    path = write(tmp_path / "sts.csv", "g\tf\t2012\t1\t2\ta\tb", f"g\tf\t2012\t2\t{score}\ta\tb")
    with pytest.raises(DataError, match=rf"sts\.csv:2: {message}"):
        read_file(path)


def test_empty_file(tmp_path):
    with pytest.raises(DataError, match="no rows"):
        read_file(write(tmp_path / "sts.csv"))


def test_missing_files_name_them_and_the_fix(tmp_path, sts_data):
    write(tmp_path / "sts-train.csv", "g\tf\t2012\t1\t2.5\ta\tb")
    with pytest.raises(DataError, match=r"missing sts-dev\.csv, sts-test\.csv; run `simpipe fetch`"):
        read(tmp_path, sts_data)


def test_a_missing_split_names_the_stage_that_writes_it(tmp_path):
    with pytest.raises(DataError, match=r"dev\.parquet: dev split not found; run the prepare stage \(`dvc repro`\)$"):
        load_split(tmp_path, "dev")
    with pytest.raises(DataError, match=r"train\.parquet: train split not found; run the mine stage"):
        load_split(tmp_path, "train", stage="mine")


def test_invalid_utf8_names_line_and_byte(tmp_path):
    path = tmp_path / "sts.csv"
    path.write_bytes(b"g\tf\t2012\t1\t2.5\ta\tb\ng\tf\t2012\t2\t2.5\tcaf\xe9\tb\n")
    with pytest.raises(DataError, match=r"sts\.csv:2: not valid UTF-8 \(byte 0xe9 at column 19\)"):
        read_file(path)


def test_empty_text_names_the_row(tmp_path):
    path = write(tmp_path / "sts.csv", "g\tf\t2012\t1\t2.5\ta\tb", "g\tf\t2012\t2\t2.5\tc\t  ")
    with pytest.raises(DataError, match=r"sts\.csv: empty sentence2 in data row 2 \(1 in all\)"):
        read_file(path)


def test_duplicates_are_kept_with_a_warning(tmp_path, caplog):
    path = write(tmp_path / "sts.csv", *["g\tf\t2012\t1\t2.5\ta\tb"] * 3)
    assert len(read_file(path)) == 3
    assert "2 duplicated row(s) kept" in caplog.text
