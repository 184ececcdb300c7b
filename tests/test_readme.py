"""The README's commands still run: every `simpipe`, `make`, `python -m simpipe.sweep`, `dvc repro` and
`dvc exp run -S` line of its bash blocks parses against the real CLI, Makefile, config and pipeline (without
running the long work they start), and every test it cites exists."""

from __future__ import annotations

import re
import shlex

import pytest
import yaml
from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from omegaconf import OmegaConf

from simpipe.cli import parser
from simpipe.core.config import CONF_DIR, REPO_ROOT
from tests.helpers.config import VARIANTS

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
PLACEHOLDER = re.compile(r"<[^>]+>")
OPTIONAL = re.compile(r"\[(--[a-z-]+)\]")  # `[--private]`: an optional flag


def commands(program: str) -> list[str]:
    """The lines of the README's bash blocks that run `program` (`&&` chains split, comments and line
    continuations folded), placeholders such as `<id>` filled in."""
    found = []
    for block in re.findall(r"```bash\n(.*?)```", README, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            for part in line.split("  #")[0].split("&&"):
                part = OPTIONAL.sub(r"\1", PLACEHOLDER.sub("x", part.strip()))
                if part.startswith(f"{program} "):
                    found.append(part)
    return found


def test_the_readme_has_commands_of_each_kind():
    assert all(commands(p) for p in ("simpipe", "make", "python -m simpipe.sweep", "dvc repro", "dvc exp run"))


@pytest.mark.parametrize("line", commands("simpipe"))
def test_simpipe_commands_parse(line):
    parser().parse_args(shlex.split(line)[1:])  # argparse exits (a failure here) on an unknown command or flag


@pytest.mark.parametrize("line", commands("make"))
def test_make_targets_exist(line):
    targets = re.findall(r"^([a-zA-Z_-]+):", (REPO_ROOT / "Makefile").read_text(), flags=re.M)
    assert shlex.split(line)[1] in targets


@pytest.mark.parametrize("line", commands("python -m simpipe.sweep"))
def test_sweep_commands_compose(line):
    """Each override applies to conf/sweep.yaml (a sweep's comma list by its first value)."""
    args = [a for a in shlex.split(line)[3:] if a != "-m"]
    overrides = [re.sub(r"=([^,]+),.*$", r"=\1", a) for a in args]
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        hydra_compose("sweep", overrides, return_hydra_config=True)


@pytest.mark.parametrize("line", commands("dvc repro") + commands("dvc exp run"))
def test_dvc_targets_and_set_params_exist(line):
    params = OmegaConf.create(yaml.safe_load((REPO_ROOT / "params.yaml").read_text()))
    stages = yaml.safe_load((REPO_ROOT / "dvc.yaml").read_text())["stages"]
    words = shlex.split(line)
    for key in (words[i + 1].split("=")[0] for i, w in enumerate(words) if w == "-S"):
        assert key == "launcher" or OmegaConf.select(params, key, default="missing") != "missing", key
    for target in (w for w in words if "@" in w):
        name, variant = target.split("@")
        assert name in stages and variant in VARIANTS, target


def test_every_test_the_readme_cites_exists():
    """`package/test_module::test_name`, `test_module` or a bare `test_name` (a `*` after it: names that start so)."""
    tests = REPO_ROOT / "tests"
    sources = {path: path.read_text() for path in tests.rglob("test_*.py")}
    cited = re.findall(r"`(?:tests/)?((?:[a-z]+/)?test_[a-z_0-9]+)(?:\.py)?(?:::(test_[a-z_0-9]+))?", README)
    assert cited
    for first, name in cited:
        module = tests / f"{first}.py"
        if name or module.is_file():
            assert module.is_file(), module
            assert not name or re.search(rf"def {name}", sources[module]), f"{first}::{name}"
        else:
            assert any(re.search(rf"def {first}", text) for text in sources.values()), first


def readme_data_configs() -> dict[str, str]:
    """The README's yaml blocks that are data configs (first line `# conf/data/<name>.yaml: ...`), by name."""
    blocks = re.findall(r"```yaml\n(# conf/data/([a-z_]+)\.yaml.*?)```", README, flags=re.S)
    return {name: text for text, name in blocks}


def test_the_readmes_data_configs_compose_and_pass_the_checks(tmp_path):
    """A user's CSV and a hub data set, as the README writes them, in a copy of conf/."""
    import shutil

    from simpipe.schema import check

    configs = readme_data_configs()
    assert {"survey", "stsb_hub"} <= set(configs)
    conf = tmp_path / "conf"
    shutil.copytree(CONF_DIR, conf)
    for name, text in configs.items():
        (conf / "data" / f"{name}.yaml").write_text(text)
        with initialize_config_dir(config_dir=str(conf), version_base="1.3"):
            cfg = check(hydra_compose("run", ["variant=minilm_sts", f"data={name}"]))
        assert cfg.data.reader in ("files", "hub") and cfg.data.columns == ["sentence1", "sentence2", "score"]
