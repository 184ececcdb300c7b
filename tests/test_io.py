import pytest

from simpipe.io import atomic_dir, read_json, write_json


def test_atomic_dir_replaces_target_on_success(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with atomic_dir(target) as tmp:
        (tmp / "new.txt").write_text("new")
        assert not (target / "new.txt").exists()
    assert sorted(p.name for p in target.iterdir()) == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_atomic_dir_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(RuntimeError), atomic_dir(target) as tmp:
        (tmp / "half.txt").write_text("half")
        raise RuntimeError("crash")
    assert list(tmp_path.iterdir()) == []


def test_write_json_round_trip_and_no_temp_files(tmp_path):
    write_json(tmp_path / "a" / "m.json", {"x": 1.5})
    assert read_json(tmp_path / "a" / "m.json") == {"x": 1.5}
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["m.json"]
