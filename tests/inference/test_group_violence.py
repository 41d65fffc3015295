"""Calls for, threats of and wishes for violence against a group: used, they count; mentioned,
denied, reported or aimed at no people, they do not."""

import pytest

from primum.inference.group_violence import group_violence
from primum.inference.lists import CODE, VIOLENCE, lift, list_floor
from primum.inference.textnorm import normalize


@pytest.mark.parametrize(("text", "pattern"), [
    ("All immigrants should be shot.", "call"),
    ("honestly the NPs need to be lined up and shot", "call"),
    ("Those people deserve to be lynched", "call"),
    ("gay people deserve a bullet", "deserve"),
    ("they should all be hanged lol", "call"),
    ("I'm going to kill all the Muslims in this city", "intent"),
    ("I will hurt every immigrant I come across", "intent"),
    ("Im gonna beat up the next IMG who asks", "intent"),
    ("someone should shoot every DO in this server", "intent"),
    ("I think gays should be executed", "call"),
    ("hope all the refugees drown", "wish"),
    ("so happy those Christians got massacred", "wish"),
    ("death to all jews", "death_to"),
    ("the only good NP is a dead NP", "only_good"),
    ("𝐀𝐥𝐥 𝐢𝐦𝐦𝐢𝐠𝐫𝐚𝐧𝐭𝐬 𝐬𝐡𝐨𝐮𝐥𝐝 𝐛𝐞 𝐬𝐡𝐨𝐭", "call"),  # styled letters: normalised first
])
def test_a_call_threat_or_wish_against_a_group_is_found(text: str, pattern: str) -> None:
    assert group_violence(normalize(text)) == pattern


@pytest.mark.parametrize("text", [
    # no group of people
    "kill all the bacteria before the culture comes back",
    "we need to kill the cancer cells",
    "this shift is going to kill me",
    "the printer should be shot",
    # a prediction or a policy argument, not a call
    "Women will die because of this ban",
    "immigrants are going to be killed if they are deported there",
    # mention is not use: quoted, reported, denied, named for what it is
    'someone posted "all jews should be gassed" pls remove',
    "ISIS says gays should be executed",
    "nobody thinks muslims should be shot",
    "muslims should not be killed for praying, obviously",
    "saying refugees should be shot is vile and you know it",
    "calling for trans people to be killed is incitement, reported",
    # history, clinical, sympathy, ordinary verbs
    "six million jews were gassed in the holocaust",
    "praying for the Palestinians killed in Gaza",
    "hope the nurses who got shot recover quickly",
    "lets shoot the nurses an email about the new protocol",
    "we will beat the surgeons at softball",
    "glad the NPs got shot down by the board",
    "I hope the women in my clinic get the vaccine",
])
def test_mention_history_and_shop_talk_are_not_calls(text: str) -> None:
    assert group_violence(normalize(text)) is None


def test_a_match_lifts_to_the_floor_as_a_threat_and_says_which_list_lifted() -> None:
    floor = list_floor(0.92, 0.98)
    assert floor == pytest.approx(0.94)
    up = lift(0.3, {"threat": 0.1, "insult": 0.2}, normalize("all the refugees should be shot"), floor)
    assert up is not None and up.score == floor and up.lifted_by == VIOLENCE
    assert up.categories["threat"] == floor and up.categories["insult"] == 0.2
    coded = lift(0.3, {}, normalize("(((they))) run the media"), floor)
    assert coded is not None and coded.lifted_by == CODE and coded.categories["identity_attack"] == floor
    assert lift(0.97, {}, normalize("all the refugees should be shot"), floor) is None  # already over it
    assert lift(0.3, {}, normalize("all the refugees should be shot"), None) is None  # off
    assert lift(0.3, {}, normalize("refugees should be welcomed"), floor) is None
