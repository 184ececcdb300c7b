from pathlib import Path

import pytest
from omegaconf import OmegaConf

from simpipe.artifacts.metrics import headline
from simpipe.core.config import REPO_ROOT, compose, flatten, global_keys, load_params, model_params, select_variant
from simpipe.core.errors import ConfigError
from simpipe.modeling.config import family_of
from simpipe.schema import check
from tests.helpers.config import VARIANTS


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_composes_standalone_and_in_the_pipeline(variant):
    single = compose("run", [f"variant={variant}"])
    pipeline = compose("config")
    assert single.name == variant
    assert OmegaConf.to_container(select_variant(pipeline, variant)) == OmegaConf.to_container(single)
    checked = check(single)  # with the values the data section derives (its eval splits' shape)
    assert headline(checked.data, checked.eval, family_of(checked.model))[0] in (
        single.data.dev_name,
        f"search/{single.data.dev_name}",
    )


def test_committed_params_yaml_is_in_sync_with_conf():
    committed = (REPO_ROOT / "params.yaml").read_text(encoding="utf-8")
    assert committed == OmegaConf.to_yaml(compose("config")), "run `make params` and commit params.yaml"


def test_quick_profile_shrinks_data_and_steps():
    cfg = compose("run", ["profile=quick"])
    assert cfg.data.limit <= 64 and 0 < cfg.train.max_steps <= 10


def test_profile_applies_per_variant_in_pipeline_composition():
    cfg = compose("config", ["profile@variants.glove_bilstm_sts=quick"])
    assert cfg.variants.glove_bilstm_sts.train.max_steps == 4


def test_unknown_variant_names_the_known_ones():
    with pytest.raises(ConfigError, match=r"unknown variant 'nope' \(known: .*glove_bilstm_sts"):
        select_variant(compose("config"), "nope")


def test_missing_params_file(tmp_path: Path):
    with pytest.raises(ConfigError, match=r"params file not found; run `simpipe params`"):
        load_params(tmp_path / "params.yaml")


def test_params_without_variants(tmp_path: Path):
    path = tmp_path / "params.yaml"
    path.write_text("paths: {root: .}\n")
    with pytest.raises(ConfigError, match="no 'variants' mapping"):
        load_params(path)


def test_flatten_gives_dotted_keys():
    assert flatten(OmegaConf.create({"a": {"b": 1, "c": {"d": [1, 2]}}, "e": None})) == {
        "a.b": 1,
        "a.c.d": [1, 2],
        "e": None,
    }


def test_shared_keys_come_from_the_composition_root():
    assert global_keys() == ("paths", "tracking", "checkpoint")
    cfg = select_variant(compose("config"), "glove_bilstm_sts")
    assert set(cfg) == {"paths", "tracking", "checkpoint", "name", "data", "model", "mine", "train", "eval", "card"} | {
        "report"
    }


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_variant_file_states_only_what_differs_from_the_group_defaults(variant):
    """Every value a variant file sets under a group differs from that group's default."""
    import yaml

    from simpipe.core.config import CONF_DIR

    text = yaml.safe_load((CONF_DIR / "variant" / f"{variant}.yaml").read_text())
    chosen = {
        next(iter(entry)).lstrip("/"): next(iter(entry.values()))
        for entry in text["defaults"]
        if isinstance(entry, dict)
    }
    for group, values in text.items():
        if group in ("defaults", "name") or not isinstance(values, dict):
            continue
        default = yaml.safe_load((CONF_DIR / group / f"{chosen[group]}.yaml").read_text()) or {}
        same = [key for key, value in values.items() if default.get(key) == value]
        assert same == [], f"conf/variant/{variant}.yaml repeats the {group} default(s) {same}"


def test_model_params_are_the_name_and_what_shapes_the_model():
    cfg = select_variant(compose("config"), "glove_bilstm_sts")
    params = model_params(cfg)
    assert params["name"] == "glove_bilstm_sts" and params["eval.main_similarity"] == "cosine"
    assert params["train.batch_size"] == 32 and params["data.columns"] == ["sentence1", "sentence2", "score"]
    assert not any(key.startswith(("card.", "report.", "eval.batch")) for key in params)
