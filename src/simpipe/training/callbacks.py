"""Trainer callbacks of the train stage: curves to MLflow, and an evaluation at each epoch's end."""

from __future__ import annotations

from transformers import TrainerCallback

from simpipe.artifacts.metrics import curve_metrics
from simpipe.tracking.tracker import Tracker


class CurveCallback(TrainerCallback):
    """Send the loss and dev-metric curves to MLflow as the Trainer logs them: of each dev split, by its
    name in metrics -> the Trainer's key of its dev loss (`eval_loss`; `eval_<set>_loss` of several sets)."""

    def __init__(self, tracker: Tracker, dev_names: dict[str, str]) -> None:
        self.tracker = tracker
        self.dev_names = dev_names

    def on_log(self, args, state, control, logs=None, **kwargs):
        metrics: dict[str, float] = {}
        for dev_name, loss_key in self.dev_names.items():
            metrics.update(curve_metrics(logs or {}, dev_name, loss_key))
        self.tracker.log_metrics(metrics, step=state.global_step)


class EvaluateOnEpochEnd(TrainerCallback):
    """Evaluate at the end of every epoch too, as `model.fit` did (the seed cards' logs)."""

    def on_epoch_end(self, args, state, control, **kwargs):
        # not already evaluated at this step: by eval_steps, or as the Trainer's last step
        if state.global_step % args.eval_steps and state.global_step < state.max_steps:
            control.should_evaluate = True
        return control
