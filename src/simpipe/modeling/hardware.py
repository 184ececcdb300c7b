"""Where and in which precision a model runs: the `train.device` and `train.precision` settings resolved."""

from __future__ import annotations

import logging
import platform
from collections.abc import Iterable
from pathlib import Path

import torch

from simpipe.core.errors import ConfigError

log = logging.getLogger(__name__)

# CPU flags (Linux /proc/cpuinfo) of native bf16 dot products, which oneDNN uses under autocast:
# AVX512-BF16 (Intel Cooper Lake+, AMD Zen 4+) and AMX-BF16 (Intel Sapphire Rapids+)
BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
# autocast dtype of each mixed precision (fp32: none)
AUTOCAST_DTYPES = {"fp16": torch.float16, "bf16": torch.bfloat16}


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The feature flags of the first CPU in `cpuinfo`; empty where there is no such file (macOS, Windows)."""
    if not cpuinfo.is_file():
        return frozenset()
    for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("flags"):
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The CPU's model name (Linux /proc/cpuinfo), else the machine type (x86_64, arm64)."""
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.machine()


def cpu_has_bf16(flags: Iterable[str] | None = None) -> bool:
    """Whether the CPU computes bf16 natively (`flags`: the CPU's feature flags, read when omitted)."""
    return bool(BF16_FLAGS & frozenset(cpu_flags() if flags is None else flags))


def resolve_device(setting: str) -> str:
    """`auto` -> cuda when available, else cpu."""
    if setting == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if setting == "cuda" and not torch.cuda.is_available():
        raise ConfigError("train.device=cuda but no CUDA device is available; use train.device=auto or cpu")
    return setting


def resolve_precision(setting: str, device: str, cpu_bf16: bool | None = None) -> str:
    """`auto` -> fp16 mixed precision on CUDA (as the seed cards); on the CPU bf16 autocast where the
    CPU computes bf16 natively (`cpu_bf16`, detected from its flags when omitted), else fp32.
    The measurements behind the CPU choice (speed, final metrics against fp32): bench/RESULTS.md."""
    if setting == "fp16" and device != "cuda":
        raise ConfigError("train.precision=fp16 needs CUDA; use train.precision=auto, fp32 or bf16 on the CPU")
    if device == "cuda":
        return "fp16" if setting == "auto" else setting
    native = cpu_has_bf16() if cpu_bf16 is None else cpu_bf16
    if setting == "auto":
        return "bf16" if native else "fp32"
    if setting == "bf16" and not native:
        log.warning(
            "train.precision=bf16: this CPU has no native bf16 (flags %s), so bf16 is emulated and slower "
            "than fp32; use train.precision=auto",
            "/".join(sorted(BF16_FLAGS)),
        )
    return setting
