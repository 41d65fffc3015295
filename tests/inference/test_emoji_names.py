"""Emoji read as their names: what is named, what is left alone, and that a recipe (card) decides."""

from __future__ import annotations

import pytest

from primum.inference.emoji_names import name_emoji
from primum.inference.engine import card_emoji_names
from primum.inference.textnorm import normalize


@pytest.mark.parametrize(("text", "named"), [
    ("IMG help desk 💀💀 need that pinned", "IMG help desk skull need that pinned"),
    ("you 🤡", "you clown face"),
    ("🍼🍼🍼", "baby bottle"),
    ("😂 no 😂", "face with tears of joy no face with tears of joy"),  # apart: each is named
    ("good luck with that sweetheart 👍🏽", "good luck with that sweetheart thumbs up"),  # no skin tone words
    ("🤦🏿‍♀️ again", "person facepalming again"),  # tone and gender sign dropped
    ("nice ☕", "nice hot beverage"),
    ("plain ascii text", "plain ascii text"),
    ("5°C and 10 µg", "5°C and 10 µg"),  # not emoji
    ("© 2024 ™", "© 2024 ™"),  # typography, not tone
    ("🅸🅳🅸🅾🆃", "🅸🅳🅸🅾🆃"),  # letters in disguise are left to the normaliser's readers
    ("🇺🇸 team", "🇺🇸 team"),  # a flag: regional letters are read elsewhere
    ("1️⃣ first", "1️⃣ first"),  # keycap digit
])
def test_name_emoji(text: str, named: str) -> None:
    assert name_emoji(text) == named


def test_normalize_names_emoji_only_when_asked() -> None:
    raw = "lmao another visa question 🙃🙃"
    assert normalize(raw) == raw  # the default (a model trained without names) sees what it learned
    assert normalize(raw, emoji_names=True) == "lmao another visa question upside-down face"


def test_named_text_is_canonical() -> None:
    once = normalize("**wow** 🤡 <:kekw:1234567890> 👏🏼👏🏼", emoji_names=True)
    assert once == "wow clown face kekw clapping hands"
    assert normalize(once, emoji_names=True) == once


@pytest.mark.parametrize(("card", "expected"), [
    ({}, False),
    ({"training": {"steps": 1200}}, False),  # recipes before the option
    ({"training": {"emoji_names": False}}, False),
    ({"training": {"emoji_names": True}}, True),
])
def test_the_card_says_whether_the_engine_names_emoji(card: dict[str, object], expected: bool) -> None:
    assert card_emoji_names(card) is expected


def test_training_text_is_named_when_the_recipe_says_so() -> None:
    from primum.training.rows import Example
    from primum.training.rows import make_targets as _targets
    from primum.training.train import split_for_training

    rows = [Example("sure, ask your consulate 🤷", _targets(1.0, prof=0.0), "own", "belittling", "train"),
            Example("enjoy 🚜", _targets(1.0, prof=0.0), "own", "belittling", "dev")]
    train, dev = split_for_training(rows, emoji_names=True)
    assert [r.text for r in train] == ["sure, ask your consulate person shrugging"]
    assert [r.text for r in dev] == ["enjoy 🚜"]  # dev rows stay raw: the engine normalises them
    assert [r.text for r in split_for_training(rows)[0]] == ["sure, ask your consulate 🤷"]


@pytest.mark.parametrize(("text", "kept"), [
    ("you 🙂 are 🙂 an 🙂 idiot", "you are an idiot"),  # the disguise: one emoji as every space
    ("you🙂are🙂dumb", "you are dumb"),
    ("great 👏 job 👏 team", "great job team"),
    ("ok 👍 thanks 🙏 bye", "ok 👍 thanks 🙏 bye"),  # different emoji, each once: their own words
    ("lol 😂 that was 😂", "lol 😂 that was 😂"),  # the second one ends the line, not between words
    ("IMG help desk 💀💀 need that pinned", "IMG help desk 💀💀 need that pinned"),
])
def test_emoji_used_as_spaces_are_dropped(text: str, kept: str) -> None:
    from primum.inference.emoji_names import drop_separator_emoji

    assert drop_separator_emoji(text) == kept


def test_separator_emoji_are_a_late_reading() -> None:
    # inference drops them before naming; training text follows the recipe (v9 trained without it)
    assert normalize("you 🙂 are 🙂 an 🙂 idiot", emoji_names=True) == "you are an idiot"
    trained = normalize("you 🙂 are 🙂 an 🙂 idiot", emoji_names=True, late_readings=False)
    assert trained == "you slightly smiling face are slightly smiling face an slightly smiling face idiot"


def test_an_emoji_after_a_comma_between_words_is_a_separator_too() -> None:
    from primum.inference.emoji_names import drop_separator_emoji

    assert drop_separator_emoji("thanks 🙂 for 🙂 covering, 🙂 I 🙂 owe 🙂 you") == "thanks for covering, I owe you"
