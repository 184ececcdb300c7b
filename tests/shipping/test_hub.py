"""`simpipe publish`: what is missing (model, repo id, network, token) is a one-line error with exit code 2."""

import os
import subprocess
import sys

import pytest

from simpipe.cli import main


@pytest.fixture
def params(tmp_path, quick_params):
    """params.yaml rooted in tmp_path, with a built model directory for glove_bilstm_sts (its card only)."""
    path = quick_params(tmp_path)
    (tmp_path / "models" / "glove_bilstm_sts").mkdir(parents=True)
    (tmp_path / "models" / "glove_bilstm_sts" / "README.md").write_text("# card\n")
    return path


def publish(params, *args: str) -> list[str]:
    return ["publish", "--params", str(params), *args]


def test_offline_publish_is_a_one_line_error_with_exit_code_2(params):
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    args = publish(params, "--variant", "glove_bilstm_sts", "--repo-id", "team/glove")
    result = subprocess.run([sys.executable, "-m", "simpipe", *args], env=env, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "simpipe publish: error: HF_HUB_OFFLINE is set: the hub cannot be reached; unset it on a machine with internet"
    ]


def test_without_a_token_publish_names_the_login(params, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_TOKEN_PATH", str(tmp_path / "no-token"))
    assert main(publish(params, "--variant", "glove_bilstm_sts", "--repo-id", "team/glove")) == 2
    assert "error: no Hugging Face token: run `hf auth login` or set HF_TOKEN" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("variant", "repo_id", "message"),
    [
        ("glove_bilstm_sts", "glove", r"--repo-id 'glove': expected ORG/NAME, e.g. my-team/glove-bilstm-sts"),
        ("minilm_sts", "team/x", r"models/minilm_sts: no model with its card yet; run `dvc repro card@minilm_sts`"),
    ],
)
def test_publish_names_what_is_missing(params, capsys, variant, repo_id, message):
    assert main(publish(params, "--variant", variant, "--repo-id", repo_id)) == 2
    assert message in capsys.readouterr().err
