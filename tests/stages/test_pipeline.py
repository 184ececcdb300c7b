"""End to end on the quick profile: every variant through the stage functions, and the real `dvc repro`."""

import hashlib
import json
import re
import subprocess
import time
from pathlib import Path

import mlflow
import pandas as pd
import pytest
import yaml
from sentence_transformers import CrossEncoder

from simpipe.artifacts.metrics import curve_metric, curve_shape, dim_key, matryoshka_dims, split_metric
from simpipe.core.config import load_params
from simpipe.core.families import BI_ENCODER, CROSS_ENCODER
from simpipe.core.paths import Layout
from simpipe.data.fetch import fetch
from simpipe.data.naming import dataset_name, hub_dataset
from simpipe.data.prepared import run_files
from simpipe.evaluation.config import reranks
from simpipe.modeling.config import family_of, scored_untrained
from simpipe.modeling.model import load_model
from simpipe.schema import variant as checked_variant
from simpipe.stages import run_stage, stage
from simpipe.tracking.tracker import metric_name
from simpipe.training.sets import training_sets
from tests.helpers.processes import copy_simpipe, dvc, project_copy

pytestmark = pytest.mark.slow

# a split's metrics of scored pairs, by model family: a bi-encoder's per similarity, a cross-encoder's
METRICS = {
    BI_ENCODER: [
        f"{kind}_{fn}" for fn in ("cosine", "manhattan", "euclidean", "dot", "max") for kind in ("pearson", "spearman")
    ],
    CROSS_ENCODER: ["pearson", "spearman"],
}
SEARCH_METRICS = ["cosine_mrr@10", "cosine_ndcg@10", "cosine_recall@10", "cosine_recall@100"]
# a reranker's, and its retriever's on the same queries
RERANK_METRICS = [f"{who}{m}" for who in ("", "retriever_") for m in ("mrr@10", "ndcg@10", "map@100", "recall@10")]
CARD_SECTIONS = [
    "## Model Details",
    "### Full Model Architecture",
    "## Usage",
    "## Evaluation",
    "## Reproduction",
    "## Training Details",
    "### Training Hyperparameters",
    "### Training Logs",
    "### Framework Versions",
    "## Citation",
]
FRONT_MATTER = [
    "library_name",
    "tags",
    "metrics",
    "pipeline_tag",
    "co2_eq_emissions",
    "model-index",
]


def check_outputs(root: Path, variant: str, cfg) -> None:
    layout = Layout(root)
    assert (layout.report(variant) / "report.md").is_file()
    assert "reproduction report" in (layout.report(variant) / "report.html").read_text()
    comparison = json.loads((layout.metrics(variant) / "comparison.json").read_text())
    if cfg.report.reference:
        assert comparison["reference"] and len(comparison["metrics"]) > 0  # the variant's in-repo reference
    else:
        assert comparison["reference"] is None and comparison["summary"].startswith("No reference card")
    metrics = json.loads((layout.metrics(variant) / "metrics.json").read_text())
    sets = training_sets(cfg)
    by_set = {s.key: [s.cfg.data.dev_name, s.cfg.data.test_name] for s in sets}  # every set's own split names
    splits = [name for names in by_set.values() for name in names]
    pretrained, family = scored_untrained(cfg.model), family_of(cfg.model)  # the base model's scores exist
    searching = family == BI_ENCODER  # a cross-encoder has no search evaluator
    searches = [f"search/{name}" for s in sets if s.cfg.data.search and searching for name in by_set[s.key]]
    own_searches = [f"search/{name}" for name in by_set[None]] if cfg.data.search and searching else []
    own = split_metric(cfg.data.eval_shape, cfg.eval.main_similarity, family)  # e.g. spearman_cosine, spearman
    keys = splits + searches
    dims = [dim_key(key, dim) for key in keys for dim in matryoshka_dims(cfg.train)]  # Matryoshka's, each key's
    reranked = [f"rerank/{name}" for name in by_set[None]] if reranks(cfg.name, cfg.eval) else []
    assert set(metrics) == set(keys + dims + reranked + ([f"base/{key}" for key in keys + dims] if pretrained else []))
    for key, values in metrics.items():
        expected = SEARCH_METRICS if "search/" in key else RERANK_METRICS if "rerank/" in key else METRICS[family]
        assert set(expected) <= set(values) and all(-1 <= v <= 1 for v in values.values()), key
    speed = json.loads((layout.metrics(variant) / "speed.json").read_text())
    unit = "texts" if family == BI_ENCODER else "pairs"
    assert speed[f"{unit}_per_s"] > 0 and speed[unit] > 0 and speed["cpu"] and speed["device"] == "cpu"
    base = json.loads((layout.metrics(variant) / "base" / "metrics.json").read_text())
    assert base == {key: metrics[f"base/{key}"] for key in keys + dims} if pretrained else base == {}
    lifted = {(row["dataset"], row["metric"]) for row in comparison["baseline"]}
    assert ((cfg.data.dev_name, own) in lifted) == pretrained
    assert (("search/" + cfg.data.dev_name, "cosine_mrr@10") in lifted) == (pretrained and bool(own_searches))
    curve = pd.read_csv(layout.metrics(variant) / "dev_curve.csv")
    # the curve follows the data's headline (a reranker's: its eval splits')
    headline = curve_metric(curve_shape(cfg.data, family), cfg.eval.main_similarity, family)
    assert list(curve.columns) == ["step", "epoch", headline] and len(curve) >= 2

    readme = (layout.model(variant) / "README.md").read_text()
    front, body = readme.split("---\n", 2)[1:]
    front = __import__("yaml").safe_load(front)
    widget = ["widget"] if family == BI_ENCODER else []  # a text-ranking card has no widget
    for key in FRONT_MATTER + widget + (["language"] if cfg.card.language else []):
        assert key in front, key
    if cfg.card.base_model:
        assert front["base_model"] == cfg.card.base_model
    assert front["co2_eq_emissions"]["source"] == "codecarbon"
    values: dict[tuple[str, str], float] = {}  # the first of each (Matryoshka's dims follow the full size's)
    for result in front["model-index"][0]["results"]:
        for m in result["metrics"]:
            values.setdefault((result["dataset"]["type"], m["type"]), m["value"])
    assert len(values) == sum(len(metrics[key]) for key in keys + reranked)
    assert values[(cfg.data.dev_name, own)] == pytest.approx(metrics[cfg.data.dev_name][own])
    for key in reranked:  # the reranking's table, named by its split
        assert values[(key.removeprefix("rerank/"), "ndcg@10")] == pytest.approx(metrics[key]["ndcg@10"])
    for key in searches:
        assert values[(key.removeprefix("search/"), "cosine_ndcg@10")] == pytest.approx(metrics[key]["cosine_ndcg@10"])
    assert ("| Base | Fine-tuned | Lift |" in body) == pretrained
    names = [dataset_name(s.cfg.data) for s in sets]
    assert all(f"#### {name}\n" in body for name in names) and "Unnamed Dataset" not in body  # named by data configs
    assert front.get("datasets") == ([dataset_name(s.cfg.data) for s in sets if hub_dataset(s.cfg.data)] or None)
    for section in CARD_SECTIONS:
        assert section in body, section
    # 48 pairs at most, or those that got a negative; mined labelled pairs: a row per positive and per negative
    most = 48 * (1 + cfg.mine.num_negatives) if cfg.mine.enabled else 48
    sizes = [int(n) for n in re.findall(r"Size: (\d+) training samples", body)]
    assert sizes and all(0 < n <= most for n in sizes), sizes

    client = mlflow.MlflowClient(json.loads((layout.trained(variant) / "run.json").read_text())["mlflow_uri"])
    run_id = json.loads((layout.trained(variant) / "run.json").read_text())["mlflow_run_id"]
    run = client.get_run(run_id)
    assert run.info.status == "FINISHED" and run.data.params["train.batch_size"] == str(cfg.train.batch_size)
    assert len(client.get_metric_history(run_id, "train/loss")) >= 2
    assert len(client.get_metric_history(run_id, metric_name(f"{cfg.data.dev_name}/{headline}"))) >= 2
    logged = run.data.metrics
    for key in own_searches:  # MLflow refuses "@" in names
        assert logged[f"{key}/cosine_mrr_at_10"] == pytest.approx(metrics[key]["cosine_mrr@10"])
    if pretrained:
        assert logged[f"base/{cfg.data.dev_name}/{own}"] == pytest.approx(base[cfg.data.dev_name][own])
    assert run.data.metrics[f"{cfg.data.test_name}/{own}"] == pytest.approx(metrics[cfg.data.test_name][own])
    assert run.data.metrics["co2/emissions_g"] >= 0 and run.data.metrics["co2/energy_kwh"] >= 0
    assert run.data.tags["version.sentence_transformers"]
    assert "card/README.md" in [a.path for a in client.list_artifacts(run_id, "card")]
    inputs = {
        (i.dataset.name, next(t.value for t in i.tags if t.key == "mlflow.data.context")): i.dataset
        for i in run.inputs.dataset_inputs
    }
    assert set(inputs) == {(name, split) for name in names for split in ("train", "dev", "test")}
    for s in sets:  # the files trained and scored on, by their md5 (as DVC hashes them)
        files = run_files(layout.prepared(variant, s.key), layout.mined(variant, s.key))
        for split in ("train", "dev", "test"):
            dataset = inputs[(dataset_name(s.cfg.data), split)]
            digest = hashlib.md5(files[split].read_bytes()).hexdigest()
            # MLflow keeps one data set per (name, digest): a variant with the same prepared data
            # (glove_bilstm_sts and minilm_sts) shows the source of the first run that logged it
            source = root / json.loads(dataset.source)["uri"]
            assert dataset.digest == digest == hashlib.md5(source.read_bytes()).hexdigest()
            assert source.name == f"{split}.parquet"


@pytest.mark.parametrize("sampler", ["proportional", "round_robin"])
def test_two_sets_with_two_losses_under_each_sampler(run_cfg, mirror, monkeypatch, sampler):
    """minilm_multitask's two sets (STS-b pairs, CoSENTLoss; Home Depot search triplets, MNRL) for one epoch
    of batches of 4: proportional draws every batch of both sets, round robin alternates until the smaller
    runs out; each batch trains with its own set's loss."""
    from sentence_transformers.losses import CoSENTLoss, MultipleNegativesRankingLoss

    cfg = run_cfg("minilm_multitask", "train.max_steps=-1", "train.batch_size=4", "tracking.enabled=false",
                  "train.epochs=1", f"train.multi_dataset_sampler={sampler}")  # fmt: skip
    for dataset in training_sets(cfg):
        fetch(dataset.cfg.data, Layout.from_cfg(cfg).raw(dataset.cfg.data.raw_subdir), mirror)
    for name in ("prepare", "mine"):
        run_stage(name, cfg)
    sizes = {s.name: len(pd.read_parquet(Layout.from_cfg(cfg).mined(cfg.name, s.key) / "train.parquet"))
             for s in training_sets(cfg)}  # fmt: skip
    batches = {name: -(-size // 4) for name, size in sizes.items()}
    assert sizes["stsb"] == 48 and batches["homedepot"] < batches["stsb"]
    if sampler == "round_robin":
        batches = dict.fromkeys(batches, min(batches.values()))
    calls = {"stsb": 0, "homedepot": 0}
    for loss, name in ((CoSENTLoss, "stsb"), (MultipleNegativesRankingLoss, "homedepot")):
        forward = loss.forward

        def counted(self, *args, name=name, forward=forward, **kwargs):
            calls[name] += 1
            return forward(self, *args, **kwargs)

        monkeypatch.setattr(loss, "forward", counted)
    stage("train")(cfg)
    run = json.loads((Layout.from_cfg(cfg).trained(cfg.name) / "run.json").read_text())
    assert run["global_step"] == sum(batches.values()) and run["set_samples"] == sizes
    assert calls == batches


def test_same_seed_same_metrics(run_cfg, tmp_path, mirror):
    """Two quick runs with one seed on the CPU give identical metrics."""
    results = []
    for attempt in ("a", "b"):
        cfg = run_cfg("glove_bilstm_sts", f"paths.root={tmp_path / attempt}", "tracking.enabled=false")
        fetch(cfg.data, Layout.from_cfg(cfg).raw(cfg.data.raw_subdir), mirror)
        for name in ("prepare", "mine", "train"):
            stage(name)(cfg)
        results.append(stage("evaluate")(cfg))
    assert results[0] == results[1]


GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]


# the variants the dvc tests run: one per model kind (GloVe BiLSTM, transformer, cross-encoder, static) and
# per stage wiring (mined, reranking another variant's candidates, a second data set); every shipped
# variant runs each of its stages in-process in test_architecture (test_each_stage_runs_on_only_the_params…)
REPRO_VARIANTS = ("glove_bilstm_sts", "minilm_sts", "minilm_homedepot_search", "minilm_homedepot_rerank",
                  "minilm_multitask", "static_sts")  # fmt: skip


@pytest.fixture
def quick_repo(tmp_path, mirror) -> tuple[Path, list[str]]:
    """A temporary copy of the project (git repo, raw data fetched) with the variants of REPRO_VARIANTS,
    whose params.yaml uses the quick profile, and the `-S` overrides that keep `dvc exp run` (which
    recomposes conf/) on that profile."""
    sets = [*(f"profile@variants.{v}=quick" for v in REPRO_VARIANTS), f"paths.mirror={mirror}"]
    return project_copy(tmp_path, mirror, *sets, variants=REPRO_VARIANTS), sets


def changed_stages(repo: Path, group: str, key: str, value, variant: str = "glove_bilstm_sts") -> set[str]:
    """Set `variants.<variant>.<group>.<key>` in params.yaml; the stages `dvc status` then calls changed."""
    params = yaml.safe_load((repo / "params.yaml").read_text())
    assert params["variants"][variant][group][key] != value, f"{variant}.{group}.{key} is {value} already"
    params["variants"][variant][group][key] = value
    (repo / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    return set(json.loads(dvc("status", "--json", cwd=repo)))


def commit_all(repo: Path) -> None:
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "quick"], cwd=repo, check=True)


def experiments(repo: Path) -> dict[str, dict]:
    """`dvc exp show --json` as {experiment name: its data (params, metrics)}."""
    shown = json.loads(dvc("exp", "show", "--json", cwd=repo))
    return {
        e["name"]: e["revs"][0]["data"] for commit in shown for e in (commit.get("experiments") or []) if e.get("name")
    }


def check_remote_round_trip(repo: Path, tmp_path: Path) -> None:
    """A local-directory DVC remote: `dvc push`; a colleague's `git clone` + `dvc pull` gets every output
    (raw data and models included), `dvc repro` there is a no-op and the pulled models load."""
    dvc("remote", "add", "-d", "team", str(tmp_path / "dvc-remote"), cwd=repo)
    commit_all(repo)
    assert "files pushed" in dvc("push", cwd=repo)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    assert not (clone / "models").exists()
    dvc("pull", cwd=clone)
    assert "Data and pipelines are up to date" in dvc("repro", cwd=clone)
    texts = ["a dog runs in the park", "cordless drill"]
    for name in REPRO_VARIANTS:
        model_cfg = checked_variant(load_params(repo / "params.yaml"), name).model
        pulled, original = (load_model(model_cfg, root / "models" / name, "cpu") for root in (clone, repo))
        if isinstance(pulled, CrossEncoder):  # a reranker scores the pair
            assert (pulled.predict([texts]) == original.predict([texts])).all()
        else:
            assert (pulled.encode(texts) == original.encode(texts)).all()


# a distillation variant: MarginMSELoss on mined Home Depot triplets, taught by all-MiniLM-L6-v2
DISTILL = """# @package _global_
defaults: [/data: homedepot_pairs, /model: minilm, /mine: default, /train: default, /model@train.teacher: minilm,
           /eval: default, /card: default, /report: default, _self_]
name: tiny_distill
mine: {enabled: true}
train: {loss: MarginMSELoss}
"""


def test_a_teacher_scores_once_and_a_training_change_does_not_score_again(quick_repo):
    """The mine stage adds the teacher's scores [positive, negative] of each mined row, which training reads
    as the label; a training-only change re-runs train, never the teacher (mine is cached)."""
    repo, quick_sets = quick_repo
    made = copy_simpipe(repo, "variant", "--new", "tiny_distill", "--data", "homedepot_pairs")
    assert made.returncode == 0, made.stderr
    (repo / "conf" / "variant" / "tiny_distill.yaml").write_text(DISTILL)
    sets = copy_simpipe(repo, "params", *quick_sets, "profile@variants.tiny_distill=quick")
    assert sets.returncode == 0, sets.stderr
    dvc("repro", "train@tiny_distill", cwd=repo)
    rows = pd.read_parquet(repo / "data" / "mined" / "tiny_distill" / "train.parquet")
    assert list(rows.columns) == ["sentence_0", "sentence_1", "negative", "label"]
    assert all(len(scores) == 2 for scores in rows["label"])
    changed = {s for s in changed_stages(repo, "train", "learning_rate", 1e-4, variant="tiny_distill")
               if s.endswith("@tiny_distill")}  # fmt: skip
    assert "train@tiny_distill" in changed and not changed & {"prepare@tiny_distill", "mine@tiny_distill"}


def test_dvc_repro_then_noop_then_exp_run(quick_repo, tmp_path):
    """The real `dvc repro` in a temporary copy of the project, with the quick profile."""
    repo, quick_sets = quick_repo
    dvc("repro", cwd=repo)
    for name in REPRO_VARIANTS:
        check_outputs(repo, name, checked_variant(load_params(repo / "params.yaml"), name))  # as a stage reads it
    assert "Data and pipelines are up to date" in dvc("repro", cwd=repo)
    status = dvc("status", cwd=repo)
    assert "up to date" in status
    check_remote_round_trip(repo, tmp_path)

    # an evaluation-only and a card-only setting: neither retrains (dvc status); the comparison reads no
    # batch size, but evaluate measures the encoding speed again, which the comparison and the report show
    evaluation_only = {f"{name}@glove_bilstm_sts" for name in ("baseline", "evaluate", "card")}
    assert changed_stages(repo, "eval", "cuda_batch_size", 256) == evaluation_only
    assert changed_stages(repo, "card", "model_name", "GloVe BiLSTM, renamed") == evaluation_only
    ran = re.findall(r"^Running stage '([^']+)'", dvc("repro", cwd=repo), flags=re.M)
    assert ran == [f"{name}@glove_bilstm_sts" for name in ("baseline", "evaluate", "comparison", "card", "report")]
    assert "GloVe BiLSTM, renamed" in (repo / "models" / "glove_bilstm_sts" / "README.md").read_text()

    # a training-only setting re-runs training and what follows it, never the base model's scores
    assert changed_stages(repo, "train", "learning_rate", 1e-4, variant="minilm_sts") == {"train@minilm_sts"}
    base = repo / "metrics" / "minilm_sts" / "base" / "metrics.json"
    before = base.read_text()
    ran = re.findall(r"^Running stage '([^']+)'", dvc("repro", cwd=repo), flags=re.M)
    # (candidates: a bi-encoder's own, nothing to rerank: a manifest that does not change)
    assert ran == [f"{name}@minilm_sts" for name in ("train", "candidates", "evaluate", "comparison", "card", "report")]
    assert base.read_text() == before and "base/sts-dev" in json.loads(
        (base.parent.parent / "metrics.json").read_text()
    )

    # mined negatives are cached: a training-only change trains again on the same mined rows
    mined = repo / "data" / "mined" / "minilm_homedepot_search" / "train.parquet"
    digest = hashlib.md5(mined.read_bytes()).hexdigest()
    search = "minilm_homedepot_search"
    assert changed_stages(repo, "train", "learning_rate", 3e-4, variant=search) == {f"train@{search}"}
    ran = re.findall(r"^Running stage '([^']+)'", dvc("repro", cwd=repo), flags=re.M)
    assert [s for s in ran if s.endswith(f"@{search}")] == [
        f"{name}@{search}" for name in ("train", "candidates", "evaluate", "comparison", "card", "report")
    ]
    assert "candidates@minilm_homedepot_rerank" in ran  # a retrained retriever: its reranker's candidates again
    assert hashlib.md5(mined.read_bytes()).hexdigest() == digest
    # the number of mined negatives also names the trained columns in the comparison and the card
    mined_stages = {f"{name}@{search}" for name in ("mine", "comparison", "card")}
    assert changed_stages(repo, "mine", "num_negatives", 2, variant=search) == mined_stages
    # the retriever's candidates are cached: a reranker-only change never searches again
    rerank = "minilm_homedepot_rerank"
    changed = changed_stages(repo, "train", "learning_rate", 1e-4, variant=rerank)
    assert {s for s in changed if s.endswith(f"@{rerank}")} == {f"train@{rerank}"}
    assert not {s for s in changed if s.endswith(f"@{search}")} - mined_stages

    commit_all(repo)
    sets = [*quick_sets, "variants.glove_bilstm_sts.train.learning_rate=0.001"]
    dvc("exp", "run", "-n", "lr1e3", *(arg for s in sets for arg in ("-S", s)), cwd=repo)
    data = experiments(repo)["lr1e3"]
    params = data["params"]["params.yaml"]["data"]
    assert params["variants"]["glove_bilstm_sts"]["train"]["learning_rate"] == 0.001
    metrics = data["metrics"]["metrics/glove_bilstm_sts/metrics.json"]["data"]
    assert "spearman_cosine" in metrics["sts-dev"]


def test_queued_dvc_sweep_shows_both_experiments(quick_repo, monkeypatch):
    """`dvc exp run --queue` twice, `dvc queue start -j 2`: both in `dvc exp show`, both runs in one MLflow store."""
    repo, quick_sets = quick_repo
    commit_all(repo)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{repo / 'mlflow.db'}")  # queued runs live in temp copies
    for lr in ("0.0001", "0.001"):
        sets = [*quick_sets, f"variants.glove_bilstm_sts.train.learning_rate={lr}"]
        args = ["exp", "run", "--queue", "-n", f"lr{lr}", "-C", "data/raw", *(a for s in sets for a in ("-S", s))]
        dvc(*args, "evaluate@glove_bilstm_sts", cwd=repo)
    dvc("queue", "start", "-j", "2", cwd=repo)
    deadline = time.time() + 600
    while re.search(r"\b(Queued|Running)\b", dvc("queue", "status", cwd=repo)) and time.time() < deadline:
        time.sleep(2)
    exps = experiments(repo)
    for lr in ("0.0001", "0.001"):
        data = exps[f"lr{lr}"]
        assert data["params"]["params.yaml"]["data"]["variants"]["glove_bilstm_sts"]["train"]["learning_rate"] == float(
            lr
        )
        assert "spearman_cosine" in data["metrics"]["metrics/glove_bilstm_sts/metrics.json"]["data"]["sts-dev"]
    plots = json.loads(dvc("plots", "diff", "lr0.0001", "lr0.001", "--json", cwd=repo))["data"]
    chart = json.dumps(plots["metrics/glove_bilstm_sts/dev_curve.csv"])
    assert "lr0.0001" in chart and "lr0.001" in chart  # both experiments' curves in one chart
    client = mlflow.MlflowClient(f"sqlite:///{repo / 'mlflow.db'}")
    tracked = client.search_runs([client.get_experiment_by_name("simpipe").experiment_id])
    assert sorted(r.data.params["train.learning_rate"] for r in tracked) == ["0.0001", "0.001"]
