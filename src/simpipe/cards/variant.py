"""The variant a card's facts make (`simpipe variant --from-card`): the config groups and, within them, only
the keys whose card value differs from the group's default; and one line for each thing the card states that
cannot be reproduced here, with the key to set. Nothing is substituted: a loss or base model simpipe cannot
use stays in the variant, and the stage that needs it stops with a one-line error.

Card facts -> config keys (hyperparameters of sentence-transformers 3+ cards, or a 2.x card's fit()):
    modules WordEmbeddings/LSTM -> model=glove_bilstm (lstm.*), StaticEmbedding -> model=static (embedding_dim,
    init random), Transformer -> model=minilm (name_or_path)
    base model -> model.name_or_path, card.base_model; max sequence length -> model.max_seq_length
    prompts (config_sentence_transformers.json beside the card) -> model.prompts
    loss, its parameters -> train.loss, train.loss_params; MatryoshkaLoss, AdaptiveLayerLoss, Matryoshka2dLoss
        -> its inner loss + train.matryoshka / train.adaptive_layers; GIST's guide, a distillation loss's
        teacher -> train.guide, train.teacher (`???`: no card names them)
    batch size, epochs, learning rate, scheduler, warmup (steps as a ratio), weight decay, seed, max steps,
        bf16, batch sampler, multi-dataset sampler, load_best_model_at_end -> train.*; what a non-default list
        leaves out: the Trainer's default; the Training Logs' intervals -> train.eval_steps, logging_steps
    no evaluation data set -> train.eval_loss false; evaluator names -> data.dev_name, data.test_name (those
        whose model-index data set is `<set> <split>`: train.datasets.<set>.data's)
    data set (hub id, revision, subset, columns) -> data=hub with data.roles in the loss's shape, or
        the given data group (`--data`), which states what no card does (text processing, the split); each
        further training data set -> train.datasets.<name> (its data group: `--data <name>=GROUP`, loss, loss
        parameters); columns beyond a group's shape named as mined negatives -> mine.enabled, num_negatives
    what a card does not state, or states as no value simpipe takes -> `??? (not stated by the card ...)`
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import math
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from simpipe.cards.facts import CROSS_ENCODER as CARD_CROSS_ENCODER
from simpipe.cards.facts import EVAL, UNNAMED, CardFacts, DatasetFacts
from simpipe.cards.markdown import value
from simpipe.cards.sources import require_trainable
from simpipe.core.config import CONF_DIR
from simpipe.core.errors import ConfigError
from simpipe.core.families import BI_ENCODER, CROSS_ENCODER
from simpipe.core.sections import UNSET, convert, is_unset
from simpipe.data.shapes import SHAPES
from simpipe.training.catalog import FAMILY_LOSSES, Loss, batch_sampler, losses_for, losses_of
from simpipe.training.config import AdaptiveLayersConfig, TrainConfig, negative_columns
from simpipe.training.losses import loss_class, loss_options

GROUPS = ("data", "model", "mine", "train", "eval", "card", "report")
# trainer argument -> train key
TRAIN_KEYS = {
    "per_device_train_batch_size": "batch_size", "per_device_eval_batch_size": "eval_batch_size",
    "num_train_epochs": "epochs", "learning_rate": "learning_rate", "lr_scheduler_type": "lr_scheduler",
    "warmup_ratio": "warmup_ratio", "weight_decay": "weight_decay", "seed": "seed", "max_steps": "max_steps",
    "gradient_accumulation_steps": "gradient_accumulation_steps", "gradient_checkpointing": "gradient_checkpointing",
    "eval_steps": "eval_steps", "logging_steps": "logging_steps",
    "load_best_model_at_end": "load_best_model_at_end", "metric_for_best_model": "metric_for_best_model",
    "multi_dataset_batch_sampler": "multi_dataset_sampler",
}  # fmt: skip
# the train keys every card must state (or the variant has them `???`, listed): what shapes training most
STATED = ("batch_size", "epochs", "learning_rate", "lr_scheduler", "warmup_ratio", "weight_decay")
# trainer arguments that change nothing a run computes (or that the mapping reads itself)
NOT_TRAINING = {
    "eval_strategy", "use_cpu", "dataloader_pin_memory", "fp16", "bf16",
    "batch_sampler", "warmup_steps", "prompts", "router_mapping", "learning_rate_mapping", "save_strategy",
    "save_steps", "save_total_limit", "logging_strategy", "report_to", "run_name", "push_to_hub",
    "hub_model_id", "overwrite_output_dir", "do_predict", "prediction_loss_only",
    "ddp_find_unused_parameters",
}  # fmt: skip
INTEGER_KEYS = {"batch_size", "eval_batch_size", "epochs", "seed", "max_steps", "gradient_accumulation_steps",
                "eval_steps", "logging_steps"}  # fmt: skip
SCHEDULERS_2X = {"warmuplinear": "linear", "warmupcosine": "cosine", "warmupconstant": "constant_with_warmup",
                 "constantlr": "constant", "warmupcosinewithhardrestarts": "cosine_with_restarts"}  # fmt: skip
MATRYOSHKA = "MatryoshkaLoss"
# losses that wrap another (the card prints the inner one as `loss`): train.matryoshka, train.adaptive_layers
WRAPPERS = (MATRYOSHKA, "AdaptiveLayerLoss", "Matryoshka2dLoss")
# a classifier loss's parameters that the prepared data gives (simpipe.training.losses.build_loss)
FROM_DATA = ("num_labels", "embedding_dimension")
LOG_COLUMNS = ("Epoch", "Step", "Training Loss")
SHIPPED_BASE = "sentence-transformers/all-MiniLM-L6-v2"  # the base model conf/model/minilm.yaml has offline
# a key the card does not state (or states as no value simpipe takes): to be set, listed on top of the file;
# a plain `???` would leave the group's default in place when Hydra merges the variant over it
NOT_STATED = f"{UNSET} (not stated by the card: see the list above)"


@dataclass
class Mapped:
    """A variant made from a card: its file's content, what cannot be reproduced here (a line each, with the
    key to set) and what the data config supplies that the card does not state."""

    config: dict[str, Any]
    missing: list[str] = field(default_factory=list)
    from_data: list[str] = field(default_factory=list)
    # the names of the variant's other data sets (train.datasets), for conf/config.yaml's `sets` index
    sets: list[str] = field(default_factory=list)
    guide: bool = False  # a loss of the card takes a guide model the card does not name (train.guide: ???)
    teacher: bool = False  # a loss of the card learns a teacher's scores; no card names the teacher
    family: str = BI_ENCODER  # the model family of the card's model: its losses are that family's

    @property
    def losses(self) -> dict[str, Loss]:
        """The loss table of the card's model family."""
        return FAMILY_LOSSES[self.family]


def group_defaults(group: str, option: str, conf_dir: Path = CONF_DIR) -> dict[str, Any]:
    """The keys of conf/<group>/<option>.yaml (its own defaults list dropped)."""
    node = OmegaConf.to_container(OmegaConf.load(conf_dir / group / f"{option}.yaml"), resolve=False)
    node.pop("defaults", None)
    return node


def variant_from_card(
    card: CardFacts, name: str, reference: str, data: str | None = None, set_data: Mapping[str, str] | None = None
) -> Mapped:
    """The variant `name` of `card` (refused for a model type simpipe cannot train), comparing its runs with
    the facts file `reference`; `data`: the conf/data group of the card's (first) data set; `set_data`: the
    groups of its further data sets, by their train.datasets name."""
    require_trainable(card)
    set_data = dict(set_data or {})
    for group in [data, *set_data.values()]:
        _check_group(group)
    mapped = Mapped(config={}, family=CROSS_ENCODER if card.model_type == CARD_CROSS_ENCODER else BI_ENCODER)
    choices = {"mine": "default", "train": "default", "eval": "default", "card": "default", "report": "default"}
    model_choice, model = _model(card, mapped)
    train_sets = card.train_datasets()
    own = train_sets[0] if train_sets else None
    keys = _set_keys(train_sets)
    evaluated = _evaluated(card, train_sets)
    data_choice, data_keys = _data(own, data, "data", mapped)
    data_keys.update(_split_names(evaluated[0] if train_sets else _evaluator_names(card.evaluators)))
    choices = {"data": data_choice, "model": model_choice, **choices}
    train = _train(card, mapped)
    if unknown := sorted(set(set_data) - set(keys[1:])):
        known = ", ".join(keys[1:]) or "none (the card has one training data set)"
        raise ConfigError(f"--data {unknown[0]}={set_data[unknown[0]]}: the card has no further data set "
                          f"{unknown[0]}; its further sets: {known}")  # fmt: skip
    taken = {data_keys.get(key) or _group_split(data_choice, key) for key in ("dev_name", "test_name")}
    more = list(zip(keys[1:], train_sets[1:], evaluated[1:], strict=True))
    set_groups = _more_sets(more, set_data, taken, train, mapped)
    wanted = {
        "data": data_keys,
        "mine": _mined(own, data_choice, "mine", mapped),
        "model": model,
        "train": train,
        "card": {"base_model": card.base_model, "language": _language(card)},
        "report": {"reference": reference},
    }
    defaults = [{f"/{group}": choices[group]} for group in GROUPS]
    at = GROUPS.index("train") + 1  # a set's data group after the train group, whose datasets is {}
    defaults[at:at] = [{f"/data@train.datasets.{key}.data": group} for key, group in set_groups.items()]
    mapped.config = {
        "defaults": [*defaults, "_self_"],
        "name": name,
        **{group: keys for group in GROUPS if (keys := _differing(wanted.get(group, {}), group, choices[group]))},
    }
    mapped.sets = list(set_groups)
    return mapped


def _check_group(group: str | None) -> None:
    """Refuse a `--data` group that conf/data/ does not have."""
    groups = sorted(path.stem for path in (CONF_DIR / "data").glob("*.yaml"))
    if group is not None and group not in groups:
        raise ConfigError(f"--data {group}: no conf/data/{group}.yaml; choose one of {', '.join(groups)}")


def _set_keys(train_sets: list[DatasetFacts]) -> list[str]:
    """Each training data set's name in the variant: the first's is its data's (unused here), the others'
    their train.datasets keys (lower-case, distinct)."""
    keys: list[str] = []
    for i, dataset in enumerate(train_sets, start=1):
        keys.append(_set_name(dataset.name or dataset.hub_id or f"set_{i}", set(keys)))
    return keys


def _evaluated(card: CardFacts, train_sets: list[DatasetFacts]) -> list[list[str]]:
    """The evaluator (split) names of each training data set: those whose model-index data set is named
    `<set> <split>` (as simpipe's cards name them) belong to that set, the rest to the first."""
    names = [d.name for d in train_sets]
    out: list[list[str]] = [[] for _ in train_sets]
    for evaluator in card.evaluators:
        label = str(evaluator.params.get("name") or "")
        owners = [i for i, name in enumerate(names) if name and label.startswith(f"{name} ")]
        owner = max(owners, key=lambda i: len(names[i]), default=0)  # the longest name: "a b" before "a"
        out[owner].extend(_evaluator_names([evaluator]))
    return [list(dict.fromkeys(split)) for split in out]


def _evaluator_names(evaluators) -> list[str]:
    """The names of evaluators of the training data (MTEB's benchmark results name no split of it)."""
    return [e.name for e in evaluators if not e.name.startswith("mteb/") and e.name != UNNAMED]


def _more_sets(
    more: list[tuple[str, DatasetFacts, list[str]]],
    set_data: Mapping[str, str],
    taken: set[str],
    train: dict[str, Any],
    mapped: Mapped,
) -> dict[str, str]:
    """train.datasets from a card's training data sets after the first, (key, facts, evaluator names) each,
    with its data (its `set_data` group, a shipped group of its hub id, else the hub reader), split names
    (its evaluators', else its group's; `<set>-dev|test` where another set has one), mining, loss and loss
    parameters:
    set name -> its data group. A wrapper (train.matryoshka, train.adaptive_layers) wraps every set's loss
    alike: a set whose differs is listed."""
    groups: dict[str, str] = {}
    for key, dataset, evaluated in more:
        where = f"train.datasets.{key}"
        group, keys = _data(dataset, set_data.get(key), f"{where}.data", mapped, f"--data {key}=GROUP")
        named = _split_names(evaluated)
        splits = {name: named.get(name, _group_split(group, name)) for name in ("dev_name", "test_name")}
        # another set's name: metrics.json keys each set's splits by name, so this set's is `<set>-dev|test`
        splits = {name: f"{key}-{name.split('_')[0]}" if split in taken else split for name, split in splits.items()}
        keys.update({name: split for name, split in splits.items() if split != _group_split(group, name)})
        taken |= set(splits.values())
        loss = _loss(dataset, where, mapped)
        for wrapper in ("matryoshka", "adaptive_layers"):
            if loss.pop(wrapper, None) != train.get(wrapper):
                mapped.missing.append(f"{where}: its loss wrapper differs from the first set's; simpipe wraps every "
                                      f"set's loss alike (train.{wrapper})")  # fmt: skip
        set_keys: dict[str, Any] = {"data": data} if (data := _differing(keys, "data", group)) else {}
        set_keys["loss"] = loss.get("loss", NOT_STATED)
        if loss.get("loss_params"):
            set_keys["loss_params"] = loss["loss_params"]
        if mine := _differing(_mined(dataset, group, f"{where}.mine", mapped), "mine", "default"):
            set_keys["mine"] = mine
        train.setdefault("datasets", {})[key] = set_keys
        groups[key] = group
    return groups


def _group_split(group: str, key: str) -> str:
    """A data group's dev_name or test_name (`key`), through its defaults list."""
    return str(_composed_data(group)[key])


def _composed_data(group: str):
    """conf/data/<group>.yaml composed (its own defaults list followed)."""
    from simpipe.core.config import compose

    return compose("run", [f"data={group}"]).data


def _mined(dataset: DatasetFacts | None, group: str, where: str, mapped: Mapped) -> dict[str, Any]:
    """`where` (mine, or train.datasets.<name>.mine) of a training data set read by data group `group`: the
    card's columns beyond the group's training columns, named as mined negatives are (negative, negative_1,
    ...), were mined: enabled, with how many; how they were mined a card does not state (listed)."""
    if dataset is None or not dataset.columns or group == "hub":  # the hub reader takes the card's columns
        return {}
    shape = str(_composed_data(group).shape)
    given = len(SHAPES[shape].roles) if shape in SHAPES else len(dataset.columns)  # its training columns
    loss = _inner_loss(dataset)
    columns = list(dataset.columns)
    if loss in mapped.losses and mapped.losses[loss].teacher and columns[-1:] == ["label"]:
        columns = columns[:-1]  # the teacher's scores: the mine stage computes them (train.teacher)
    extra = columns[given:]
    if not extra:
        return {}
    if extra == negative_columns(len(extra)) and loss in mapped.losses and "triplets" in mapped.losses[loss].shapes:
        mapped.missing.append(
            f"{where}: the card's {', '.join(extra)} column(s) are mined hard negatives: {where}.enabled true; how "
            f"they were mined a card does not state ({where}.range_max, margins, sampling: conf/mine/default.yaml's)"
        )
        return {"enabled": True, "num_negatives": len(extra)}
    mapped.missing.append(
        f"{where.rsplit('.', 1)[0] + '.data' if '.' in where else 'data'}={group}: the card trained on the columns "
        f"{', '.join(dataset.columns)}, more than the {given} of its shape {shape}; choose a data group with them"
    )
    return {}


def _set_name(text: str, taken: set[str]) -> str:
    """A train.datasets key from a data set's name (lower-case letters, digits, _), not one of `taken`."""
    base = re.sub(r"[^a-z0-9]+", "_", text.split("/")[-1].lower()).strip("_") or "set"
    base = base if base[0].isalpha() else f"set_{base}"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def new_variant(name: str, data: str, model: str = "minilm") -> Mapped:
    """A variant of no card (`simpipe variant --new`): data group `data`, model group `model`, every other
    group's defaults, and the first loss that takes the data's shape where the default loss does not."""
    from simpipe.core.config import compose

    for group, option in (("data", data), ("model", model)):
        options = sorted(path.stem for path in (CONF_DIR / group).glob("*.yaml"))
        if option not in options:
            raise ConfigError(f"--{group} {option}: no conf/{group}/{option}.yaml; choose one of {', '.join(options)}")
    composed = compose("run", [f"data={data}", f"model={model}"])
    shape, loss = composed.data.shape, composed.train.loss
    config: dict[str, Any] = {
        "defaults": [{f"/{group}": {"data": data, "model": model}.get(group, "default")} for group in GROUPS]
        + ["_self_"],
        "name": name,
    }
    table = losses_of(composed.model)
    if shape in SHAPES and (loss not in table or shape not in table[loss].shapes) and losses_for(shape, table):
        config["train"] = {"loss": losses_for(shape, table)[0]}
    if composed.model.kind in ("transformer", "cross_encoder"):
        config["card"] = {"base_model": "${..model.name_or_path}"}
    data_keys = OmegaConf.to_container(composed.data, resolve=False)
    unset = [key for key, value in data_keys.items() if is_unset(value)]
    return Mapped(
        config=config,
        missing=[f"data.{key}: conf/data/{data}.yaml leaves it to set; set it in the variant" for key in unset],
        from_data=[f"data={data}: the data set, its shape ({shape}), text processing and split"],
    )


def _differing(wanted: dict[str, Any], group: str, option: str) -> dict[str, Any]:
    defaults = group_defaults(group, option)
    return {key: v for key, v in wanted.items() if key not in defaults or not _same(defaults[key], v)}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, int | float) and isinstance(b, int | float) and math.isclose(a, b)
    return a == b


def _language(card: CardFacts) -> str | None:
    return card.language[0] if len(card.language) == 1 else None


def _model(card: CardFacts, mapped: Mapped) -> tuple[str, dict[str, Any]]:
    """The model group and keys: GloVe + LSTM modules, static token vectors, a cross-encoder (its transformer
    and head), else a pretrained transformer."""
    if "WordEmbeddings" in card.modules:
        architecture = card.architecture or ""
        keys: dict[str, Any] = {}
        if lstm := re.search(r"LSTM\((\d+), (\d+)([^)]*)\)", architecture):  # torch's LSTM(in, hidden, ...)
            options = lstm.group(3)
            layers = re.search(r"num_layers=(\d+)", options)
            keys["lstm"] = {"hidden_dim": int(lstm.group(2)), "num_layers": int(layers.group(1)) if layers else 1,
                            "bidirectional": "bidirectional=True" in options}  # fmt: skip
        if words := re.search(r"Embedding\((\d+), (\d+)\)", architecture):
            mapped.missing.append(
                f"model.embeddings: the card's word vectors are {words.group(2)}-d ({int(words.group(1)):,} words); "
                "simpipe ships GloVe 6B 50-d offline: set model.embeddings to the card's file (glove.6B.300d.txt)"
            )
        return "glove_bilstm", keys
    if "StaticEmbedding" in card.modules:  # vectors trained from random ones: no base model, a tokenizer
        mapped.missing.append(
            "model.name_or_path: a static model's card names no tokenizer; simpipe takes all-MiniLM-L6-v2's "
            "(BERT's uncased vocabulary): set it to the tokenizer the card's model was trained with if it differs"
        )
        if card.output_dim is None:
            mapped.missing.append("model.embedding_dim: the card does not state it; set it (the vector size)")
        return "static", {"init": "random", "embedding_dim": card.output_dim or NOT_STATED}
    if mapped.family == CROSS_ENCODER:
        group, keys = "minilm_reranker", {"max_length": card.max_seq_length or NOT_STATED,
                                          "num_labels": card.num_labels or NOT_STATED}  # fmt: skip
        for key, fact in (("max_length", card.max_seq_length), ("num_labels", card.num_labels)):
            if fact is None:
                mapped.missing.append(f"model.{key}: the card does not state it; set it")
    else:
        group, keys = "minilm", {"max_seq_length": card.max_seq_length or NOT_STATED, "prompts": card.prompts or None}
        if card.max_seq_length is None:
            mapped.missing.append("model.max_seq_length: the card does not state it; set it (tokens per text)")
    if card.base_model is None:
        keys.update(name_or_path=NOT_STATED, package=None)
        mapped.missing.append("model.name_or_path: the card names no base model; set it (a hub id or a path)")
    elif card.base_model != SHIPPED_BASE:
        keys.update(name_or_path=card.base_model, package=None)
        if not _available_model(card.base_model):
            mapped.missing.append(
                f"model.name_or_path={card.base_model}: not on this machine (no local path, not in the hub "
                "cache); download it online or set model.name_or_path to a local copy"
            )
    if card.adapter:
        mapped.missing.append("model: the card's model is a PEFT adapter; simpipe trains full weights only")
    return group, keys


def _available_model(name: str) -> bool:
    if Path(name).exists():
        return True
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache(name, "config.json"), str)


def trainer_defaults() -> dict[str, Any]:
    """The Trainer's own defaults of the arguments simpipe maps: what a card's "Non-Default Hyperparameters"
    list states by leaving an argument out."""
    from sentence_transformers.sentence_transformer.training_args import SentenceTransformerTrainingArguments

    found = {f.name: f.default for f in dataclasses.fields(SentenceTransformerTrainingArguments)}
    found["warmup_ratio"] = 0.0  # transformers 5 folds it into warmup_steps (default 0)
    shaping = set(TRAIN_KEYS) - {"eval_steps", "logging_steps", "per_device_eval_batch_size"}  # not the model
    return {k: v for k, v in found.items() if k in shaping and isinstance(v, int | float | str | bool)}


def stated_arguments(card: CardFacts) -> dict[str, Any]:
    """The trainer arguments a card states (non-default first, then all; what a non-default list leaves out
    is at the Trainer's default; a 2.x card's fit() parameters under their trainer names), parsed to numbers
    and booleans."""
    given = {**card.all_hyperparameters, **card.non_default_hyperparameters}
    stated = {
        **(trainer_defaults() if card.non_default_hyperparameters else {}),
        **{k: value(v) for k, v in given.items()},
    }
    fit = card.fit_parameters
    if fit:
        loaders = fit.get("dataloaders") or [{}]
        steps = loaders[0].get("length")
        epochs = fit.get("epochs")
        scheduler = str(fit.get("scheduler", "")).lower()
        legacy = {
            "num_train_epochs": epochs, "learning_rate": (fit.get("optimizer_params") or {}).get("lr"),
            "weight_decay": fit.get("weight_decay"), "per_device_train_batch_size": loaders[0].get("batch_size"),
            "lr_scheduler_type": SCHEDULERS_2X.get(scheduler, scheduler or None),
            "warmup_steps": fit.get("warmup_steps"), "eval_steps": fit.get("evaluation_steps") or None,
        }  # fmt: skip
        if steps and epochs and fit.get("warmup_steps") is not None:
            legacy["warmup_ratio"] = round(fit["warmup_steps"] / (steps * epochs), 4)
        stated.update({k: v for k, v in legacy.items() if v is not None})
    return {k: v for k, v in stated.items() if v != "None"}


def _train(card: CardFacts, mapped: Mapped) -> dict[str, Any]:
    stated = stated_arguments(card)
    keys: dict[str, Any] = {}
    for argument, key in TRAIN_KEYS.items():
        if argument in stated:
            given = stated[argument]
            given = int(given) if key in INTEGER_KEYS and isinstance(given, float) and given.is_integer() else given
            if _fits(key, given):
                keys[key] = given
            else:
                keys[key] = NOT_STATED
                mapped.missing.append(f"train.{key}: the card states {argument}={given!r}, not a value simpipe "
                                      f"takes ({TrainConfig.help()[key]}); set it")  # fmt: skip
    if keys.get("max_steps") == -1:
        keys.pop("max_steps")
    if len(card.train_datasets()) < 2:
        keys.pop("multi_dataset_sampler", None)  # draws batches of several data sets only
    keys.update(_warmup(card, stated, keys, mapped))
    keys.update(_intervals(card))
    if keys.get("load_best_model_at_end") is False:
        keys.pop("metric_for_best_model", None)  # only read when the best model is kept
    train_sets = card.train_datasets()
    keys.update(_loss(train_sets[0] if train_sets else None, "train", mapped))
    for role in ("guide", "teacher"):
        if getattr(mapped, role):
            keys[role] = NOT_STATED
    if stated.get("bf16") is True:
        keys["precision"] = "bf16"
    if stated.get("fp16") is True:
        mapped.missing.append(
            "train.precision: the card trained in fp16 (CUDA); `auto` keeps fp16 on CUDA, bf16 or fp32 on the CPU "
            "(metrics within the report's tolerance, not identical)"
        )
    sampler = stated.get("batch_sampler")
    losses = [_inner_loss(d) for d in train_sets]  # every set's: auto picks the sampler for all of them
    known = losses and all(loss in mapped.losses for loss in losses)
    if sampler and known and sampler != batch_sampler(losses, "auto", mapped.losses):
        keys["batch_sampler"] = sampler
    if not any(d.split == EVAL for d in card.datasets):
        keys["eval_loss"] = False  # no evaluation data set: the card's run computed no dev loss
    for argument, given in card.non_default_hyperparameters.items():
        if argument not in TRAIN_KEYS and argument not in NOT_TRAINING:
            mapped.missing.append(f"train: the card sets {argument}={given}; simpipe has no key for it (not applied)")
    for key in STATED:
        if key not in keys:
            keys[key] = NOT_STATED
            mapped.missing.append(f"train.{key}: the card does not state it; set it ({TrainConfig.help()[key]})")
    if hardware := card.co2.get("hardware_used"):
        mapped.missing.append(
            f"hardware: the card trained on {hardware}; timings and CO2 are this machine's (train.device)"
        )
    return keys


def _fits(key: str, given: Any) -> bool:
    """Whether `given` is a value of the type train.`key` takes (a card may say `unknown` or `None`)."""
    try:
        convert(given, typing.get_type_hints(TrainConfig)[key], f"train.{key}")
    except ConfigError:
        return False
    return True


def _warmup(card: CardFacts, stated: dict[str, Any], keys: dict[str, Any], mapped: Mapped) -> dict[str, Any]:
    """train.warmup_ratio from a card's warmup_steps, which the Trainer uses over warmup_ratio when it is
    above 0 (transformers 5: a warmup_steps below 1 is itself a ratio): the steps over the run's steps
    (max_steps, else the training log's last step), else `???` and listed."""
    steps = stated.get("warmup_steps")
    if not isinstance(steps, int | float) or isinstance(steps, bool) or steps < 0:
        return {}
    if steps == 0:  # no warmup in steps: warmup_ratio says it all (transformers 5 states only warmup_steps)
        return {} if "warmup_ratio" in keys else {"warmup_ratio": 0.0}
    if card.fit_parameters and "warmup_ratio" in stated:
        return {}  # a 2.x card's warmup steps over its loader's length (stated_arguments)
    if steps < 1:
        return {"warmup_ratio": steps}
    total = keys.get("max_steps") if isinstance(keys.get("max_steps"), int) else None
    logged = [int(r["Step"]) for r in card.training_log if (r.get("Step") or 0) > 0]
    total = total or (max(logged) if logged else None)
    if total:
        return {"warmup_ratio": round(steps / total, 4)}
    mapped.missing.append(
        f"train.warmup_ratio: the card warms up {steps:g} steps and states no step count; set the share of the steps"
    )
    return {"warmup_ratio": NOT_STATED}


def _intervals(card: CardFacts) -> dict[str, int]:
    """train.eval_steps / logging_steps: the step interval of the Training Logs' evaluation rows and
    training-loss rows (every row but the last a multiple of the first; none when they vary)."""
    rows = [r for r in card.training_log if (r.get("Step") or 0) > 0]
    kinds = {
        "eval_steps": [r for r in rows if any(v is not None for k, v in r.items() if k not in LOG_COLUMNS)],
        "logging_steps": [r for r in rows if r.get("Training Loss") is not None],
    }
    found = {}
    for key, kept in kinds.items():
        steps = [int(r["Step"]) for r in kept]
        if interval := _interval(steps):
            found[key] = interval
    return found


def _interval(steps: list[int]) -> int | None:
    """The step interval of log rows at `steps`: the most common gap between rows, leaving out the gap to
    the last row (the final step) and the first row's offset (a first step logged too); None when the rows
    are not on that interval."""
    if len(steps) < 2:
        return steps[0] if steps else None
    gaps = [b - a for a, b in itertools.pairwise(steps)]
    usual = gaps[:-1] or gaps
    interval = max(set(usual), key=usual.count)
    if interval > 0 and all(step % interval == 0 for step in steps[1:-1]):
        return interval
    return None


def _loss(dataset: DatasetFacts | None, where: str, mapped: Mapped) -> dict[str, Any]:
    """`where`.loss, loss_params (and matryoshka) of one training data set's loss; `where`: train, or
    train.datasets.<name>."""
    if dataset is None or not dataset.loss:
        mapped.missing.append(f"{where}.loss: the card names no loss; set it")
        return {}
    loss, params = dataset.loss, dict(dataset.loss_params)
    keys: dict[str, Any] = {}
    if loss in WRAPPERS:
        keys.update(_wrapper(loss, params))
        loss, params = params.get("loss"), {}
    keys["loss"] = loss
    losses = mapped.losses
    if loss not in losses:
        mapped.missing.append(
            f"{where}.loss={loss}: simpipe does not offer this loss; choose one of {', '.join(losses)}"
        )
        return keys
    defaults, settable = printed_defaults(loss, mapped.family), loss_options(loss, mapped.family)
    for name, given in params.items():
        if _printed(given) == _printed(defaults.get(name)):
            continue
        if losses[loss].head and name in FROM_DATA:
            mapped.from_data.append(f"{where}.loss: {loss}'s {name}={given} comes from the data (its class ids)")
            continue
        if losses[loss].guided and name == "guide":
            printed = " ".join(str(given).split())[:80]
            mapped.missing.append(f"train.guide: the card's {loss} is guided by {printed!r}, a model it does not name; "
                                  "set train.guide (a model section, e.g. - /model@train.guide: minilm)")  # fmt: skip
            mapped.guide = True
            continue
        if name in settable and isinstance(given, int | float | str | bool):
            keys.setdefault("loss_params", {})[name] = given
        else:
            mapped.missing.append(
                f"{where}.loss_params.{name}: the card's {loss} uses {given!r}; only its number, string and "
                f"boolean parameters ({', '.join(settable) or 'none'}) can be set in config"
            )
    if losses[loss].teacher:
        mapped.teacher = True
        mapped.missing.append(
            f"train.teacher: the card's {loss} learns a teacher's {losses[loss].teacher} and a card does not name "
            "the teacher; "
            "set train.teacher (a model section, e.g. - /model@train.teacher: minilm)"
        )
    return keys


def _wrapper(loss: str, params: dict[str, Any]) -> dict[str, Any]:
    """train.matryoshka and train.adaptive_layers of a wrapper loss's printed parameters (MatryoshkaLoss,
    AdaptiveLayerLoss, Matryoshka2dLoss: both), what differs from the wrapper's defaults."""
    keys: dict[str, Any] = {}
    if loss in (MATRYOSHKA, "Matryoshka2dLoss"):
        weights = params.get("matryoshka_weights")
        keys["matryoshka"] = {
            "dims": params.get("matryoshka_dims"),
            "weights": None if not weights or len(set(weights)) == 1 else weights,
        }
        steps, default = params.get("n_dims_per_step"), -1 if loss == MATRYOSHKA else 1
        if steps is not None and steps != default:
            keys["matryoshka"]["n_dims_per_step"] = steps
    if loss in ("AdaptiveLayerLoss", "Matryoshka2dLoss"):
        defaults = AdaptiveLayersConfig.defaults()
        keys["adaptive_layers"] = {k: params[k] for k in defaults if k in params and params[k] != defaults[k]}
    return keys


def printed_defaults(name: str, family: str) -> dict[str, Any]:
    """Loss `name`'s (of model `family`) parameters at their defaults as sentence-transformers prints them in
    a model card (`get_config_dict`: functions and enums by name); the signature's scalar defaults where
    the loss cannot be built without a model (a module printed by its class, as the card prints it)."""
    import torch

    cls = loss_class(name, family)
    try:
        return cls(None).get_config_dict()
    except (TypeError, AttributeError, ValueError):  # needs a real model (cached and cross-encoder losses)
        defaults = {key: p.default for key, p in inspect.signature(cls.__init__).parameters.items()
                    if p.default is not inspect.Parameter.empty}  # fmt: skip
        return {key: f"{type(v).__module__}.{type(v).__qualname__}" if isinstance(v, torch.nn.Module) else v
                for key, v in defaults.items()}  # fmt: skip


def _printed(node: Any) -> Any:
    return list(node) if isinstance(node, tuple) else node


def _data(
    dataset: DatasetFacts | None, data: str | None, where: str, mapped: Mapped, flag: str = "--data GROUP"
) -> tuple[str, dict[str, Any]]:
    """The data group and keys of one training data set (`where`: data, or train.datasets.<name>.data): the
    given group, a shipped group of its hub id, else the hub reader with its hub id and roles; `flag`: the
    `simpipe variant` option that gives this set's group."""
    data = data or (_shipped_data(dataset.hub_id) if dataset and dataset.hub_id else None)
    if data:
        mapped.from_data.append(
            f"{where}={data}: the data set, its text processing and its split come from conf/data/{data}.yaml "
            "(a card does not state them)"
        )
        return data, {}
    if dataset is None or not dataset.hub_id:
        mapped.missing.append(
            f"{where}: the card names no hub data set; give {flag} (conf/data/) or set {where}.hub_id and {where}.roles"
        )
        return "hub", {"name": UNSET, "raw_subdir": UNSET, "hub_id": UNSET, "roles": UNSET}  # hub.yaml's
    keys = {"name": dataset.hub_id.split("/")[-1], "raw_subdir": dataset.hub_id.replace("/", "__"),
            "hub_id": dataset.hub_id, "revision": dataset.revision, "subset": dataset.subset}  # fmt: skip
    loss = _inner_loss(dataset)
    columns = list(dataset.columns)
    if loss in mapped.losses and mapped.losses[loss].teacher and columns[-1:] == ["label"]:
        columns = columns[:-1]  # the teacher's scores: the mine stage computes them (train.teacher)
    shape = _shape(loss, len(columns), mapped.losses)
    if shape and len(columns) == len(SHAPES[shape].roles):
        keys["shape"] = shape
        keys["roles"] = dict(zip(SHAPES[shape].roles, columns, strict=True))
    else:
        keys["roles"] = UNSET
        mapped.missing.append(
            f"{where}.roles: the card's columns {', '.join(dataset.columns) or '(none)'} do not fit a shape of its "
            f"loss; set {where}.shape and {where}.roles"
        )
    mapped.missing.append(
        f"{where}.hub_id={dataset.hub_id}: downloaded by `simpipe fetch` online; offline, put it in paths.mirror"
    )
    return "hub", keys


def _inner_loss(dataset: DatasetFacts) -> str | None:
    """A data set's loss, inside its wrapper (MatryoshkaLoss, AdaptiveLayerLoss, ...) if it has one."""
    return dataset.loss if dataset.loss not in WRAPPERS else dataset.loss_params.get("loss")


def _shipped_data(hub_id: str, conf_dir: Path = CONF_DIR) -> str | None:
    """The conf/data group that reads hub data set `hub_id` from its original files (e.g. stsb)."""
    for path in sorted((conf_dir / "data").glob("*.yaml")):
        if group_defaults("data", path.stem, conf_dir).get("hub_id") == hub_id:
            return path.stem
    return None


def _shape(loss: str | None, columns: int, losses: dict[str, Loss]) -> str | None:
    """The first shape of `loss` (of the family's `losses`) whose plain form has `columns` columns."""
    shapes = losses[loss].shapes if loss in losses else ()
    return next((s for s in shapes if len(SHAPES[s].roles) == columns), None)


def _split_names(evaluated: list[str]) -> dict[str, str]:
    """dev_name / test_name from a data set's evaluator names (a name with `test` in it is the test split)."""
    names = list(dict.fromkeys(evaluated))
    dev = [n for n in names if "test" not in n]
    test = [n for n in names if "test" in n]
    return {**({"dev_name": dev[0]} if dev else {}), **({"test_name": test[0]} if test else {})}
