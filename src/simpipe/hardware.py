"""Where and in which precision a model runs: the `train.device` and `train.precision` settings resolved."""

from __future__ import annotations

import torch

from simpipe.errors import ConfigError

PRECISIONS = ("fp32", "fp16", "bf16")


def resolve_device(setting: str) -> str:
    """`auto` -> cuda when available, else cpu."""
    if setting == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if setting == "cuda" and not torch.cuda.is_available():
        raise ConfigError("train.device=cuda but no CUDA device is available; use train.device=auto or cpu")
    if setting not in ("cpu", "cuda"):
        raise ConfigError(f"train.device={setting!r} is invalid; use auto, cpu or cuda")
    return setting


def resolve_precision(setting: str, device: str) -> str:
    """`auto` -> fp16 mixed precision on CUDA (as the seed cards), fp32 on the CPU."""
    if setting == "auto":
        return "fp16" if device == "cuda" else "fp32"
    if setting not in PRECISIONS:
        raise ConfigError(f"train.precision={setting!r} is invalid; use auto, {', '.join(PRECISIONS)}")
    if setting == "fp16" and device != "cuda":
        raise ConfigError("train.precision=fp16 needs CUDA; use train.precision=auto, fp32 or bf16 on the CPU")
    return setting
