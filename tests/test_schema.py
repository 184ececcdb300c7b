"""Config checked when it is composed: every section's types, ranges and keys, one line naming the key,
the value and what is allowed; `simpipe params` refuses before it writes anything."""

import subprocess
import sys

import pytest
import yaml

from simpipe.core.config import CONF_DIR, compose
from simpipe.core.errors import ConfigError
from simpipe.schema import CHOSEN, OWN, SHARED, check_pipeline
from tests.helpers.config import VARIANTS


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("train.warmup_ratio=1.5", r"^train\.warmup_ratio=1\.5: must be in \[0, 1\) \(the share of steps"),
        ("train.loss=Nope", r"^train\.loss='Nope': unknown loss; choose one of CosineSimilarityLoss, CoSENTLoss"),
        ("eval.main_similarity=foo", r"^eval\.main_similarity='foo': choose one of cosine, manhattan, euclidean, dot$"),
        (
            "eval.similarity_fns=[dot]",
            r"^eval\.main_similarity='cosine': not among eval\.similarity_fns=\['dot'\]; add",
        ),
        ("train.cpu_eval_steps=0", r"^train\.cpu_eval_steps=0: must be at least 1 \(steps between dev evaluations"),
        ("train.precision=fp8", r"^train\.precision='fp8': choose one of auto, fp32, fp16, bf16$"),
        ("train.device=tpu", r"^train\.device='tpu': choose one of auto, cpu, cuda$"),
        ("train.batch_size=abc", r"^train\.batch_size='abc': expected a whole number$"),
        ("+train.loss_params.margin=0.5", r"^train\.loss_params\.margin=0\.5: not a parameter of CosineSimilarity"),
        ("+train.lr=0.1", r"^train\.lr: unknown key; train takes loss, loss_params, epochs"),
        ("checkpoint.keep=1", r"^checkpoint\.keep=1: keep at least 2 checkpoints"),
        ("model.lstm.hidden_dim=0", r"^model\.lstm\.hidden_dim=0: must be at least 1 \(LSTM units\)$"),
        ("model.kind=nope", r"^model\.kind='nope': choose one of transformer, glove_bilstm$"),
        ("data.reader=nope", r"^data\.reader='nope': choose one of stsb, homedepot$"),
        ("data.columns=[a,b]", r"^data\.columns=\['a', 'b'\]: name three distinct columns"),
        ("report.tolerance=-1", r"^report\.tolerance=-1: must be at least 0\.0"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_key(variant_cfg, override, message):
    with pytest.raises(ConfigError, match=message) as raised:
        variant_cfg("glove_bilstm_sts", override)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("data.split.test_fraction=1.5", r"^data\.split\.test_fraction=1\.5: must be in \(0, 1\)"),
        ("data.brand_source=x", r"^data\.brand_source='x': choose one of title, attributes$"),
        ("data.search.min_relevance=3.5", r"^data\.search\.min_relevance=3\.5: must be in \[1, 3\]"),
    ],
)
def test_home_depot_data_values(variant_cfg, override, message):
    with pytest.raises(ConfigError, match=message):
        variant_cfg("minilm_homedepot", override)


def test_a_password_in_a_uri_is_refused_at_composition(variant_cfg):
    with pytest.raises(ConfigError, match=r"^tracking\.uri carries a password \(host\)"):
        variant_cfg("glove_bilstm_sts", "tracking.uri='http://u:secret@host:5000'")


@pytest.mark.parametrize(
    "override", ["train.warmup_ratio=1.5", "train.loss=Nope", "eval.main_similarity=foo"], ids=lambda o: o.split("=")[0]
)
def test_simpipe_params_refuses_a_bad_value_before_writing(tmp_path, override):
    output = tmp_path / "params.yaml"
    key = f"variants.glove_bilstm_sts.{override}"
    result = subprocess.run(
        [sys.executable, "-m", "simpipe", "params", key, "--output", str(output)], capture_output=True, text=True
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"simpipe params: error: variants.glove_bilstm_sts.{override.split('=')[0]}=")
    assert not output.exists()


def test_every_shipped_variant_passes():
    check_pipeline(compose("config"))


@pytest.mark.parametrize("group", sorted({*SHARED, *OWN}))
def test_each_sections_defaults_are_its_groups_default_file(group):
    """One definition per default: the section's defaults equal conf/<group>/<default>.yaml."""
    section = {**SHARED, **OWN}[group]
    files = sorted((CONF_DIR / group).glob("*.yaml"))
    assert len(files) == 1, files
    assert section.defaults() == yaml.safe_load(files[0].read_text()), files[0]


@pytest.mark.parametrize("group", sorted(CHOSEN))
def test_each_choice_of_a_chosen_section_is_a_conf_file(group):
    key, choices = CHOSEN[group]
    used = {yaml.safe_load(path.read_text())[key] for path in (CONF_DIR / group).glob("*.yaml")}
    assert used <= set(choices)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_key_has_one_line_of_help(variant):
    for section in {*SHARED.values(), *OWN.values(), *(c for _, cs in CHOSEN.values() for c in cs.values())}:
        assert all(text and "\n" not in text for text in section.help().values()), section.__name__
