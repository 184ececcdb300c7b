"""The Home Depot reader: Kaggle's files (zipped or not, ISO-8859-1), the seed's text preparation, splits."""

import zipfile

import pytest

from simpipe.core.errors import ConfigError, DataError
from simpipe.data.homedepot import brands, read, read_csv
from simpipe.data.splits import grouped_split, random_split, sizes

HEADER = '"id","product_uid","product_title","search_term","relevance"\n'


@pytest.fixture
def data_cfg(variant_cfg):
    """The `data` section of minilm_homedepot, with overrides: `data_cfg("data.brand_source=attributes")`."""
    return lambda *overrides: variant_cfg("minilm_homedepot", *overrides).data


def write_raw(raw, train_rows, zipped=False, attributes="product_uid,name,value\n"):
    raw.mkdir(parents=True, exist_ok=True)
    train = (HEADER + "".join(train_rows)).encode("iso-8859-1")
    if zipped:
        with zipfile.ZipFile(raw / "train.csv.zip", "w") as zf:
            zf.writestr("train.csv", train)
    else:
        (raw / "train.csv").write_bytes(train)
    (raw / "attributes.csv").write_text(attributes, encoding="utf-8")
    return raw


def rows(n):
    return [f'{i},{100000 + i % 7},"Café Brûlée {i} in. Pan","pan {i % 5}",{1 + (i % 5) / 2}\n' for i in range(n)]


@pytest.mark.parametrize("zipped", [False, True])
def test_iso_8859_1_zipped_or_not(tmp_path, zipped, data_cfg):
    splits = read(write_raw(tmp_path / "raw", rows(50), zipped=zipped), data_cfg())
    assert [len(splits[s]) for s in ("train", "dev", "test")] == [32, 8, 10]
    frame = splits["train"]
    assert list(frame.columns) == ["sentence_0", "sentence_1", "label"]
    assert frame["sentence_1"].str.startswith("café brûlé").all()
    assert frame["label"].between(0, 1).all()


def test_real_files_split_sizes_and_labels(shared, data_cfg):
    splits = read(shared / "data" / "home-depot", data_cfg())
    assert [len(splits[s]) for s in ("train", "dev", "test")] == [47402, 11851, 14814]
    labels = set(splits["train"]["label"])
    assert {0.665, 0.835, 0.33499999999999996, 0.0, 1.0} <= labels  # the seed card's sample labels
    assert min(labels) == 0.0 and max(labels) == 1.0


def test_missing_files_name_the_kaggle_command(tmp_path, data_cfg):
    with pytest.raises(
        DataError,
        match=r"missing train\.csv\(\.zip\), attributes\.csv\(\.zip\); "
        r"install the Kaggle CLI \(pip install -e '\.\[kaggle\]'\), "
        r"run `kaggle competitions download -c home-depot-product-search-relevance`",
    ):
        read(tmp_path, data_cfg())


def test_missing_columns(tmp_path, data_cfg):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "train.csv").write_text('"id","product_title","relevance"\n1,"a",3\n', encoding="iso-8859-1")
    (raw / "attributes.csv").write_text("product_uid,name,value\n")
    with pytest.raises(DataError, match=r"train\.csv: missing column\(s\) product_uid, search_term"):
        read(raw, data_cfg())


def test_bad_relevance_names_the_row(tmp_path, data_cfg):
    raw = write_raw(tmp_path / "raw", [*rows(3), '9,1,"t","q",high\n'])
    with pytest.raises(DataError, match=r"relevance 'high' in data row 4 is not a number in \[1, 3\]"):
        read(raw, data_cfg())


def test_zip_without_the_member(tmp_path):
    path = tmp_path / "train.csv.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("other.csv", "x")
    with pytest.raises(DataError, match=r"no train\.csv inside"):
        read_csv(path, "train.csv", ("id",))


def test_brand_from_attributes_with_title_fallback(tmp_path, data_cfg):
    attributes = 'product_uid,name,value\n100001,MFG Brand Name,KOHLER\n100002,MFG Brand Name,""\n'
    raw = write_raw(
        tmp_path / "raw",
        ['1,100001,"Highline Toilet","toilet",3\n', '2,100002,"Glacier Bay Sink","sink",2\n'] * 10,
        attributes=attributes,
    )
    assert brands(raw) == {"100001": "KOHLER"}
    titles = set()
    for frame in read(raw, data_cfg("data.brand_source=attributes")).values():
        titles |= set(frame["sentence_1"])
    assert titles == {"highlin toilet brand_kohl", "glacier bay sink brand_glaci"}


def test_grouped_real_split_shares_no_query(shared, data_cfg):
    splits = read(shared / "data" / "home-depot", data_cfg("data.split.grouped=true"))
    queries = [set(splits[s]["sentence_0"]) for s in ("train", "dev", "test")]
    assert not (queries[0] & queries[1] or queries[0] & queries[2] or queries[1] & queries[2])
    assert sum(len(splits[s]) for s in splits) == 74067


def test_sizes_as_train_test_split_twice():
    assert sizes(74067, 0.2, 0.2) == (47402, 11851, 14814)
    with pytest.raises(ConfigError, match=r"^pairs\.csv: 2 rows split by data\.split \(test_fraction=0\.2, "
                                          r"val_fraction=0\.2\) into 0/1/1 leave train empty; add rows"):  # fmt: skip
        sizes(2, 0.2, 0.2, "pairs.csv")


def test_random_split_is_a_seeded_partition():
    a, b = random_split(1000, 0.2, 0.2, seed=1), random_split(1000, 0.2, 0.2, seed=1)
    assert all((a[k] == b[k]).all() for k in a)
    assert sorted(i for part in a.values() for i in part) == list(range(1000))


def test_grouped_split_keeps_each_group_in_one_split():
    groups = [f"q{i % 97}" for i in range(2000)]
    parts = grouped_split(groups, 0.2, 0.2, seed=3)
    seen = [{groups[i] for i in idx} for idx in parts.values()]
    assert not (seen[0] & seen[1] or seen[0] & seen[2] or seen[1] & seen[2])
    assert sum(len(p) for p in parts.values()) == 2000
    assert abs(len(parts["test"]) - 400) < 60


def test_grouped_split_with_too_few_groups():
    with pytest.raises(ConfigError, match=r"^train\.csv: the grouped split \(data\.split\.grouped=true\) leaves train, "
                                          r"dev empty: too few distinct queries \(1\); add rows or set"):  # fmt: skip
        grouped_split(["a"] * 10, 0.2, 0.2, seed=0, source="train.csv")


def test_empty_search_term_names_the_row(tmp_path, data_cfg):
    raw = write_raw(tmp_path / "raw", [*rows(3), '9,100001,"A title","  ",2\n'])
    with pytest.raises(DataError, match=r"train\.csv: empty search_term in data row 4 \(1 in all\)"):
        read(raw, data_cfg())


@pytest.mark.parametrize("grouped", [False, True])
def test_raw_text_splits_the_rows_the_seed_text_splits(tmp_path, data_cfg, grouped):
    """data.text=raw keeps the search terms and titles as in the file, in the same rows of each split
    (grouped: by the processed query, as the seed text is grouped)."""
    raw = write_raw(tmp_path / "raw", [*rows(40), *(f'{i},1,"Ryobi Trimmers","Ryobi trimmers",3\n' for i in range(9))])
    group = f"data.split.grouped={str(grouped).lower()}"
    seed, plain = read(raw, data_cfg(group)), read(raw, data_cfg(group, "data.text=raw"))
    for split in seed:
        assert (seed[split]["label"] == plain[split]["label"]).all() and len(seed[split]) == len(plain[split])
    titles = set(plain["train"]["sentence_1"]) | set(plain["test"]["sentence_1"])
    assert {"Café Brûlée 1 in. Pan", "Ryobi Trimmers"} & titles and not any("brand_" in t for t in titles)


def test_brand_tokens_from_attributes_need_the_seed_text(data_cfg):
    with pytest.raises(ConfigError, match=r"^data\.brand_source='attributes': brand tokens belong to data\.text=seed"):
        data_cfg("data.text=raw", "data.brand_source=attributes")
