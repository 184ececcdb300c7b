"""Compose the Hydra config tree in conf/, write and read params.yaml, and select one variant for a stage.

The values are checked by the config sections (`simpipe.schema`), when a variant is selected for a stage."""

from __future__ import annotations

from pathlib import Path

import yaml
from omegaconf import DictConfig, OmegaConf

from simpipe.core.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[3]
CONF_DIR = REPO_ROOT / "conf"
# What shapes a trained model: the params of the prepare, mine and train stages (dvc.yaml; a test checks both).
# The resume fingerprint of a crashed run and the MLflow params of a training run are made of these.
MODEL_PARAMS = ("data", "model", "mine", "train", "eval.main_similarity")


def global_keys(config_name: str = "config") -> tuple[str, ...]:
    """The config groups every variant shares: the entries of the pipeline root's defaults list
    that are not placed under `variants` (paths, tracking, checkpoint)."""
    defaults = yaml.safe_load((CONF_DIR / f"{config_name}.yaml").read_text(encoding="utf-8"))["defaults"]
    groups = (next(iter(entry)) for entry in defaults if isinstance(entry, dict))
    return tuple(group.removeprefix("optional ") for group in groups if "@" not in group)


def compose(config_name: str = "config", overrides: list[str] | None = None) -> DictConfig:
    """Compose `conf/<config_name>.yaml` with Hydra overrides (as `dvc exp run` does)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    try:
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
            cfg = hydra_compose(config_name=config_name, overrides=list(overrides or []))
    except (HydraException, OmegaConfBaseException) as exc:  # e.g. a misspelt key (struct mode)
        first = " ".join(str(exc).split())
        raise ConfigError(
            f"{first}; check the override against conf/ (new keys need a leading +, e.g. +train.key=value)"
        ) from exc
    OmegaConf.resolve(cfg)
    return cfg


def dump_params(cfg: DictConfig, path: Path) -> None:
    """Write a composed pipeline config as params.yaml (the format DVC's Hydra composition writes)."""
    from simpipe.core.io import write_text

    write_text(path, OmegaConf.to_yaml(cfg))


def load_params(path: Path) -> DictConfig:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: params file not found; run `simpipe params` (or `make params`) to create it")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0]
        raise ConfigError(f"{path}: not valid YAML ({first}); regenerate it with `simpipe params`") from exc
    if not isinstance(data, dict) or not isinstance(data.get("variants"), dict):
        raise ConfigError(f"{path}: no 'variants' mapping; regenerate it with `simpipe params`")
    return OmegaConf.create(data)


def select_variant(params: DictConfig, variant: str) -> DictConfig:
    """Return the single-run config of `variant`: the shared keys plus `variants.<variant>`."""
    known = sorted(params.variants.keys())
    if variant not in params.variants:
        raise ConfigError(
            f"unknown variant {variant!r} (known: {', '.join(known)}); add conf/variant/{variant}.yaml, "
            "list it in conf/config.yaml and run `simpipe params`"
        )
    cfg = OmegaConf.merge({k: params[k] for k in global_keys() if k in params}, params.variants[variant])
    if cfg.get("name") != variant:
        raise ConfigError(f"variants.{variant}.name is {cfg.get('name')!r}; it must equal the key {variant!r}")
    return cfg


def flatten(cfg: DictConfig, prefix: str = "") -> dict[str, object]:
    """Flatten a config into dotted keys (MLflow params)."""
    out: dict[str, object] = {}
    container = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else cfg
    for key, value in container.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, prefix=f"{name}."))
        else:
            out[name] = value
    return out


def model_params(cfg: DictConfig) -> dict[str, object]:
    """The variant's name and its `MODEL_PARAMS` as flat dotted keys (`train.batch_size`, ...)."""
    out: dict[str, object] = {"name": cfg.name}
    for key in MODEL_PARAMS:
        value = OmegaConf.select(cfg, key)
        out.update(flatten(value, prefix=f"{key}.") if isinstance(value, DictConfig) else {key: value})
    return out
