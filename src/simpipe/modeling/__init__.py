"""Modeling: the untrained model of a `model` config (`model`: pretrained transformers or GloVe + BiLSTM
from `glove`), where and in which precision it runs (`hardware`), and the `model` section (`config`).

Imports only `simpipe.core`. A new model kind is a builder in `model.KINDS`, its section (with its family) in `config`
and a file in `conf/model/`.
"""
