"""Bad input through the real command line: one line naming the file or key and the fix, exit 2."""

import json
import subprocess
import sys
from pathlib import Path

import mlflow
import pytest


def simpipe(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simpipe", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def params(tmp_path, quick_params):
    """A quick-profile params.yaml whose paths point into tmp_path (data from the small mirror)."""
    return quick_params(tmp_path)


def assert_empty(path: Path) -> None:
    """No output at all: the directory is missing or holds nothing (not even a temporary file)."""
    assert not path.exists() or not any(path.iterdir()), sorted(path.iterdir())


def error_line(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in result.stderr.splitlines() if "error:" in line]
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_unknown_variant(params, tmp_path):
    line = error_line(simpipe("prepare", "--variant", "nope", "--params", str(params), cwd=tmp_path))
    assert "unknown variant 'nope'" in line and "conf/variant/nope.yaml" in line


def test_missing_data_files_leave_no_partial_output(params, tmp_path):
    line = error_line(simpipe("prepare", "--variant", "glove_bilstm_sts", "--params", str(params), cwd=tmp_path))
    assert "missing sts-train.csv, sts-dev.csv, sts-test.csv; run `simpipe fetch`" in line
    assert_empty(tmp_path / "data" / "prepared")


def test_malformed_data_file_leaves_no_partial_output(params, tmp_path):
    assert simpipe("fetch", "--params", str(params), cwd=tmp_path).returncode == 0
    raw = tmp_path / "data" / "raw" / "stsbenchmark" / "sts-test.csv"
    raw.write_text(raw.read_text().replace("\t", " ", 9))  # first row loses its columns
    line = error_line(simpipe("prepare", "--variant", "glove_bilstm_sts", "--params", str(params), cwd=tmp_path))
    assert "sts-test.csv:1:" in line and "expected at least 7" in line
    assert_empty(tmp_path / "data" / "prepared")


@pytest.mark.slow  # three processes, a real prepare; the error itself: test_modeling (fast)
def test_wrong_glove_path(params, tmp_path):
    text = params.read_text().replace("embeddings: null", "embeddings: /nowhere/glove.6B.300d.txt.gz")
    params.write_text(text)
    assert simpipe("fetch", "--params", str(params), cwd=tmp_path).returncode == 0
    for name in ("prepare", "mine"):
        assert simpipe(name, "--variant", "glove_bilstm_sts", "--params", str(params), cwd=tmp_path).returncode == 0
    line = error_line(simpipe("train", "--variant", "glove_bilstm_sts", "--params", str(params), cwd=tmp_path))
    assert "model.embeddings='/nowhere/glove.6B.300d.txt.gz': file not found" in line
    assert_empty(tmp_path / "trained")


def test_params_check_detects_drift(tmp_path):
    stale = tmp_path / "params.yaml"
    stale.write_text("variants: {}\n")
    line = error_line(simpipe("params", "--check", "--output", str(stale), cwd=tmp_path))
    assert "out of sync with conf/" in line


def test_unknown_config_key_is_rejected_by_hydra_strict_mode(tmp_path):
    line = error_line(simpipe("params", "variants.glove_bilstm_sts.train.lerning_rate=1e-3", cwd=tmp_path))
    assert "lerning_rate" in line and "conf/" in line
    assert not (tmp_path / "params.yaml").exists()


@pytest.mark.slow
def test_results_of_an_untracked_run_are_tracked_later(params, tmp_path):
    """MLflow unreachable while training: everything is still written locally; `simpipe track` copies it over."""
    (tmp_path / "a-file").write_text("not a directory")
    params.write_text(
        params.read_text().replace(f"sqlite:///{tmp_path}/mlflow.db", f"sqlite:///{tmp_path}/a-file/x.db")
    )
    args = ["--variant", "glove_bilstm_sts", "--params", str(params)]
    assert simpipe("fetch", "--params", str(params), cwd=tmp_path).returncode == 0
    for stage in ("prepare", "mine", "train", "evaluate"):
        result = simpipe(stage, *args, cwd=tmp_path)
        assert result.returncode == 0, result.stderr[-2000:]
    record = json.loads((tmp_path / "trained" / "glove_bilstm_sts" / "run.json").read_text())
    assert record["mlflow_run_id"] is None and "could not start the run" in record["tracking_failures"][0]

    line = error_line(simpipe("track", *args, cwd=tmp_path))
    assert "tracking glove_bilstm_sts in sqlite:///" in line and "fix tracking.uri and run it again" in line
    good = f"sqlite:///{tmp_path / 'good.db'}"
    result = simpipe("track", *args, "--uri", good, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    client = mlflow.MlflowClient(good)
    (run,) = client.search_runs([client.get_experiment_by_name("simpipe").experiment_id])
    metrics = json.loads((tmp_path / "metrics" / "glove_bilstm_sts" / "metrics.json").read_text())
    assert run.data.metrics["sts-dev/spearman_cosine"] == metrics["sts-dev"]["spearman_cosine"]
    assert run.data.params["train.max_steps"] == "4" and run.data.tags["variant"] == "glove_bilstm_sts"
    assert [m.step for m in client.get_metric_history(run.info.run_id, "train/loss")] == [1, 2, 3, 4]
    assert sorted(i.dataset.name for i in run.inputs.dataset_inputs) == ["sentence-transformers/stsb"] * 3


def test_a_bad_row_in_a_users_csv_leaves_no_partial_output(params, tmp_path):
    """The shipped variant on a user's CSV (reader `files`): a relevance that is not a number stops prepare."""
    import zipfile

    assert simpipe("fetch", "--params", str(params), cwd=tmp_path).returncode == 0
    raw = tmp_path / "data" / "raw" / "home-depot" / "train.csv.zip"
    with zipfile.ZipFile(raw) as zf:
        text = zf.read("train.csv").decode("iso-8859-1").splitlines()
    text[3] = ",".join([*text[3].split(",")[:-1], "high"])
    with zipfile.ZipFile(raw, "w") as zf:
        zf.writestr("train.csv", "\n".join(text).encode("iso-8859-1"))
    line = error_line(simpipe("prepare", "--variant", "minilm_homedepot_raw", "--params", str(params), cwd=tmp_path))
    assert "train.csv.zip: score 'high' in data row 3 is not a number; fix the row" in line
    assert_empty(tmp_path / "data" / "prepared")
