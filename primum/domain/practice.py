"""The state and specialty a member typed, compared with the registry record's licences and taxonomies.

Advice for the reviewer only: a physician may practise in a state other than the licence on their
NPPES record, and NPPES specialties go out of date. A mismatch is a caution on the review card,
never a refusal. Specialties are compared after expanding common short forms ("peds", "OB/GYN",
"cards") with rapidfuzz's token-set ratio, so "Cardiology" fits "Internal Medicine, Cardiovascular
Disease".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

#: USPS codes of the states, DC and the territories NPPES uses, by name.
US_STATES: dict[str, str] = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
    "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA",
    "michigan": "MI", "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
    "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM",
    "new york": "NY", "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
    "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD",
    "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR", "guam": "GU",
    "virgin islands": "VI", "us virgin islands": "VI", "american samoa": "AS", "northern mariana islands": "MP",
    "washington dc": "DC", "dc": "DC",
}
_CODES = frozenset(US_STATES.values())
#: Short forms members type, expanded before comparing with NUCC taxonomy descriptions.
SPECIALTY_WORDS: dict[str, str] = {
    "cardiology": "cardiovascular disease", "cards": "cardiovascular disease", "peds": "pediatrics",
    "paeds": "pediatrics", "paediatrics": "pediatrics", "obgyn": "obstetrics gynecology",
    "ob": "obstetrics", "gyn": "gynecology", "em": "emergency medicine", "er": "emergency medicine",
    "ed": "emergency medicine", "im": "internal medicine", "fm": "family medicine", "psych": "psychiatry",
    "gi": "gastroenterology", "heme": "hematology", "onc": "oncology", "ortho": "orthopaedic surgery",
    "orthopedics": "orthopaedic surgery", "anesthesia": "anesthesiology", "derm": "dermatology",
    "neuro": "neurology", "rads": "radiology", "ent": "otolaryngology", "pulm": "pulmonary disease",
    "pccm": "pulmonary disease critical care medicine", "id": "infectious disease", "hospitalist": "hospitalist",
    "gen surg": "surgery", "general surgery": "surgery", "pm&r": "physical medicine rehabilitation",
    "pmr": "physical medicine rehabilitation", "endo": "endocrinology", "nephro": "nephrology",
    "rheum": "rheumatology", "path": "pathology", "uro": "urology", "ophtho": "ophthalmology",
}
#: A typed specialty fits a taxonomy description at this token-set ratio (0-100) or above.
SPECIALTY_RATIO = 80.0


def state_code(typed: str) -> str | None:
    """The USPS code of a typed state ("NY", "ny.", "New York"); None when it is not one."""
    text = re.sub(r"[^a-z]+", " ", typed.casefold().replace(".", "")).strip()
    if not text:
        return None
    if text.upper() in _CODES and len(text) == 2:
        return text.upper()
    return US_STATES.get(text)


def _specialty_words(text: str) -> str:
    text = re.sub(r"[/,&()-]+", " ", text.casefold())
    text = re.sub(r"\s+", " ", text).strip()
    if text in SPECIALTY_WORDS:
        return SPECIALTY_WORDS[text]
    return " ".join(SPECIALTY_WORDS.get(word, word) for word in text.split()).replace("obgyn", "obstetrics gynecology")


def specialty_fits(typed: str, descriptions: Iterable[str]) -> bool:
    """Whether a typed specialty plausibly names one of the record's taxonomy descriptions."""
    wanted = _specialty_words(typed)
    if not wanted:
        return True
    for desc in descriptions:
        have = _specialty_words(desc)
        if have and (fuzz.token_set_ratio(wanted, have) >= SPECIALTY_RATIO or wanted in have):
            return True
    return False


@dataclass(frozen=True)
class PracticeCheck:
    """What the typed state and specialty say against the record; ``cautions`` go on the review card."""

    licence_states: tuple[str, ...]
    typed_state: str | None  # the USPS code, when the typed state is one
    cautions: tuple[str, ...] = ()


def compare_practice(typed_state: str, typed_specialty: str, licence_states: Iterable[str],
                     descriptions: Iterable[str]) -> PracticeCheck:
    """Compare the typed state with the licence states and the typed specialty with the taxonomies."""
    states = tuple(dict.fromkeys(state.strip().upper() for state in licence_states if state.strip()))
    cautions: list[str] = []
    code = state_code(typed_state) if typed_state.strip() else None
    if typed_state.strip() and code is None:
        cautions.append("The typed state is not a US state or territory.")
    elif code is not None and states and code not in states:
        cautions.append(f"Typed state {code}, but the record's licence state(s): {', '.join(states)}.")
    descs = [desc for desc in descriptions if desc.strip()]
    if typed_specialty.strip() and descs and not specialty_fits(typed_specialty, descs):
        cautions.append("The typed specialty is not among the record's taxonomies (the NPPES record may be out "
                        "of date, or the member practises another specialty).")
    return PracticeCheck(states, code, tuple(cautions))
