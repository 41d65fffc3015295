"""Slurs used about people count whatever the frame; homonyms, clinical words, the speaker's own
identity, reported words and mentions do not."""

import pytest

from primum.inference.lists import SLUR, lift, list_floor
from primum.inference.slurs import slur
from primum.inference.textnorm import normalize


@pytest.mark.parametrize("text", [
    "the coon in radiology",
    "that paki pharmacist",
    "I had a long chat with a gook at the clinic today",
    "there are too many heebs in this residency program",
    "you retard",
    "wetbacks taking residency spots",
    "ask the raghead on nights",
    "k1ke lawyers again",  # leetspeak: normalised first
    "the DYKE in clinic again",  # a capital only makes a name mid-sentence as "Dyke"
    "he's as dumb as a retard",  # "as a" opening a sentence is identity; here it compares
])
def test_a_slur_about_people_is_found_in_any_frame(text: str) -> None:
    assert slur(normalize(text)) == "slur"


@pytest.mark.parametrize("text", [
    # the speaker's own identity
    "i'm a proud dyke and an ER doc",
    "as a dyke in surgery I get it",
    # reported, named, rejected
    "he called me a spic in front of the patient",
    "some guy called me a stupid paki last night",
    "they kept yelling faggot at me",
    "the word kike came up in the thread and I reported it",
    '"heeb" is an antisemitic slur',
    # homonyms and clinical words
    "flame retardant exposure",
    "this drug may retard growth in children",
    "mental retardation is an outdated term",
    "my maine coon cat is sick",
    "the coon hound bit him",
    "the tranny on my car died",
    "a chink in the armor",
    "grab a fag break",
    "as a queer physician I love this server",
    # names and a dish (found by the held-out blind set)
    "walked the Offa's Dyke path over the long weekend",
    "the Dyke March was great this year",
    "faggots and peas with gravy at the pub",
])
def test_identity_reports_homonyms_and_clinical_words_are_not_slurs(text: str) -> None:
    assert slur(normalize(text)) is None


def test_a_slur_lifts_to_the_floor_as_an_identity_attack() -> None:
    floor = list_floor(0.92, 0.98)
    up = lift(0.08, {"identity_attack": 0.05}, normalize("the coon in radiology"), floor)
    assert up is not None and up.score == floor and up.lifted_by == SLUR
    assert up.categories["identity_attack"] == floor
