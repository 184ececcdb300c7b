"""`simpipe publish`: a variant's model directory (models/<variant>, with simpipe's card) to the
Hugging Face hub through sentence-transformers' `push_to_hub`."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from simpipe.artifacts.documents import CARD_FILE
from simpipe.core.errors import SimpipeError
from simpipe.core.hub import is_hub_id

log = logging.getLogger(__name__)


def check_ready(model_dir: Path, repo_id: str, variant: str) -> str:
    """The hub token, once the model, the repo id, the network setting and the token are all there."""
    from huggingface_hub import get_token

    if not is_hub_id(repo_id):
        raise SimpipeError(f"--repo-id {repo_id!r}: expected ORG/NAME, e.g. my-team/{variant.replace('_', '-')}")
    if not (model_dir / CARD_FILE).is_file():
        raise SimpipeError(f"{model_dir}: no model with its card yet; run `dvc repro card@{variant}` (or `dvc pull`)")
    if os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes"):
        raise SimpipeError("HF_HUB_OFFLINE is set: the hub cannot be reached; unset it on a machine with internet")
    token = get_token()
    if not token:
        raise SimpipeError("no Hugging Face token: run `hf auth login` or set HF_TOKEN (a token with write access)")
    return token


def publish(model_cfg, model_dir: Path, repo_id: str, variant: str, private: bool) -> str:
    """Push `model_dir` (a model of the `model` config `model_cfg`) as it is (weights, config, simpipe's README
    card) to `repo_id`; the commit URL."""
    from simpipe.modeling.model import load_model

    token = check_ready(model_dir, repo_id, variant)
    model = load_model(model_cfg, model_dir, "cpu")
    try:
        url = model.push_to_hub(repo_id, token=token, private=private, local_model_path=str(model_dir),
                                exist_ok=True, commit_message=f"simpipe: {variant}")  # fmt: skip
    except OSError as exc:  # connection errors and hub HTTP errors are OSErrors in huggingface_hub
        raise SimpipeError(f"push of {model_dir} to {repo_id} failed: {str(exc).splitlines()[0]}") from exc
    log.info("published %s to %s", model_dir, url)
    return url
