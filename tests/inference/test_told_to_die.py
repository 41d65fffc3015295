"""Telling a person to kill themselves or wishing them dead: used, it counts; mentioned, denied,
reported, the speaker's own plan, hyperbole or idiom, it does not."""

import pytest

from primum.inference.lists import VIOLENCE, lift, list_floor
from primum.inference.textnorm import normalize
from primum.inference.told_to_die import told_to_die


@pytest.mark.parametrize(("text", "pattern"), [
    ("kys", "kys"),
    ("you should kys", "kys"),
    ("you need to kys", "kys"),
    ("i want you to kys", "kys"),
    ("I'm telling you to go kill yourself", "order"),
    ("k y s", "kys"),  # spaced letters: normalised first
    ("K.Y.S", "kys"),
    ("go kill yourself!!!", "order"),
    ("Kill yourself.", "order"),
    ("seriously, just kill urself", "order"),
    ("why don't you kill yourself", "order"),  # its own "don't" denies nothing
    ("do us all a favor and kill yourself", "order"),
    ("go rope yourself lol", "order"),
    ("go jump off a bridge", "order"),
    ("drink bleach", "order"),
    ("go play in traffic", "order"),
    ("go die", "go_die"),
    ("pls die", "go_die"),
    ("I hope you die", "wish"),
    ("i hope u die in a fire", "wish"),
    ("honestly i hope you get cancer", "wish"),
    ("you should just die", "should_die"),
    ("you deserve to die", "deserve"),
    ("You of all people deserve to be dead.", "deserve"),
    ("you don't deserve to live", "no_right_to_live"),
    ("nobody would even notice if you died", "nobody_would_care"),
    ("if you dropped dead the department would throw a party", "nobody_would_care"),
    ("cant wait for ur funeral", "cant_wait"),
    ("I'd pay good money to watch you die", "watch_die"),
    ("someone should finish you off", "someone_should"),
    ("go overdose on your own meds", "order"),
    ("Slit your wrists.", "order"),
    ("𝐤𝐢𝐥𝐥 𝐲𝐨𝐮𝐫𝐬𝐞𝐥𝐟", "order"),  # styled letters
])
def test_an_order_or_a_wish_to_die_is_found(text: str, pattern: str) -> None:
    assert told_to_die(normalize(text)) == pattern


@pytest.mark.parametrize("text", [
    # hyperbole, idiom and advice about the work
    "don't kill yourself over a missed dose",
    "you'll kill yourself with these hours",
    "Work hard but don't kill yourself",
    "kill yourself working nights and nobody thanks you",
    "just shoot yourself in the foot then",
    "rope yourself into the journal club committee",  # asked to join, not told to hang
    "you should die on this hill",
    "I'd just die of embarrassment",
    "hope you die laughing at this meme",
    "play in traffic",  # no order
    # the speaker's own plan, and things told off in the third person
    "I'm gonna go die in the call room",
    "i'm gonna kys if this shift doesn't end",
    "need to kys after this call",
    "you ever had someone tell you to go kill yourself",
    "see you guys later, ima go jump off a cliff",
    "the coding audit can go jump off a cliff",
    # patients and members speaking of themselves
    "the patient said he wanted to kill himself",
    "honestly some days I want to kill myself",
    # mention is not use: quoted, reported, denied, named for what it is
    '"kys" is not ok, reported',
    "he told me to kys",
    "a troll replied kys to my post",
    "someone DMed me kys. Reported.",
    "she said go die",
    "don't kys lol",
    "I hope you don't die",
    "nobody should be told to kill yourself",
    "telling a colleague to kill yourself has no place here, mods please",
    # clinical screening and counselling in the second person
    "Do you have thoughts of wanting to end your life?",
    "If you overdose on your insulin, call 911 and take glucose",
    "Overdose on acetaminophen is the commonest cause of liver failure here",
    "I hope your heart stops racing after that coffee lol",
    "you should be shot for that pun",  # banter; "deserve to be shot" is not
    "keep eating like that and you'll be dead by 50 lol",
    "no one would notice if you left early, go home",
    "I can't wait for your talk on heart failure",
])
def test_hyperbole_own_plans_and_mentions_are_not_orders(text: str) -> None:
    assert told_to_die(normalize(text)) is None


def test_a_match_lifts_to_the_floor_as_a_threat_like_the_group_violence_list() -> None:
    floor = list_floor(0.92, 0.98)
    up = lift(0.68, {"threat": 0.2, "insult": 0.5}, normalize("kys"), floor)
    assert up is not None and up.score == floor and up.lifted_by == VIOLENCE
    assert up.categories["threat"] == floor and up.categories["insult"] == 0.5
    assert lift(0.1, {}, normalize("don't kill yourself over it"), floor) is None
