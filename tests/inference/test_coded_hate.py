"""Documented antisemitic codes: used, they count; mentioned to reject, report or discuss, they do not."""

import pytest

from primum.inference.coded_hate import coded_hate
from primum.inference.lists import lifted, list_floor
from primum.inference.textnorm import normalize


@pytest.mark.parametrize(("text", "code"), [
    ("(((they))) don't want you to know", "echo"),
    ("ask (((Dr. Goldberg))) who pays for his research", "echo"),
    ("jews control the media", "control"),
    ("the zionist lobby basically owns congress at this point", "control"),
    ("j3ws c0ntr0l the banks", "control"),  # read through the normaliser
    ("hollywood is run by jews, everyone knows", "control_passive"),
    ("dual loyalty is a real problem with jewish doctors", "dual_loyalty"),
    ("the goyim know. shut it down", "meme"),
    ("he jewed me down on the locum rate", "meme"),
    ("the holocaust never happened and you know it", "denial"),
    ("the holocaust is a hoax but sure, whatever", "denial"),
])
def test_a_code_in_use_is_found(text, code):
    assert coded_hate(normalize(text)) == code


@pytest.mark.parametrize("text", [
    '"jews control the media" is one of the oldest antisemitic tropes there is',
    "saying jews control the media is a conspiracy theory with a body count",
    "reported. 'the goyim know' is a hate meme",
    "jews don't control the media, a handful of corporations do",
    "nobody controls the banks but the shareholders",
    "the (((echo))) is a dog whistle, please don't use it here",
    "f(g(h(x))) is just function composition",
    "((((((make me))))))",
    "the holocaust museum visit with the residents was moving",
    "my grandmother survived the holocaust; she never talked about it",
    "israel's policy in gaza is wrong and I will say so",
    "the media is controlled by a few corporations",
    "dual citizenship makes the visa paperwork easier",
    "shabbat call swaps are up on the sheet",
    "",
])
def test_a_mention_or_a_look_alike_is_not(text):
    assert coded_hate(normalize(text)) is None


def test_a_denied_rejection_word_does_not_excuse_the_code():
    assert coded_hate(normalize("it's not antisemitic to say jews control the media")) == "control"


def test_the_floor_sits_between_nudge_and_hide_and_never_lowers_a_score():
    floor = list_floor(0.89, 0.98)
    assert 0.89 < floor < 0.98 and floor == pytest.approx(0.92)
    assert 0.6 < list_floor(0.6, None) < 0.65  # hiding off: still just over the nudge cut-off
    assert lifted(0.3, normalize("jews control the media"), floor) == floor
    assert lifted(0.99, normalize("jews control the media"), floor) == 0.99
    assert lifted(0.3, normalize("jews celebrate passover"), floor) == 0.3
    assert lifted(0.3, normalize("jews control the media"), None) == 0.3


@pytest.mark.parametrize("text", [
    "it's still where all the 'jews control the banks' stuff comes from",  # the apostrophe opens no quote
    "in python (((x+1))) is the same as x+1",
])
def test_quotes_after_an_apostrophe_and_arithmetic_in_parentheses(text):
    assert coded_hate(normalize(text)) is None
