import os
import stat

import pytest

from simpipe.core.io import atomic_dir, read_json, write_json, write_text


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


@pytest.mark.parametrize(("mask", "file_mode", "dir_mode"), [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700)])
def test_outputs_get_the_modes_of_the_users_umask(tmp_path, mask, file_mode, dir_mode):
    old = os.umask(mask)
    try:
        write_text(tmp_path / "f.txt", "x")
        with atomic_dir(tmp_path / "d") as out:
            write_text(out / "inner.txt", "y")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "f.txt").stat().st_mode) == file_mode
    assert stat.S_IMODE((tmp_path / "d").stat().st_mode) == dir_mode
    assert stat.S_IMODE((tmp_path / "d" / "inner.txt").stat().st_mode) == file_mode


@pytest.mark.slow
def test_every_pipeline_output_is_readable_by_the_team_under_umask_022(run_cfg, tmp_path):
    """All stages of a quick run under umask 022: every file and directory they write (data/prepared,
    trained/, metrics/, models/, reports/) is group/other-readable, however it was written."""
    from simpipe.core.paths import Layout
    from simpipe.data.fetch import fetch
    from simpipe.stages import STAGES, stage

    cfg = run_cfg("glove_bilstm_sts", "tracking.enabled=false")
    layout = Layout.from_cfg(cfg)
    fetch(cfg.data, layout.raw(cfg.data.raw_subdir), cfg.paths.mirror)
    old = os.umask(0o022)
    try:
        for name in STAGES:
            stage(name)(cfg)
    finally:
        os.umask(old)
    roots = [layout.prepared(cfg.name), layout.trained(cfg.name), layout.metrics(cfg.name),
             layout.model(cfg.name), layout.report(cfg.name)]  # fmt: skip
    checked = 0
    for root in roots:
        for path in [root, *root.rglob("*")]:
            mode = stat.S_IMODE(path.stat().st_mode)
            wanted = 0o755 if path.is_dir() else 0o644
            assert mode & wanted == wanted, f"{path}: {oct(mode)}"
            checked += 1
    assert checked > 20
