import logging
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from datasets import Dataset
from torch import nn
from transformers import TrainerControl

from simpipe.config import compose
from simpipe.errors import ConfigError
from simpipe.hardware import cpu_flags, cpu_has_bf16, resolve_device, resolve_precision
from simpipe.modeling import build_model
from simpipe.tracking import Tracker
from simpipe.training import EvaluateOnEpochEnd, build_loss, eval_steps, loss_options, train, training_args

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


@pytest.mark.parametrize(("device", "expected"), [("cpu", 500), ("cuda", 100)])
def test_the_curve_is_sparser_on_the_cpu(device, expected):
    assert eval_steps(compose("run", ["variant=minilm_homedepot"]).train, device) == expected
    assert eval_steps(compose("run", ["variant=minilm_homedepot", "train.cpu_eval_steps=null"]).train, "cpu") == 100


def test_eval_steps_below_one_name_the_key():
    with pytest.raises(ConfigError, match=r"train\.cpu_eval_steps=0 must be at least 1"):
        eval_steps(compose("run", ["train.cpu_eval_steps=0"]).train, "cpu")


def test_fp16_on_cpu_is_rejected_with_the_fix():
    with pytest.raises(ConfigError, match=r"train\.precision=fp16 needs CUDA; use train\.precision=auto"):
        resolve_precision("fp16", "cpu")


def test_bad_precision_and_device_values():
    with pytest.raises(ConfigError, match=r"train\.precision='fp8' is invalid"):
        resolve_precision("fp8", "cpu")
    with pytest.raises(ConfigError, match=r"train\.device='tpu' is invalid"):
        resolve_device("tpu")


def test_training_args_carry_the_seed_hyperparameters(tmp_path):
    cfg = compose("run", ["variant=glove_bilstm_sts"])
    args = training_args(cfg, tmp_path, "cpu", "fp32")
    assert (args.per_device_train_batch_size, args.num_train_epochs, args.learning_rate) == (32, 1, 5e-5)
    assert args.get_warmup_steps(180) == 18  # warmup ratio 0.1
    assert args.seed == 42 and args.use_cpu and not args.fp16


def test_warmup_ratio_out_of_range(tmp_path):
    cfg = compose("run", ["train.warmup_ratio=1.5"])
    with pytest.raises(ConfigError, match=r"train\.warmup_ratio=1\.5 must be in \[0, 1\)"):
        training_args(cfg, tmp_path, "cpu", "fp32")


def test_losses_as_config(run_cfg):
    from simpipe.modeling import build_model

    model = build_model(run_cfg("glove_bilstm_sts").model)
    assert type(build_loss(model, "CoSENTLoss", {"scale": 10.0})).__name__ == "CoSENTLoss"
    assert build_loss(model, "AnglELoss", {}).scale == 20.0
    assert loss_options("CoSENTLoss") == {"scale": 20.0}


def test_unknown_loss_names_the_choices():
    with pytest.raises(ConfigError, match=r"train\.loss='MultipleNegativesRankingLoss' is unknown; choose one of "
                       r"CosineSimilarityLoss, CoSENTLoss, AnglELoss"):  # fmt: skip
        build_loss(None, "MultipleNegativesRankingLoss", {})


def test_unknown_loss_parameter_names_what_the_loss_takes():
    with pytest.raises(ConfigError, match=r"train\.loss_params\.margin: not a parameter of AnglELoss; it takes: "
                       r"scale \(default 20\.0\)"):  # fmt: skip
        build_loss(None, "AnglELoss", {"margin": 0.5})


@pytest.mark.parametrize(
    ("step", "max_steps", "evaluates"),
    [(250, 1000, True), (300, 1000, False), (999, 999, False), (1000, 1000, False)],
)
def test_epoch_end_evaluates_once_per_step(step, max_steps, evaluates):
    """Epoch ends get an evaluation unless eval_steps or the Trainer's last-step evaluation gives one."""
    control = TrainerControl()
    EvaluateOnEpochEnd().on_epoch_end(SimpleNamespace(eval_steps=100), SimpleNamespace(global_step=step,
                                      max_steps=max_steps), control)  # fmt: skip
    assert control.should_evaluate is evaluates


COLOURS = ("red", "blue", "green", "white", "black", "grey", "pink", "gold")
PAIRS = Dataset.from_dict(
    {
        "sentence_0": [f"a small {c} house" for c in COLOURS] * 4,
        "sentence_1": [f"the {c} home is small" for c in reversed(COLOURS)] * 4,
        "label": [(i % 5) / 4 for i in range(32)],
    }
)


def quick_train(run_cfg, tmp_path, variant: str, precision: str, *overrides: str, hook=None):
    """Train `variant` on PAIRS in `precision` (8 steps of 4); its model and log history."""
    cfg = run_cfg(variant, "train.batch_size=4", "train.max_steps=8", "tracking.enabled=false", *overrides)
    torch.manual_seed(0)
    model = build_model(cfg.model)
    if hook:
        hook(model)
    work = Path(tempfile.mkdtemp(dir=tmp_path))  # each run its own Trainer output dir
    pairs = PAIRS.rename_columns(dict(zip(PAIRS.column_names, cfg.data.columns, strict=True)))
    result = train(cfg, model, pairs, pairs, Tracker(cfg), work, "cpu", precision)
    return model, result.log_history


@pytest.mark.slow
@pytest.mark.parametrize(("variant", "layer"), [("minilm_homedepot", nn.Linear), ("glove_bilstm_sts", nn.LSTM)])
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_training_runs_the_kernels_of_its_precision(run_cfg, tmp_path, variant, layer, precision):
    """bf16 on the CPU is autocast: the Linear (MiniLM) and LSTM (GloVe) layers compute in bf16
    in every training step; the weights stay fp32."""
    seen: set[torch.dtype] = set()

    def record(model):
        def output_dtype(module, args, output):
            if module.training:  # an LSTM returns (PackedSequence, (h, c))
                out = output[0] if isinstance(output, tuple) else output
                seen.add(getattr(out, "data", out).dtype)

        for module in model.modules():
            if isinstance(module, layer):
                module.register_forward_hook(output_dtype)

    model, _ = quick_train(run_cfg, tmp_path, variant, precision, hook=record)
    assert seen == {torch.bfloat16 if precision == "bf16" else torch.float32}
    assert {p.dtype for p in model.parameters()} == {torch.float32}


@pytest.mark.slow
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_the_curve_does_not_change_the_trained_model(run_cfg, tmp_path, precision):
    """A dev curve every step (in the training's precision) or only at the end: the same weights,
    so the same final metrics."""
    every_step, curve = quick_train(run_cfg, tmp_path, "glove_bilstm_sts", precision, "train.cpu_eval_steps=1")
    at_end, end_curve = quick_train(run_cfg, tmp_path, "glove_bilstm_sts", precision, "train.cpu_eval_steps=1000")
    assert sum("eval_sts-dev_spearman_cosine" in e for e in curve) == 8
    assert sum("eval_sts-dev_spearman_cosine" in e for e in end_curve) == 1
    for (name, a), b in zip(every_step.state_dict().items(), at_end.state_dict().values(), strict=True):
        assert torch.equal(a, b), name
