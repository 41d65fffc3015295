"""Any Hugging Face sequence-classification model, by local path, with a label map from config.

A tiny randomly initialised BERT is saved to disk (no download) with the shipped encoder's
tokenizer, then loaded through the same ``load_scorer`` the bot uses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from primum.inference.protocol import ScorerState
from primum.inference.transformer import load_scorer
from primum.settings import KindnessSettings, ModelSettings, Settings


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from primum.inference.net import base_model_dir

    folder = tmp_path_factory.mktemp("tiny-hf")
    tokenizer = AutoTokenizer.from_pretrained(str(base_model_dir()))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=64, num_labels=3, id2label={0: "neutral", 1: "toxic", 2: "insult"},
        label2id={"neutral": 0, "toxic": 1, "insult": 2},
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


async def test_a_local_hf_model_scores_through_the_label_map(tiny_model: Path) -> None:
    settings = Settings(
        model=ModelSettings(
            backend="hf", model_path=str(tiny_model), label_map={"toxic": "unkind", "insult": "insult"}
        ),
        kindness=KindnessSettings(nudge_threshold=0.6, hide_threshold=0.9),
    )
    scorer = load_scorer(settings)
    await scorer.start()
    try:
        assert scorer.state is ScorerState.READY
        assert scorer.version == f"hf:{tiny_model}"
        assert (scorer.thresholds.nudge, scorer.thresholds.hide) == (0.6, 0.9)
        first, second = await scorer.score(["a kind note", "x" * 3000])
        for result in (first, second):
            assert 0.0 <= result.score <= 1.0
            assert set(result.categories) >= {"insult", "belittling", "identity_attack", "threat"}
        # softmax over three classes: "toxic" is the overall score, "insult" its own category
        assert first.score != first.categories["insult"]
    finally:
        await scorer.close()


async def test_an_hf_model_without_a_label_map_degrades_with_a_reason(tiny_model: Path) -> None:
    scorer = load_scorer(Settings(model=ModelSettings(backend="hf", model_path=str(tiny_model))))
    await scorer.start()
    try:
        assert scorer.state is ScorerState.DEGRADED
    finally:
        await scorer.close()
