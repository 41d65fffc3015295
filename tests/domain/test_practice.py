"""Typed state and specialty against the record's licence states and taxonomies: cautions, never refusals."""

import pytest

from primum.domain.practice import compare_practice, specialty_fits, state_code

CARDIO = ("Internal Medicine, Cardiovascular Disease",)


@pytest.mark.parametrize(("typed", "code"), [("NY", "NY"), ("ny.", "NY"), ("New York", "NY"), (" new jersey ", "NJ"),
                                             ("D.C.", "DC"), ("Puerto Rico", "PR"), ("Gotham", None), ("", None)])
def test_state_code(typed: str, code: str | None) -> None:
    assert state_code(typed) == code


def test_state_on_the_record_is_quiet_and_another_state_is_a_caution() -> None:
    assert compare_practice("New York", "", ["NY"], CARDIO).cautions == ()
    assert compare_practice("NY", "", ["NJ", "NY"], CARDIO).cautions == ()
    mismatch = compare_practice("NJ", "", ["NY"], CARDIO)
    assert len(mismatch.cautions) == 1 and "NJ" in mismatch.cautions[0] and "NY" in mismatch.cautions[0]
    assert "not a US state" in compare_practice("Ontario", "", ["NY"], CARDIO).cautions[0]
    assert compare_practice("", "", ["NY"], CARDIO).cautions == ()  # nothing typed, nothing to compare


@pytest.mark.parametrize(("typed", "fits"), [
    ("Cardiology", True), ("cards", True), ("Internal medicine", True), ("IM", True),
    ("Cardiovascular disease", True), ("Dermatology", False), ("Pediatrics", False),
])
def test_specialty_against_taxonomies(typed: str, fits: bool) -> None:
    assert specialty_fits(typed, CARDIO) is fits


def test_specialty_mismatch_is_a_caution() -> None:
    result = compare_practice("NY", "Dermatology", ["NY"], CARDIO)
    assert len(result.cautions) == 1 and "specialty" in result.cautions[0]
    assert specialty_fits("Peds", ["Pediatrics"]) and specialty_fits("OB/GYN", ["Obstetrics & Gynecology"])
