import pytest
from omegaconf import OmegaConf

from simpipe.errors import DataError
from simpipe.fetch import fetch

DATA = OmegaConf.create({"reader": "stsb", "raw_subdir": "stsbenchmark", "hub_id": "no-such-org/no-such-data"})


def test_copies_from_mirror_then_reports_present(tmp_path, mirror):
    raw = tmp_path / "raw"
    assert fetch(DATA, raw, mirror).startswith("mirror")
    assert {"sts-dev.csv", "sts-test.csv", "sts-train.csv"} <= {p.name for p in raw.iterdir()}
    assert not list(raw.glob(".*.tmp"))
    assert fetch(DATA, raw, mirror) == "present"


def test_no_mirror_and_no_hub_says_how_to_get_the_data(tmp_path):
    with pytest.raises(DataError, match=r"missing sts-train\.csv.*download of 'no-such-org/no-such-data' failed"):
        fetch(DATA, tmp_path / "raw", tmp_path / "no-mirror")
    assert not any((tmp_path / "raw").glob("*.csv"))
