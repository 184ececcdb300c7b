from types import SimpleNamespace

import pytest
from omegaconf import OmegaConf
from transformers import TrainerControl

from simpipe.config import compose
from simpipe.errors import ConfigError
from simpipe.stages.train import curves
from simpipe.training import EvaluateOnEpochEnd, curve_metrics, resolve_device, resolve_precision, training_args


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


def test_curve_metrics_are_namespaced():
    logs = {
        "loss": 0.1,
        "learning_rate": 1e-5,
        "eval_loss": 0.2,
        "eval_sts-dev_spearman_cosine": 0.7,
        "epoch": 1,
    }
    assert curve_metrics(logs, "sts-dev") == {
        "train/loss": 0.1,
        "train/learning_rate": 1e-5,
        "sts-dev/spearman_cosine": 0.7,
        "sts-dev/loss": 0.2,
    }


def test_curves_csv_from_log_history():
    history = [
        {"loss": 0.3, "step": 1, "epoch": 0.5},
        {"eval_sts-dev_spearman_cosine": 0.6, "eval_loss": 0.2, "step": 2, "epoch": 1.0},
        {"train_runtime": 1.0, "step": 2, "epoch": 1.0},
    ]
    dev, loss = curves(history, "sts-dev")
    assert dev == "step,epoch,spearman_cosine\n2,1.0,0.6\n"
    assert loss == "step,epoch,loss\n1,0.5,0.3\n"


def test_unsupported_loss_is_rejected():
    from simpipe.training import train

    cfg = OmegaConf.merge(compose("run"), {"train": {"loss": "MultipleNegativesRankingLoss"}})
    with pytest.raises(ConfigError, match=r"train\.loss='MultipleNegativesRankingLoss' is not supported"):
        train(cfg, None, None, None, None, None, "cpu", "fp32")


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
