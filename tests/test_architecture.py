"""The shape of the code: stage modules never import each other, and every stage in dvc.yaml lists
exactly the code it runs (its module and what that imports, transitively, outside the infrastructure)
and the params it reads."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml
from omegaconf import DictConfig, OmegaConf

from simpipe.config import REPO_ROOT, global_keys
from simpipe.stages import STAGES, stage
from tests.conftest import VARIANTS

SRC = REPO_ROOT / "src"
# shared helpers the stages use without them shaping their outputs: not DVC deps (a tracking change, or
# which checkpoint a crashed run resumes from, must not retrain); package __init__ files are markers
INFRASTRUCTURE = {
    *("simpipe.config", "simpipe.paths", "simpipe.io", "simpipe.errors", "simpipe.cli"),
    *("simpipe.tracking", "simpipe.checkpoints"),
}
DVC = yaml.safe_load((REPO_ROOT / "dvc.yaml").read_text())["stages"]


def module_file(name: str) -> Path | None:
    base = SRC / Path(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def imports(name: str) -> set[str]:
    """The simpipe modules `name` imports, anywhere in its body (`from simpipe import record` included)."""
    found = set()
    for node in ast.walk(ast.parse(module_file(name).read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {
                f"{node.module}.{alias.name}" for alias in node.names if module_file(f"{node.module}.{alias.name}")
            }
    return {m for m in found if m.startswith("simpipe") and module_file(m)}


def code_of(name: str) -> set[str]:
    """Files of `name` and of what it imports, transitively, less infrastructure and package markers."""
    seen, todo = set(), [name]
    while todo:
        module = todo.pop()
        if module in seen or module in INFRASTRUCTURE:
            continue
        seen.add(module)
        todo += imports(module)
    files = {module_file(m) for m in seen}
    return {str(f.relative_to(REPO_ROOT)) for f in files if f.name != "__init__.py"}


def listed_code(stage_name: str) -> set[str]:
    files = set()
    for dep in DVC[stage_name]["do"]["deps"]:
        path = REPO_ROOT / dep
        if dep.startswith("src/"):
            found = sorted(path.rglob("*.py")) if path.is_dir() else [path]
            files |= {str(f.relative_to(REPO_ROOT)) for f in found if f.name != "__init__.py"}
    return files


def test_every_stage_is_in_dvc_yaml_in_pipeline_order():
    assert list(DVC) == ["fetch", *STAGES]  # fetch: the `simpipe fetch` command, its output data/raw


def test_every_variant_model_is_a_dvc_artifact():
    artifacts = yaml.safe_load((REPO_ROOT / "dvc.yaml").read_text())["artifacts"]
    assert set(artifacts) == set(VARIANTS)
    for name, artifact in artifacts.items():
        assert (artifact["path"], artifact["type"]) == (f"models/{name}", "model")


@pytest.mark.parametrize("name", list(STAGES))
def test_no_stage_module_imports_another(name):
    others = {module for other, module in STAGES.items() if other != name}
    assert not imports(STAGES[name]) & others


@pytest.mark.parametrize("name", list(STAGES))
def test_dvc_yaml_lists_exactly_the_code_of_each_stage(name):
    assert listed_code(name) == code_of(STAGES[name])


def only_listed(cfg: DictConfig, name: str) -> DictConfig:
    """`cfg` with nothing but the shared groups, `name` and the params dvc.yaml lists for stage `name`,
    in struct mode: reading anything else raises."""
    keys = [*global_keys(), "name"]
    keys += [p.split("${key}.", 1)[1] for p in DVC[name]["do"].get("params", [])]
    out = OmegaConf.create({})
    for key in keys:
        OmegaConf.update(out, key, OmegaConf.select(cfg, key), force_add=True)
    OmegaConf.set_struct(out, True)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS)
def test_each_stage_runs_on_only_the_params_dvc_yaml_lists(variant, run_cfg, mirror):
    """A stage that reads a setting dvc.yaml does not list fails here (struct mode), so editing such a
    setting can never leave a stale output behind."""
    from simpipe.fetch import fetch
    from simpipe.paths import Layout

    cfg = run_cfg(variant)
    fetch(cfg.data, Layout.from_cfg(cfg).raw(cfg.data.raw_subdir), mirror)
    for name in STAGES:
        stage(name)(only_listed(cfg, name))
