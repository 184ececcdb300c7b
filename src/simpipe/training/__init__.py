"""Training: the Trainer's arguments (`args`), the losses (`losses`), callbacks (`callbacks`), the training
loop (`loop`), crash-safe checkpoints (`checkpoints`, infrastructure: never a DVC dependency), DDP process
topology (`distributed`) and the `train` and `checkpoint` sections (`config`).

Imports `simpipe.core`, `artifacts`, `tracking`, `modeling` and `evaluation`. A new loss goes in `losses`.
"""
