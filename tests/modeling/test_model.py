"""Models built from their `model` config: GloVe (package or text file) + BiLSTM, pretrained transformers,
cross-encoders; trained ones loaded by their family."""

import gzip
from dataclasses import asdict

import pytest
from omegaconf import DictConfig, OmegaConf
from sentence_transformers import CrossEncoder

from simpipe.core.errors import ConfigError, SimpipeError
from simpipe.core.sections import build
from simpipe.modeling.config import CrossEncoderConfig
from simpipe.modeling.glove import load_glove
from simpipe.modeling.model import build_model, load_model, model_facts
from tests.helpers.cards import tiny_bert


@pytest.fixture(scope="module")
def glove_package():
    return load_glove(None)


def test_glove_package_is_400k_words_plus_padding(glove_package):
    assert tuple(glove_package.emb_layer.weight.shape) == (400001, 50)
    assert not glove_package.emb_layer.weight.requires_grad
    assert glove_package.tokenizer.tokenize("the cat") == [glove_package.tokenizer.word2idx["cat"]]


def test_glove_text_file_like_the_seeds(tmp_path):
    path = tmp_path / "glove.6B.3d.txt.gz"
    with gzip.open(path, "wt", encoding="utf8") as fh:
        fh.write("cat 0.1 0.2 0.3\ndog 0.4 0.5 0.6\n")
    words = load_glove(str(path))
    assert tuple(words.emb_layer.weight.shape) == (3, 3)


def test_wrong_glove_path_names_key_and_fix(tmp_path):
    with pytest.raises(ConfigError, match=r"model\.embeddings='.*missing\.txt': file not found; set model\.embeddings"):
        load_glove(str(tmp_path / "missing.txt"))


def test_glove_path_with_wrong_extension(tmp_path):
    path = tmp_path / "glove.bin"
    path.write_bytes(b"x")
    with pytest.raises(ConfigError, match=r"expected a \.txt or \.txt\.gz file"):
        load_glove(str(path))


def test_glove_bilstm_matches_the_seed_architecture(variant_cfg):
    cfg = variant_cfg("glove_bilstm_sts")
    model = build_model(cfg.model)
    assert model.get_embedding_dimension() == 2048
    lstm = model[1].encoder
    assert (lstm.hidden_size, lstm.bidirectional, lstm.batch_first) == (1024, True, True)
    assert model[2].pooling_mode == "mean"


def test_glove_file_with_inconsistent_dimensions(tmp_path):
    path = tmp_path / "glove.6B.3d.txt"
    path.write_text("cat 0.1 0.2 0.3\ndog 0.4 0.5\n", encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"glove\.6B\.3d\.txt:2: 2 values for 'dog', expected 3 numbers; .*re-download"
    ):
        load_glove(str(path))


def cross_encoder_cfg(name_or_path: str, **keys) -> DictConfig:
    """A checked `model` section of kind cross_encoder over a local transformer directory."""
    return OmegaConf.create(asdict(build(CrossEncoderConfig, {"kind": "cross_encoder", "name_or_path": name_or_path,
                                                              **keys}, "model")))  # fmt: skip


def test_a_trained_model_loads_by_its_family_and_never_as_the_other(tmp_path):
    """sentence-transformers converts a saved CrossEncoder loaded as a SentenceTransformer (new pooling, a
    warning): load_model refuses it in one line, and loads it as what model.kind trains."""
    tiny_bert(tmp_path)
    reranker = build_model(cross_encoder_cfg(str(tmp_path / "bert"), max_length=32, num_labels=1))
    assert isinstance(reranker, CrossEncoder) and reranker.num_labels == 1 and reranker.max_length == 32
    reranker.save(str(tmp_path / "ce"))
    bi_encoder = OmegaConf.create({"kind": "transformer", "name_or_path": "x"})
    with pytest.raises(SimpipeError, match=r"ce: a CrossEncoder model, and model\.kind='transformer' trains a "
                                           r"SentenceTransformer; re-run the train stage"):  # fmt: skip
        load_model(bi_encoder, tmp_path / "ce", "cpu")
    loaded = load_model(cross_encoder_cfg("x"), tmp_path / "ce", "cpu")
    assert isinstance(loaded, CrossEncoder)
    facts = model_facts(loaded, cross_encoder_cfg("x"))
    assert facts["num_labels"] == 1 and facts["output_dim"] is None and facts["base_model"] == "x"
