"""Every config section of a variant, checked when the variant is selected.

DVC composes `conf/` in its own process (`dvc exp run`), so the sections cannot live in Hydra's ConfigStore;
they are dataclasses in the package of their concern (`simpipe.<package>.config`), built here from the
composed config: `simpipe params` checks every variant before it writes params.yaml, every stage its own
variant before it runs. A bad value is one `ConfigError` line naming the key, the value and what is allowed;
settings of two sections that do not fit together (a loss and the data's shape) name both keys.
Each section's defaults equal its group's default file in conf/ (a test holds them together).
"""

from __future__ import annotations

from dataclasses import asdict

from omegaconf import DictConfig, OmegaConf

from simpipe.artifacts.metrics import split_metric
from simpipe.core.config import select_variant
from simpipe.core.errors import ConfigError
from simpipe.core.families import BI_ENCODER
from simpipe.core.paths import PathsConfig
from simpipe.core.sections import Section, build, invalid, plain
from simpipe.data.config import READER_SECTIONS
from simpipe.data.shapes import QUERY_DOCUMENT_SHAPES, SHAPES
from simpipe.documents.config import CardConfig, ReportConfig
from simpipe.evaluation.config import EvalConfig, reranks
from simpipe.modeling.config import MODEL_SECTIONS, family_of, model_section, pretrained
from simpipe.tracking.config import TrackingConfig
from simpipe.training.catalog import FAMILY_LOSSES, losses_of
from simpipe.training.config import CheckpointConfig, MineConfig, TrainConfig, train_shape

# sections every variant shares (the pipeline root's top-level groups) and each variant's own
SHARED: dict[str, type[Section]] = {"paths": PathsConfig, "tracking": TrackingConfig, "checkpoint": CheckpointConfig}
OWN: dict[str, type[Section]] = {
    "mine": MineConfig,
    "train": TrainConfig,
    "eval": EvalConfig,
    "card": CardConfig,
    "report": ReportConfig,
}
# sections chosen by a key: data by its reader, model by its kind
CHOSEN: dict[str, tuple[str, dict[str, type[Section]]]] = {
    "data": ("reader", READER_SECTIONS),
    "model": ("kind", MODEL_SECTIONS),
}


def section_class(cfg: DictConfig, group: str, prefix: str = "") -> type[Section]:
    """The section class of `group` in a single-variant config."""
    if group in SHARED:
        return SHARED[group]
    if group in OWN:
        return OWN[group]
    key, choices = CHOSEN[group]
    value = plain(OmegaConf.select(cfg, f"{group}.{key}"))
    if value not in choices:
        raise invalid(f"{prefix}{group}.{key}", value, f"choose one of {', '.join(choices)}")
    return choices[value]


def sections(cfg: DictConfig, prefix: str = "") -> dict[str, Section]:
    """Every section of single-variant config `cfg`, built and checked; `prefix` is put before the variant's
    own keys in errors (`variants.<name>.` when the whole pipeline is checked)."""
    if not isinstance(cfg.get("name"), str):
        raise invalid(f"{prefix}name", cfg.get("name"), "expected the variant's name")
    out = {}
    for group in [*SHARED, *CHOSEN, *OWN]:
        where = group if group in SHARED else f"{prefix}{group}"
        if group not in cfg:
            raise invalid(where, None, f"missing; add /{group}: <file> to the variant's defaults list")
        out[group] = build(section_class(cfg, group, prefix), cfg[group], where)
    family = family_of(out["model"])
    out["train"].check_losses(f"{prefix}train", family)
    check_mining(out["mine"], out["data"], out["model"], prefix)
    check_loss_fits_data(out["train"].loss, out["data"], out["mine"], family, prefix)
    check_sets(out["train"], out["data"], out["model"], prefix)
    check_family(out["model"], out["data"], out["train"], prefix)
    check_cached_losses(out["model"], out["train"], prefix)
    if out["data"].eval_shape == "texts" and FAMILY_LOSSES[family][out["train"].loss].teacher != "embedding":
        raise ConfigError(
            f"{prefix}data.shape='texts': single texts have no evaluator unless they learn a teacher's embeddings "
            f"(MSELoss); train them as a {prefix}train.datasets set beside a data set that has one (as "
            "sentence-transformers evaluates its unsupervised examples on STS-b)"
        )
    if out["train"].adaptive_layers is not None and out["model"].kind != "transformer":
        raise ConfigError(
            f"{prefix}train.adaptive_layers: AdaptiveLayerLoss trains a transformer's layers; {prefix}model.kind="
            f"{out['model'].kind!r} has none: set it to null"
        )
    check_prompts(out["model"], out["data"], out["mine"], out["train"], prefix)
    if reranks(cfg.name, out["eval"]) and family == BI_ENCODER:
        raise invalid(f"{prefix}eval.retriever", out["eval"].retriever, f"a {family} model ranks the documents "
                      f"itself; only a cross-encoder reranks another's: set it to {cfg.name}")  # fmt: skip
    return out


# what the retriever of a reranking variant must read as the variant does (a data section's keys)
SAME_DATA = ("reader", "raw_subdir", "text")


def check_retriever(params: DictConfig, name: str, prefix: str) -> None:
    """A reranking variant's retriever: a bi-encoder variant of the pipeline, on the same data and text."""
    node = params.variants[name]
    retriever = node.eval.retriever
    if retriever not in params.variants:
        raise invalid(f"{prefix}eval.retriever", retriever,
                      f"no such variant; choose one of {', '.join(params.variants)}")  # fmt: skip
    first = params.variants[retriever]
    if family_of(first.model) != BI_ENCODER:
        raise invalid(f"{prefix}eval.retriever", retriever, f"variants.{retriever}.model.kind="
                      f"{first.model.kind!r} retrieves nothing; name a {BI_ENCODER} variant")  # fmt: skip
    for key in SAME_DATA:
        if node.data.get(key) != first.data.get(key):
            raise invalid(f"{prefix}eval.retriever", retriever, f"it reads data.{key}={first.data.get(key)!r}, "
                          f"this variant {node.data.get(key)!r}; rerank a retriever of the same data")  # fmt: skip


def check_sets(train: TrainConfig, data, model, prefix: str = "") -> None:
    """Each set of `train.datasets`: its loss fits its data, its mining its data and model; its name is not
    the variant's own data set's (`data.name`) and its splits' names are no other set's (metrics.json keys)."""
    splits = {data.dev_name: f"{prefix}data.dev_name", data.test_name: f"{prefix}data.test_name"}
    for name, dataset in train.datasets.items():
        where = f"{prefix}train.datasets.{name}"
        if name == data.name:
            raise invalid(
                where, name, f"{prefix}data.name is {name!r} (the variant's own set); name this set otherwise"
            )
        for key in ("dev_name", "test_name"):
            value = getattr(dataset.data, key)
            if value in splits:
                raise invalid(f"{where}.data.{key}", value, f"{splits[value]} names a split so too (their metrics "
                              "would share keys); rename one")  # fmt: skip
            splits[value] = f"{where}.data.{key}"
        check_mining(dataset.mine, dataset.data, model, f"{where}.")
        check_loss_fits_data(dataset.loss, dataset.data, dataset.mine, family_of(model), f"{where}.", "loss")


def check_family(model, data, train: TrainConfig, prefix: str = "") -> None:
    """What only a bi-encoder trains (embedding wrappers: Matryoshka, adaptive layers; a guide's or a
    teacher's embeddings), and eval splits the model's family has an evaluator of."""
    family = family_of(model)
    if family == BI_ENCODER:
        return
    for name in ("matryoshka", "adaptive_layers", "guide"):  # a teacher's scores: its MarginMSELoss learns them
        if getattr(train, name) is not None:
            raise invalid(f"{prefix}train.{name}", "set", f"{prefix}model.kind={model.kind!r} is a "
                          f"{family} model, which has no embeddings to train so; set it to null")  # fmt: skip
    for where, dataset in [
        (prefix, data),
        *((f"{prefix}train.datasets.{n}.", s.data) for n, s in train.datasets.items()),
    ]:
        if split_metric(dataset.eval_shape, "", family) is None:
            evaluable = [shape for shape in SHAPES if split_metric(shape, "", family)]
            raise ConfigError(
                f"{where}data.shape={dataset.shape!r}: a {family} model has no evaluator of its dev and test "
                f"splits ({dataset.eval_shape}); use {', '.join(evaluable)} data"
            )


def check_cached_losses(model, train: TrainConfig, prefix: str = "") -> None:
    """A kind whose batch cannot be split into mini-batches (static vectors: one bag of token ids) trains
    with no cached loss."""
    if model_section(model).CACHED_LOSSES:
        return
    table = losses_of(model)
    named = [("train.loss", train.loss), *((f"train.datasets.{n}.loss", s.loss) for n, s in train.datasets.items())]
    for key, loss in named:
        if table[loss].cached:
            raise invalid(f"{prefix}{key}", loss, f"{prefix}model.kind={model.kind!r} reads a batch as one bag of "
                          "token ids, which a cached loss cannot split into mini-batches; use the uncached loss "
                          "with the largest batch that fits")  # fmt: skip


def check_prompts(model, data, mine: MineConfig, train: TrainConfig, prefix: str = "") -> None:
    """Prompts per role need rows with a query and documents (pairs, triplets) in some training set."""
    losses = losses_of(model)
    shapes = [train_shape(data.shape, mine.enabled, losses[train.loss])]
    shapes += [train_shape(s.data.shape, s.mine.enabled, losses[s.loss]) for s in train.datasets.values()]
    prompts = getattr(model, "prompts", None)  # a cross-encoder has none
    if prompts is not None and prompts.by_role() and not set(shapes) & set(QUERY_DOCUMENT_SHAPES):
        raise ConfigError(
            f"{prefix}model.prompts: query/document prompts need {' or '.join(QUERY_DOCUMENT_SHAPES)} data, "
            f"and {prefix}data.shape={data.shape!r} holds two texts that sentence-transformers encodes alike; "
            f"set {prefix}model.prompts=null"
        )


def check_mining(mine: MineConfig, data, model, prefix: str = "") -> None:
    """Mining takes (anchor, positive) pairs and a pretrained bi-encoder to mine with (`mine.model`, else the
    variant's own)."""
    if not mine.enabled:
        return
    if data.shape != "pairs":
        raise ConfigError(
            f"{prefix}mine.enabled=true needs {prefix}data.shape='pairs' (anchor, positive), not {data.shape!r}; "
            "use pairs data or set mine.enabled=false"
        )
    if mine.model is None and not (pretrained(model) and family_of(model) == BI_ENCODER):
        raise ConfigError(
            f"{prefix}mine.enabled=true needs a pretrained bi-encoder to mine with; {prefix}model.kind="
            f"{model.kind!r} is none: set {prefix}mine.model (- /model@mine.model: minilm in the variant's "
            "defaults), set mine.enabled=false or use a transformer model"
        )


def check_loss_fits_data(
    loss: str, data, mine: MineConfig, family: str, prefix: str = "", key: str = "train.loss"
) -> None:
    """`loss` (at `prefix` + `key`, a loss of model `family`) takes the rows training reads (`data.shape`, or what
    mined negatives make of it: `train_shape`), else one line naming both keys and the losses that fit."""
    losses = FAMILY_LOSSES[family]
    shape = train_shape(data.shape, mine.enabled, losses[loss])
    if shape in losses[loss].shapes:
        return
    fits = [name for name, fit in losses.items() if train_shape(data.shape, mine.enabled, fit) in fit.shapes]
    choose = f"choose {prefix}{key} from {', '.join(fits)}" if fits else f"no loss takes {shape} yet"
    mined = " with mined negatives (triplets or labelled pairs)" if mine.enabled else ""
    what = f"{prefix}data.shape={data.shape!r}{mined}"
    raise ConfigError(
        f"{prefix}{key}={loss!r} does not fit {what} ({loss} takes {', '.join(losses[loss].shapes)}); {choose}"
    )


def check(cfg: DictConfig, prefix: str = "") -> DictConfig:
    """`cfg` checked, with the sections' values (defaults and derived values such as `data.columns` and
    `data.eval_shape` filled in) over its own."""
    built = sections(cfg, prefix)
    values = {group: OmegaConf.merge(asdict(section), section.derived()) for group, section in built.items()}
    merged = cfg.copy()
    struct = OmegaConf.is_struct(merged)
    OmegaConf.set_struct(merged, False)  # derived keys are new ones
    merged = OmegaConf.merge(merged, OmegaConf.create(values))
    OmegaConf.set_struct(merged, struct)
    return merged


def variant(params: DictConfig, name: str) -> DictConfig:
    """The checked single-variant config of `name` in a pipeline config (params.yaml)."""
    return check(select_variant(params, name))


def check_pipeline(params: DictConfig, names: list[str] | None = None) -> None:
    """Check every variant of a pipeline config (what `simpipe params` writes), or those of `names`, and
    its `sets` index (dvc.yaml's per-set stages run over it) against the variants' `train.datasets`."""
    for name in names or params.variants:
        built = sections(select_variant(params, name), prefix=f"variants.{name}.")
        if reranks(name, built["eval"]):
            check_retriever(params, name, f"variants.{name}.")
    listed = plain(params.get("sets")) or {}
    wanted = set_index(params)
    for key, entry in wanted.items():
        if listed.get(key) != entry:
            line = f"{key}: {{variant: {entry['variant']}, set: {entry['set']}, raw_subdir: ${{variants." \
                   f"{entry['variant']}.train.datasets.{entry['set']}.data.raw_subdir}}}}"  # fmt: skip
            raise ConfigError(f"sets.{key}: missing or different in conf/config.yaml; add under `sets:` {line} "
                              "(simpipe variant writes it)")  # fmt: skip
    if extra := sorted(set(listed) - set(wanted)):
        raise ConfigError(
            f"sets.{extra[0]}: no such train.datasets entry of a variant; remove it from conf/config.yaml"
        )


def set_index(params: DictConfig) -> dict[str, dict[str, str]]:
    """`<variant>.<set>` -> {variant, set, raw_subdir} of every variant's `train.datasets` (the `sets` index)."""
    out = {}
    for variant, node in params.variants.items():
        for name, dataset in (node.train.get("datasets") or {}).items():
            out[f"{variant}.{name}"] = {"variant": variant, "set": name, "raw_subdir": dataset.data.raw_subdir}
    return out
