from types import SimpleNamespace

import pytest
from transformers import TrainerControl

from simpipe.config import compose
from simpipe.errors import ConfigError
from simpipe.hardware import resolve_device, resolve_precision
from simpipe.training import EvaluateOnEpochEnd, build_loss, loss_options, training_args


def test_device_and_precision_defaults_on_this_machine():
    device = resolve_device("auto")
    assert resolve_precision("auto", device) == ("fp16" if device == "cuda" else "fp32")
    assert resolve_precision("auto", "cuda") == "fp16"


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
