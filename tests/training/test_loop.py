"""Training: the Trainer's arguments, the losses, the callbacks, the dev curve and the loop itself."""

import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from datasets import Dataset
from torch import nn
from transformers import TrainerControl

from simpipe.evaluation.similarity import evaluate
from simpipe.modeling.model import build_model
from simpipe.tracking.tracker import Tracker
from simpipe.training.args import eval_steps, training_args
from simpipe.training.callbacks import EvaluateOnEpochEnd
from simpipe.training.loop import curve_evaluator, train
from simpipe.training.losses import build_loss, loss_options


@pytest.mark.parametrize(("device", "expected"), [("cpu", 500), ("cuda", 100)])
def test_the_curve_is_sparser_on_the_cpu(variant_cfg, device, expected):
    assert eval_steps(variant_cfg("minilm_homedepot").train, device) == expected
    assert eval_steps(variant_cfg("minilm_homedepot", "train.cpu_eval_steps=null").train, "cpu") == 100


def test_training_args_carry_the_seed_hyperparameters(variant_cfg, tmp_path):
    cfg = variant_cfg("glove_bilstm_sts")
    args = training_args(cfg, tmp_path, "cpu", "fp32")
    assert (args.per_device_train_batch_size, args.num_train_epochs, args.learning_rate) == (32, 1, 5e-5)
    assert args.get_warmup_steps(180) == 18  # warmup ratio 0.1
    assert args.seed == 42 and args.use_cpu and not args.fp16


def test_losses_as_config(run_cfg):
    model = build_model(run_cfg("glove_bilstm_sts").model)
    assert type(build_loss(model, "CoSENTLoss", {"scale": 10.0})).__name__ == "CoSENTLoss"
    assert build_loss(model, "AnglELoss", {}).scale == 20.0
    assert loss_options("CoSENTLoss") == {"scale": 20.0}


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


def test_the_curve_during_training_computes_the_main_similarity_only(variant_cfg):
    cfg = variant_cfg("minilm_homedepot", "eval.main_similarity=dot", "eval.similarity_fns=[cosine,dot]")
    minilm = build_model(cfg.model)
    ds = Dataset.from_dict(
        {"sentence_0": ["a b", "c d", "e f"], "sentence_1": ["a b c", "x", "e"], "label": [1.0, 0.0, 0.5]}
    )
    evaluator = curve_evaluator(ds, cfg)
    assert evaluator.batch_size == cfg.train.eval_batch_size
    assert sorted(evaluate(minilm, evaluator)) == ["pearson_dot", "spearman_dot"]
