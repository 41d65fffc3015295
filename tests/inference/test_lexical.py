"""The n-gram model: saved as plain data, reloaded to the same logits, blended into "unkind" only."""

import json
import math
from pathlib import Path

import pytest

from primum.inference.engine import Engine
from primum.inference.lexical import LexicalConfig, LexicalModel, choose_weight, fit_lexical, load_lexical
from primum.inference.protocol import CATEGORIES

LABELS = ["unkind", *CATEGORIES]

KIND = [
    "thanks for covering my shift tonight",
    "the troponin was flat so we discharged him",
    "I disagree with the guideline but I see the logic",
    "great case, thanks for sharing the imaging",
    "can someone cover clinic on friday",
    "the evidence for that is weak in my reading",
]
UNKIND = [
    "you are a useless idiot",
    "shut up you pathetic clown",
    "what an idiot, nobody asked you",
    "you clown, go back to school",
    "pathetic idiot, stop posting",
    "useless clown of a doctor",
]


@pytest.fixture(scope="module")
def small_model() -> LexicalModel:
    texts = KIND * 3 + UNKIND * 3
    labels = [0] * len(KIND) * 3 + [1] * len(UNKIND) * 3
    return fit_lexical(texts, labels, [1.0] * len(texts), LexicalConfig(word_features=500, char_features=2000))


def test_it_ranks_insults_above_shop_talk(small_model: LexicalModel) -> None:
    logits = small_model.logits(["you useless idiot", "the troponin came back flat"])
    assert logits[0] > 0 > logits[1]


def test_scoring_matches_scikit_learns_own_transform(small_model: LexicalModel) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from primum.inference.lexical import CHAR_OPTIONS, WORD_OPTIONS

    def fitted(options, terms, idf):
        vectorizer = TfidfVectorizer(vocabulary={t: i for i, t in enumerate(terms)}, **options)
        vectorizer.idf_ = idf
        return vectorizer

    word = fitted(WORD_OPTIONS, small_model.terms[0], small_model.idf[0])
    char = fitted(CHAR_OPTIONS, small_model.terms[1], small_model.idf[1])
    texts = ["you useless idiot!!", "The troponin was flat; we discharged him.", "clown clown clown", "zzz", ""]
    n_word = len(small_model.terms[0])
    reference = (word.transform(texts) @ small_model.coef[:n_word]
                 + char.transform(texts) @ small_model.coef[n_word:] + small_model.intercept)
    assert small_model.logits(texts).tolist() == pytest.approx(reference.tolist(), abs=1e-4)


def test_a_saved_model_reloads_to_the_same_logits(small_model: LexicalModel, tmp_path: Path) -> None:
    small_model.weight = 0.7
    entry = small_model.save(tmp_path)
    card = {"lexical": entry}
    assert json.loads((tmp_path / entry["vocab"]).read_text(encoding="utf-8"))["word"]  # plain JSON, no pickle
    loaded = load_lexical(tmp_path, card)
    assert loaded is not None
    assert loaded.weight == 0.7
    texts = ["you pathetic clown", "great imaging, thanks", "words it never saw: zyxw qqq", ""]
    assert loaded.logits(texts).tolist() == pytest.approx(small_model.logits(texts).tolist(), abs=1e-5)


def test_a_card_without_one_means_the_encoder_alone(tmp_path: Path) -> None:
    assert load_lexical(tmp_path, {"version": "x"}) is None


def test_a_blend_that_gives_the_ngrams_no_share_is_not_loaded(small_model: LexicalModel, tmp_path: Path) -> None:
    small_model.weight = 1.0  # what choose_weight keeps when mixing does not help
    assert load_lexical(tmp_path, {"lexical": small_model.save(tmp_path)}) is None


def test_blend_is_a_weighted_mean_of_logits(small_model: LexicalModel) -> None:
    small_model.weight = 0.7
    assert small_model.blend(2.0, -1.0) == pytest.approx(0.7 * 2.0 + 0.3 * -1.0)


def test_choose_weight_prefers_the_blend_that_ranks_better() -> None:
    # the encoder alone confuses two rows the n-gram model separates, and vice versa: mixing wins
    labels = [0, 0, 0, 1, 1, 1]
    encoder = [-2.0, -1.0, 1.5, 1.0, 2.0, 3.0]
    ngram = [-1.0, 0.8, -2.0, 0.5, 1.0, 2.0]
    weight, means = choose_weight({"a": (labels, encoder, ngram)}, grid=(1.0, 0.5, 0.0))
    assert means[0.5] > means[1.0]
    assert means[0.5] > means[0.0]
    assert weight == 0.5


def test_choose_weight_keeps_the_encoder_alone_when_mixing_does_not_help() -> None:
    labels = [0, 0, 1, 1]
    weight, _ = choose_weight({"a": (labels, [-2.0, -1.0, 1.0, 2.0], [2.0, 1.0, -1.0, -2.0])}, grid=(1.0, 0.5))
    assert weight == 1.0


@pytest.fixture(scope="module")
def tokenizer():
    from primum.inference.net import load_tokenizer

    return load_tokenizer()


def _engine(tokenizer, lexical: LexicalModel | None, segment_chars: int = 160, penalty: float = 1.0) -> Engine:
    """A network that says 0 (unsure) on "unkind" and 3 on every category, whatever the text."""
    import torch

    def forward(ids, mask):
        return torch.tensor([[0.0] + [3.0] * len(CATEGORIES)] * ids.shape[0])

    return Engine(tokenizer, forward, LABELS, lexical=lexical, segment_chars=segment_chars,
                  long_penalty=penalty)


def test_the_engine_blends_only_the_overall_score(tokenizer, small_model: LexicalModel) -> None:
    small_model.weight = 0.5
    plain = _engine(tokenizer, None).predict(["you useless idiot"])[0]
    mixed = _engine(tokenizer, small_model).predict(["you useless idiot", "thanks for covering my shift"])
    assert plain.score == pytest.approx(0.5)
    expected = 1 / (1 + math.exp(-0.5 * float(small_model.logits(["you useless idiot"])[0])))
    assert mixed[0].score == pytest.approx(expected, abs=1e-5)
    assert mixed[0].score > 0.5 > mixed[1].score
    assert mixed[0].categories == plain.categories  # the categories stay the encoder's


def test_each_piece_of_a_long_message_gets_its_own_ngram_score(tokenizer, small_model: LexicalModel) -> None:
    small_model.weight = 0.5
    shop = "The troponin was flat so we discharged him with clinic follow-up next week as planned."
    kind_long = " ".join([shop] * 6)
    unkind_long = " ".join([shop] * 5 + ["Honestly you are a useless pathetic idiot."])
    kind, unkind = _engine(tokenizer, small_model, penalty=0.0).predict([kind_long, unkind_long])
    (whole_only,) = _engine(tokenizer, small_model, segment_chars=100_000).predict([unkind_long])
    assert unkind.score > kind.score
    assert unkind.score > whole_only.score  # the insult's own sentence group shows through
