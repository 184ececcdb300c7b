"""The shape of the code: packages import only the ones below them, stage modules never import each other,
and every stage in dvc.yaml lists exactly the code it runs (its module and what that imports, transitively,
outside the infrastructure and the config sections) and the params it reads."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from omegaconf import DictConfig, OmegaConf

from simpipe.core.config import MODEL_PARAMS, REPO_ROOT, global_keys
from simpipe.stages import PER_SET, STAGES, stage
from tests.helpers.config import VARIANTS

SRC = REPO_ROOT / "src"
PACKAGE = SRC / "simpipe"
# the packages, bottom to top: each imports only itself and the ones before it (simpipe/__init__.py)
LAYERS = [
    "core",
    "artifacts",
    "tracking",
    "data",
    "modeling",
    "evaluation",
    "training",
    "cards",
    "documents",
    "shipping",
]
# on top of the layers: the stages (which never import each other) and the top-level modules
TOP_LEVEL = {"__init__", "__main__", "cli", "sweep", "schema"}
# code that never shapes a stage's outputs, so never a DVC dep (a tracking change, or which checkpoint a
# crashed run resumes from, must not retrain): these packages and modules, and every package's config
# section (`<package>.config`: checks, and defaults that tests/test_schema.py holds equal to conf/)
INFRASTRUCTURE_PACKAGES = ("simpipe.core", "simpipe.tracking")
INFRASTRUCTURE_MODULES = {"simpipe.training.checkpoints"}
DVC = yaml.safe_load((REPO_ROOT / "dvc.yaml").read_text())["stages"]
# derived config values (not in params.yaml) -> the params they derive from
DERIVED = {
    "data.eval_shape": ("data.reader", "data.shape"),
    "data.train_columns": ("data.reader", "data.shape", "data.columns"),
}


def module_file(name: str) -> Path | None:
    base = SRC / Path(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def imports(name: str) -> set[str]:
    """The simpipe modules `name` imports, anywhere in its body (`from simpipe.artifacts import metrics` included)."""
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


def modules() -> list[str]:
    """Every module of simpipe, dotted."""
    return sorted(
        ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
        for path in PACKAGE.rglob("*.py")
    )


def layer(module: str) -> str:
    """The package of `module` (`core`, ..., `stages`), or its name when it is a top-level module."""
    return module.split(".")[1] if module != "simpipe" else "__init__"


def infrastructure(module: str) -> bool:
    return (
        module.startswith(INFRASTRUCTURE_PACKAGES)
        or module in INFRASTRUCTURE_MODULES
        or (module.endswith(".config") and module != "simpipe.core.config")
    )


def code_of(name: str) -> set[str]:
    """Files of `name` and of what it imports, transitively, less infrastructure and package markers."""
    seen, todo = set(), [name]
    while todo:
        module = todo.pop()
        if module in seen or infrastructure(module):
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


def test_the_layers_are_the_packages():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert packages == {*LAYERS, "stages"}
    assert {p.stem for p in PACKAGE.glob("*.py")} == TOP_LEVEL  # at most six top-level modules
    for name in [*LAYERS, "stages"]:
        doc = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text()))
        assert doc and len(doc) > 80, f"simpipe/{name}/__init__.py: say the package's job and what it may import"


@pytest.mark.parametrize("module", [m for m in modules() if layer(m) in LAYERS])
def test_each_package_imports_only_the_ones_below_it(module):
    allowed = set(LAYERS[: LAYERS.index(layer(module)) + 1])
    upward = {m for m in imports(module) if layer(m) not in allowed}
    assert not upward, f"{module} imports {sorted(upward)}: a package may import only {sorted(allowed)}"


@pytest.mark.parametrize("name", list(STAGES))
def test_no_stage_module_imports_another_or_the_top_level(name):
    others = {module for other, module in STAGES.items() if other != name}
    found = imports(STAGES[name])
    assert not found & others and not {m for m in found if layer(m) in TOP_LEVEL}


def test_every_stage_is_in_dvc_yaml_in_pipeline_order():
    """fetch (the `simpipe fetch` command, its output data/raw), then each stage, the ones that run per data
    set followed by their `<stage>_set` over a variant's other data sets (`sets`)."""
    expected = [name for stage_name in STAGES for name in (stage_name, f"{stage_name}_set")
                if name == stage_name or stage_name in PER_SET]  # fmt: skip
    assert list(DVC) == ["fetch", *expected]
    assert all(DVC[f"{name}_set"]["foreach"] == "${sets}" for name in PER_SET)


def test_every_variant_model_is_a_dvc_artifact():
    artifacts = yaml.safe_load((REPO_ROOT / "dvc.yaml").read_text())["artifacts"]
    assert set(artifacts) == set(VARIANTS)
    for name, artifact in artifacts.items():
        assert (artifact["path"], artifact["type"]) == (f"models/{name}", "model")


@pytest.mark.parametrize("name", [*STAGES, *(f"{name}_set" for name in PER_SET)])
def test_dvc_yaml_lists_exactly_the_code_of_each_stage(name):
    assert listed_code(name) == code_of(STAGES[name.removesuffix("_set")])


def test_no_infrastructure_is_a_dvc_dep():
    for name in STAGES:
        deps = listed_code(name)
        assert not [d for d in deps if d.startswith(("src/simpipe/core/", "src/simpipe/tracking/"))], name
        assert not [d for d in deps if d.endswith(("/checkpoints.py", "/config.py"))], name


def test_no_file_that_builds_cards_or_reports_is_among_trains_deps():
    deps = listed_code("train")
    assert not [d for d in deps if d.startswith("src/simpipe/documents/") or d.endswith("artifacts/documents.py")]


def test_the_card_imports_the_losses_not_the_training_loop():
    deps = listed_code("card")
    assert "src/simpipe/training/losses.py" in deps
    assert not deps & {f"src/simpipe/training/{m}.py" for m in ("loop", "args", "callbacks", "distributed")}


def test_the_report_depends_on_the_comparisons_data_model_only():
    deps = listed_code("report")
    assert "src/simpipe/documents/comparison.py" in deps
    assert not deps & {f"src/simpipe/documents/{m}.py" for m in ("reproduction", "reference", "card")}


def test_the_home_depot_text_rules_are_a_dep_of_prepare_only():
    text = "src/simpipe/data/homedepot_text.py"
    assert [name for name in STAGES if text in listed_code(name)] == ["prepare"]
    assert [name for name in STAGES if any("data/homedepot.py" in d for d in listed_code(name))] == ["prepare"]


def test_train_depends_on_the_data_files_it_reads():
    """The directories of every data set's files it reads: its own and its other sets' (subdirectories)."""
    from simpipe.core.paths import Layout
    from simpipe.stages.train import training_files

    data = [d for d in DVC["train"]["do"]["deps"] if d.startswith("data/")]
    assert data == ["data/mined/${key}", "data/prepared/${key}"]
    layout = Layout(Path("."))
    for key in (None, "more"):
        for path in training_files(layout, "${key}", key):
            assert any(str(path).startswith(f"{d}/") for d in data), path


def variant_key(param: str) -> str:
    """A dvc.yaml param's key in the variant's config: `variants.${key}.train.loss` -> `train.loss`;
    `variants.${item.variant}.train.datasets.${item.set}.mine` -> `train.datasets.${item.set}.mine`."""
    return param.split("${key}.", 1)[1] if "${key}." in param else param.split("${item.variant}.", 1)[1]


def covered(key: str, by: list[str]) -> bool:
    """`key` is one of `by` or lies under one of them (`train.loss` under `train`)."""
    return any(key == other or key.startswith(f"{other}.") for other in by)


def test_what_shapes_the_model_is_the_params_of_prepare_mine_and_train():
    """The resume fingerprint and the MLflow params (both `MODEL_PARAMS`) cover every param dvc.yaml lists for
    prepare, mine and train, and nothing else."""
    stages = ("prepare", "prepare_set", "mine", "mine_set", "train")
    listed = [variant_key(p) for name in stages for p in DVC[name]["do"]["params"]]
    assert all(covered(key, list(MODEL_PARAMS)) for key in listed), listed
    assert all(covered(key, listed) for key in MODEL_PARAMS), MODEL_PARAMS


def in_set_view(key: str) -> str:
    """A set's param in its view of the variant (simpipe.training.sets): `train.datasets.${item.set}.mine` ->
    `mine`, `train.datasets.${item.set}.loss` -> `train.loss`; any other key as it is."""
    prefix = "train.datasets.${item.set}."
    if not key.startswith(prefix):
        return key
    key = key.removeprefix(prefix)
    return f"train.{key}" if key.split(".")[0] in ("loss", "loss_params") else key


def only_listed(cfg: DictConfig, name: str) -> DictConfig:
    """`cfg` with nothing but the shared groups, `name` and the params dvc.yaml lists for stage `name`,
    in struct mode: reading anything else raises. A `<stage>_set` stage's `cfg` is a set's view
    (simpipe.training.sets), whose data and mine are the set's and whose train.loss and train.loss_params
    are the set's loss and loss_params: its params read there."""
    from simpipe.training.sets import SET_KEY

    keys = [*global_keys(), "name", SET_KEY]
    keys += [in_set_view(variant_key(p)) for p in DVC[name]["do"].get("params", [])]
    # values the data section derives (simpipe.data.config), readable where what they derive from is listed
    keys += [key for key, sources in DERIVED.items() if all(covered(source, keys) for source in sources)]
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
    from simpipe.core.paths import Layout
    from simpipe.data.fetch import fetch
    from simpipe.evaluation.config import reranks
    from simpipe.training.sets import training_sets

    cfg = run_cfg(variant)
    sets = training_sets(cfg)
    for dataset in sets:
        fetch(dataset.cfg.data, Layout.from_cfg(cfg).raw(dataset.cfg.data.raw_subdir), mirror)
    if reranks(cfg.name, cfg.eval):  # the retriever's trained model, which stage candidates searches with
        for name in ("prepare", "mine", "train"):
            stage(name)(run_cfg(cfg.eval.retriever))
    for name in STAGES:
        stage(name)(only_listed(cfg, name))
        if name in PER_SET:  # the variant's other data sets: each its own DVC stage `<name>_set`
            for dataset in sets[1:]:
                stage(name)(only_listed(dataset.cfg, f"{name}_set"))


def test_checking_every_variant_and_the_stages_that_load_no_model_import_no_torch():
    """Every `simpipe` process checks its config and most stages load no model: importing torch there (~5 s
    a process) would slow every `dvc repro` and `simpipe params`."""
    code = (
        "import sys\n"
        "from simpipe.core.config import compose\n"
        "from simpipe.schema import check_pipeline\n"
        "import simpipe.stages.mine, simpipe.stages.candidates, simpipe.stages.report\n"
        "check_pipeline(compose('config'))\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"
