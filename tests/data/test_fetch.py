"""`simpipe fetch`: raw data from the mirror, else the hub, else a one-line error saying how to get it."""

import shutil
import subprocess

import pytest
import yaml

from simpipe.core.config import REPO_ROOT
from simpipe.core.errors import DataError
from simpipe.data.fetch import fetch


@pytest.fixture
def unreachable(variant_cfg):
    """The STS variant's data, from a hub id that does not exist."""
    return variant_cfg("glove_bilstm_sts", "data.hub_id=no-such-org/no-such-data").data


def test_copies_only_what_the_reader_reads_then_reports_present(tmp_path, mirror, unreachable):
    source = shutil.copytree(mirror, tmp_path / "mirror")
    (source / "stsbenchmark" / "readme.txt").write_text("about the benchmark")
    (source / "stsbenchmark" / "LICENSE.txt").write_text("terms")
    raw = tmp_path / "raw"
    assert fetch(unreachable, raw, source).startswith("mirror")
    assert sorted(p.name for p in raw.iterdir()) == ["sts-dev.csv", "sts-test.csv", "sts-train.csv"]
    assert fetch(unreachable, raw, source) == "present"


def test_no_mirror_and_no_hub_says_how_to_get_the_data(tmp_path, unreachable):
    with pytest.raises(DataError, match=r"missing sts-train\.csv.*download of 'no-such-org/no-such-data' failed"):
        fetch(unreachable, tmp_path / "raw", tmp_path / "no-mirror")
    assert not any((tmp_path / "raw").glob("*.csv"))


def test_missing_kaggle_cli_names_the_extra(tmp_path, monkeypatch, variant_cfg):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `kaggle` command
    data = variant_cfg("minilm_homedepot").data
    with pytest.raises(DataError, match=r"the kaggle command is not installed: pip install -e '\.\[kaggle\]'"):
        fetch(data, tmp_path / "raw", None)


def dvc_dir_hash(directory) -> str:
    """The md5 DVC gives a directory (`dvc add` in a scratch repo around a copy of it)."""
    repo = directory.parent
    subprocess.run(["dvc", "init", "--no-scm", "-q"], cwd=repo, check=True)
    subprocess.run(["dvc", "add", "-q", directory.name], cwd=repo, check=True)
    return yaml.safe_load((repo / f"{directory.name}.dvc").read_text())["outs"][0]["md5"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stage", "subdir"), [("glove_bilstm_sts", "stsbenchmark"), ("minilm_homedepot", "home-depot")]
)
def test_fetched_raw_data_hashes_as_in_dvc_lock(tmp_path, shared, variant_cfg, stage, subdir):
    """A fresh clone's `dvc status` shows no changed raw deps: fetch writes what the lock describes."""
    raw = tmp_path / "scratch" / subdir
    fetch(variant_cfg(stage).data, raw, shared / "data")
    lock = yaml.safe_load((REPO_ROOT / "dvc.lock").read_text())
    (dep,) = [d for d in lock["stages"][f"prepare@{stage}"]["deps"] if d["path"] == f"data/raw/{subdir}"]
    assert dvc_dir_hash(raw) == dep["md5"]
