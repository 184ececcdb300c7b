"""Where and in which precision a model runs: `train.device` and `train.precision` resolved on this machine
or on CPUs described by their flags."""

import logging

import pytest

from simpipe.core.errors import ConfigError
from simpipe.modeling.hardware import cpu_flags, cpu_has_bf16, resolve_device, resolve_precision

# /proc/cpuinfo flags of the two CPUs these machines have had: an AMD EPYC (Zen 4) and an older Xeon
ZEN4_FLAGS = "fpu sse2 avx2 fma avx512f avx512bw avx512_bf16 avx512vnni"
NO_BF16_FLAGS = "fpu sse2 avx2 fma avx512f avx512bw avx512vnni"


def test_device_and_precision_defaults_on_this_machine():
    device = resolve_device("auto")
    cpu = "bf16" if cpu_has_bf16() else "fp32"
    assert resolve_precision("auto", device) == ("fp16" if device == "cuda" else cpu)
    assert resolve_precision("auto", "cuda") == "fp16"


@pytest.mark.parametrize(("flags", "expected"), [(ZEN4_FLAGS, "bf16"), (NO_BF16_FLAGS, "fp32"), ("amx_bf16", "bf16")])
def test_auto_precision_on_a_cpu_follows_its_bf16_support(flags, expected):
    assert resolve_precision("auto", "cpu", cpu_bf16=cpu_has_bf16(flags.split())) == expected
    assert resolve_precision("fp32", "cpu", cpu_bf16=cpu_has_bf16(flags.split())) == "fp32"


def test_bf16_asked_for_on_a_cpu_without_it_warns_and_runs(caplog):
    with caplog.at_level(logging.WARNING):
        assert resolve_precision("bf16", "cpu", cpu_bf16=False) == "bf16"
    assert "no native bf16" in caplog.text and "train.precision=auto" in caplog.text
    caplog.clear()
    assert resolve_precision("bf16", "cpu", cpu_bf16=True) == "bf16" and not caplog.text


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: {ZEN4_FLAGS}\n\nprocessor\t: 1\n")
    assert cpu_has_bf16(cpu_flags(cpuinfo)) and "avx512f" in cpu_flags(cpuinfo)
    assert cpu_flags(tmp_path / "absent") == frozenset()  # macOS, Windows: no file, no bf16 claimed


def test_fp16_on_cpu_is_rejected_with_the_fix():
    with pytest.raises(ConfigError, match=r"train\.precision=fp16 needs CUDA; use train\.precision=auto"):
        resolve_precision("fp16", "cpu")
