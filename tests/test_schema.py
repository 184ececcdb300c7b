"""Config checked when it is composed: every section's types, ranges and keys, one line naming the key,
the value and what is allowed; `simpipe params` refuses before it writes anything."""

import subprocess
import sys

import pytest
import yaml

from simpipe.core.config import CONF_DIR, compose
from simpipe.core.errors import ConfigError
from simpipe.schema import CHOSEN, OWN, SHARED, check_pipeline
from tests.helpers.config import VARIANTS, pipeline_config


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
        # a `???` with its reason is never the default's (a plain `???` would keep it when Hydra merges)
        ('train.batch_size="??? (not stated)"', r"^train\.batch_size: missing; set it \(rows per batch"),
        ("+train.loss_params.margin=0.5", r"^train\.loss_params\.margin=0\.5: not a parameter of CosineSimilarity"),
        ("+train.lr=0.1", r"^train\.lr: unknown key; train takes loss, loss_params, epochs"),
        ("checkpoint.keep=1", r"^checkpoint\.keep=1: keep at least 2 checkpoints"),
        ("model.lstm.hidden_dim=0", r"^model\.lstm\.hidden_dim=0: must be at least 1 \(LSTM units\)$"),
        ("model.kind=nope", r"^model\.kind='nope': choose one of transformer, glove_bilstm, cross_encoder, static$"),
        ("data.reader=nope", r"^data\.reader='nope': choose one of stsb, homedepot, files, hub$"),
        ("data.columns=[a,b]", r"^data\.columns=\['a', 'b'\]: name 3 distinct columns, one per role: sentence1, "),
        ("data.shape=pairs", r"^data\.shape='pairs': data\.reader=stsb reads scored_pairs$"),
        (
            "data.shape=quads",
            r"^data\.shape='quads': choose one of scored_pairs, labelled_pairs, pairs, classified_pairs, "
            r"labelled_texts, texts, triplets$",
        ),
        ("report.tolerance=-1", r"^report\.tolerance=-1: must be at least 0\.0"),
        ("train.matryoshka={dims:[]}", r"^train\.matryoshka\.dims=\[\]: name distinct embedding sizes >= 1"),
        (
            "train.matryoshka={dims:[64,32],weights:[1]}",
            r"^train\.matryoshka\.weights=\[1\]: give one weight per dim \(2\) or null$",
        ),
        ("train.batch_sampler=random", r"^train\.batch_sampler='random': choose one of auto, batch_sampler, no_dup"),
        ("train.loss=GISTEmbedLoss", r"^train\.guide=None: GISTEmbedLoss picks its negatives with a guide model; set"),
        (
            "train.guide={kind:transformer,name_or_path:x}",
            r"^train\.guide='set': no loss of this variant takes a guide",
        ),
        ("mine.range_max=0", r"^mine\.range_max=0: must leave mine\.num_negatives=1 candidates after mine\.range_min"),
        (
            "mine.enabled=true",
            r"^mine\.enabled=true needs data\.shape='pairs' \(anchor, positive\), not 'scored_pairs'",
        ),
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


USER_DATA = ["data=files", "data.name=mine", "data.raw_subdir=mine", "data.files=pairs.csv"]


def test_single_texts_without_a_teacher_are_no_variants_own_data(variant_cfg):
    """Texts without a teacher have no evaluator, so no headline: they train beside a data set that has one."""
    with pytest.raises(
        ConfigError,
        match=r"^data\.shape='texts': single texts have no evaluator unless they learn a "
        r"teacher's embeddings \(MSELoss\); train them as a train\.datasets set",
    ):
        variant_cfg("minilm_sts", *USER_DATA, "data.shape=texts", "data.roles={text:t}",
                    "train.loss=ContrastiveTensionLossInBatchNegatives")  # fmt: skip


def test_two_roles_of_one_column_are_refused(variant_cfg):
    """A text trained against itself (both sentences from one column) would teach nothing, silently."""
    with pytest.raises(ConfigError, match=r"^data\.roles\.sentence2='q': data\.roles\.sentence1 names that column "
                                          r"too; a text against itself teaches nothing"):  # fmt: skip
        variant_cfg("minilm_sts", *USER_DATA, "data.roles={sentence1:q,sentence2:q,score:s}")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            ["data.shape=pairs", "data.roles={anchor:q,positive:a}"],
            r"^train\.loss='CosineSimilarityLoss' does not fit data\.shape='pairs' \(CosineSimilarityLoss takes "
            r"scored_pairs\); choose train\.loss from MultipleNegativesRankingLoss, "
            r"CachedMultipleNegativesRankingLoss, MultipleNegativesSymmetricRankingLoss, "
            r"CachedMultipleNegativesSymmetricRankingLoss, MegaBatchMarginLoss, GISTEmbedLoss, CachedGISTEmbedLoss$",
        ),
        (
            ["data.shape=labelled_pairs", "data.roles={sentence1:q,sentence2:a,label:y}", "train.loss=CoSENTLoss"],
            r"^train\.loss='CoSENTLoss' does not fit data\.shape='labelled_pairs'",
        ),
        (
            ["data.roles={sentence1:q,sentence2:a}"],
            r"^data\.roles: roles sentence1, sentence2 do not fit the shape scored_pairs; it takes sentence1, "
            r"sentence2, score$",
        ),
        (
            ["data.shape=triplets", "data.roles={anchor:q,positive:a,negative_2:n}"],
            r"^data\.roles: .* it takes anchor, positive, negative \(or negative_1 \.\.\. negative_n for n "
            r"negatives\)$",
        ),
        (["data.roles={sentence1:q,sentence2:a,score:s}", "data.label_range=[5,1]"], r"^data\.label_range=\[5, 1\]"),
        (
            ["data.roles={sentence1:q,sentence2:a,score:s}", "data.files={train:a.csv,val:b.csv}"],
            r"^data\.files=\{'train': 'a\.csv', 'val': 'b\.csv'\}: name one file, or one per split: train, dev, test$",
        ),
        (["data.roles={sentence1:q,sentence2:a,score:s}", "data.format=xlsx"], r"^data\.format='xlsx': choose one of"),
        (["data.name=???"], r"^data\.name: missing; set it"),
        (
            ["data.roles={sentence1:q,sentence2:a,score:s}", "data.files=sub/a.csv"],
            r"^data\.files='sub/a\.csv': a file",
        ),
    ],
)
def test_a_users_data_config_is_checked_with_the_loss(variant_cfg, overrides, message):
    with pytest.raises(ConfigError, match=message) as raised:
        variant_cfg("minilm_sts", *USER_DATA, *overrides)
    assert "\n" not in str(raised.value)


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
    used = {
        data[key] for path in (CONF_DIR / group).glob("*.yaml") if key in (data := yaml.safe_load(path.read_text()))
    }
    assert used <= set(choices)


@pytest.mark.parametrize("reader", ["files", "hub"])
def test_the_base_file_of_a_users_data_holds_its_sections_defaults(reader):
    """conf/data/files.yaml and hub.yaml, which a user's data config starts from, state the section's defaults
    (and `???` for the keys to set)."""
    from simpipe.data.config import READER_SECTIONS

    written = yaml.safe_load((CONF_DIR / "data" / f"{reader}.yaml").read_text())
    defaults = READER_SECTIONS[reader].defaults()
    assert {k: v for k, v in written.items() if v != "???" and k in defaults} == defaults | {"columns": None}
    unset = {k for k, v in written.items() if v == "???"}
    assert unset == set(READER_SECTIONS[reader].help()) - set(defaults) - set(written.keys() - unset)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_key_has_one_line_of_help(variant):
    for section in {*SHARED.values(), *OWN.values(), *(c for _, cs in CHOSEN.values() for c in cs.values())}:
        assert all(text and "\n" not in text for text in section.help().values()), section.__name__


@pytest.mark.parametrize(
    "overrides, message",
    [
        (
            ["train.loss=CachedMultipleNegativesRankingLoss", "train.gradient_checkpointing=true"],
            r"^train\.gradient_checkpointing=True: CachedMultipleNegativesRankingLoss caches embeddings and crashes "
            r"with gradient checkpointing; set it to false",
        ),
        (
            ["train.loss=TripletLoss", "mine.enabled=false"],
            r"^train\.loss='TripletLoss' does not fit data\.shape='pairs' \(TripletLoss takes triplets\); choose "
            r"train\.loss from MultipleNegativesRankingLoss, CachedMultipleNegativesRankingLoss, Multiple",
        ),
        (
            ["mine.enabled=true", "train.loss=MultipleNegativesSymmetricRankingLoss"],
            r"^train\.loss='MultipleNegativesSymmetricRankingLoss' does not fit data\.shape='pairs' with mined "
            r"negatives \(triplets or labelled pairs\) \(MultipleNegativesSymmetricRankingLoss takes pairs\); choose "
            r"train\.loss from MultipleNegativesRankingLoss, CachedMultipleNegativesRankingLoss, GISTEmbedLoss, "
            r"CachedGISTEmbedLoss, TripletLoss, MarginMSELoss, DistillKLDivLoss, ContrastiveLoss, "
            r"OnlineContrastiveLoss$",
        ),
        (
            ["+train.loss_params.margin=1"],
            r"^train\.loss_params\.margin=1: not a parameter of MultipleNegativesRankingLoss",
        ),
        (
            ["data=homedepot", "mine.enabled=false", "train.loss=CoSENTLoss", "model.prompts={query: 'query: '}"],
            r"^model\.prompts: query/document prompts need pairs or triplets data, and data\.shape='scored_pairs' "
            r"holds two texts that sentence-transformers encodes alike; set model\.prompts=null$",
        ),
        (
            ["model.prompts={document: ''}"],
            r"^model\.prompts\.document='': an empty prompt changes nothing; set null or a text$",
        ),
    ],
)
def test_the_retrieval_recipe_is_checked_when_composed(variant_cfg, overrides, message):
    with pytest.raises(ConfigError, match=message) as raised:
        variant_cfg("minilm_homedepot_search", *overrides)
    assert "\n" not in str(raised.value)


def test_a_pairs_view_without_a_relevance_threshold_is_refused(variant_cfg):
    with pytest.raises(ConfigError, match=r"^data\.search=None: the pairs view keeps pairs at least search\.min_rel"):
        variant_cfg("minilm_homedepot_search", "data.search=null")


def test_mining_needs_a_pretrained_model(variant_cfg):
    with pytest.raises(
        ConfigError, match=r"^mine\.enabled=true needs a pretrained bi-encoder to mine with; model\.kind="
    ):
        variant_cfg("minilm_homedepot_search", "model=glove_bilstm")


def test_a_checked_config_checks_again(variant_cfg):
    """A checked config carries derived values (data.eval_shape, data.train_columns); checking it again (a
    params file written from it, as `simpipe register` reads one) recomputes them instead of refusing them."""
    from simpipe.schema import check

    cfg = variant_cfg("minilm_homedepot_search")
    assert (cfg.data.eval_shape, list(cfg.data.train_columns)) == ("scored_pairs", ["sentence_0", "sentence_1"])
    assert check(cfg) == cfg


RERANK = "variants.minilm_homedepot_rerank."


@pytest.mark.parametrize(
    "override, message",
    [
        ("variants.minilm_sts.eval.retriever=minilm_homedepot_search",
         r"variants.minilm_sts.eval.retriever='minilm_homedepot_search': a sentence_transformer model ranks the "
         r"documents itself; only a cross-encoder reranks another's: set it to minilm_sts"),
        (f"{RERANK}eval.retriever=nope", rf"{RERANK}eval.retriever='nope': no such variant; choose one of "),
        (f"{RERANK}eval.retriever=minilm_homedepot_raw", r"it reads data.reader='files', this variant 'homedepot'"),
        (f"{RERANK}data.text=seed", r"it reads data.text='raw', this variant 'seed'; rerank a retriever of the same"),
        (f"{RERANK}eval.rerank_top_k=0", rf"{RERANK}eval.rerank_top_k=0: must be at least 1"),
        (f"{RERANK}eval.rerank_fusion=1.5", rf"{RERANK}eval.rerank_fusion=1.5: a weight in \[0, 1\], or null"),
    ],
    ids=["bi-encoder", "unknown", "other-reader", "other-text", "top_k", "fusion"],
)  # fmt: skip
def test_a_retriever_that_does_not_fit_is_one_line(override, message):
    with pytest.raises(ConfigError, match=message):
        pipeline_config(override)


def test_a_reranker_of_a_cross_encoder_is_one_line():
    other = "variants.minilm_homedepot_rerank2"
    with pytest.raises(ConfigError, match=r"eval.retriever='minilm_homedepot_rerank': variants.minilm_homedepot_"
                                          r"rerank.model.kind='cross_encoder' retrieves nothing"):  # fmt: skip
        pipeline_config(f"+variant@{other}=minilm_homedepot_rerank", f"{other}.name=minilm_homedepot_rerank2",
                        f"{other}.eval.retriever=minilm_homedepot_rerank")  # fmt: skip
