"""Graded name match against the registry's ``basic`` (and ``other_names``): a table of cases."""

import pytest

from primum.domain.name_match import NameGrade, RegistryName, given_tokens, is_nickname, match_name, name_tokens

STEINBERG = RegistryName(first="AMIR", last="STEINBERG", middle="S")
NARVAEZ = RegistryName(first="CLAUDIA", last="NARVAEZ-MEZA", middle="VIRGINIA")
SHRENSEL = RegistryName(first="JEFFREY", last="SHRENSEL", middle="ADAM")
ALON = RegistryName(first="MARK HENRY", last="ALON")
OBRIEN = RegistryName(first="SEAN", last="OBRIEN")
MARRIED = RegistryName(first="PREMILA", last="MATHEWS", other_names=(("PREMILA", "KURIAN", "Former Name"),))
VAN = RegistryName(first="PIETER", last="VANDERBERG")
NGUYEN = RegistryName(first="THANH", last="DO")
MICHELLE = RegistryName(first="MICHELLE", last="GRANT")
DANIELA = RegistryName(first="DANIELA", last="ROSSI")
CHRISTINA = RegistryName(first="CHRISTINA", last="WEBER")
MICHAEL = RegistryName(first="MICHAEL", last="GRANT")


@pytest.mark.parametrize(
    ("typed", "record", "grade"),
    [
        ("Amir Steinberg", STEINBERG, NameGrade.EXACT),
        ("amir steinberg", STEINBERG, NameGrade.EXACT),
        ("Dr. Amir S. Steinberg, MD", STEINBERG, NameGrade.EXACT),  # title, middle initial, credential
        ("Steinberg, Amir", STEINBERG, NameGrade.EXACT),  # "Last, First"
        ("Jeffrey Adam Shrensel Jr.", SHRENSEL, NameGrade.EXACT),  # suffix
        ("Mark Alon", ALON, NameGrade.EXACT),  # registry first name has two words
        ("Thanh Do", NGUYEN, NameGrade.EXACT),  # "Do" is a surname here, not a credential
        ("Claudia Narvaez-Meza", NARVAEZ, NameGrade.EXACT),
        ("Premila Mathews", MARRIED, NameGrade.EXACT),
        # variants: the same person written another way
        ("A. Steinberg", STEINBERG, NameGrade.VARIANT),  # initial only
        ("Claudia Narváez-Meza", NARVAEZ, NameGrade.VARIANT),  # accent
        ("Claudia Narvaez Meza", NARVAEZ, NameGrade.VARIANT),  # hyphen typed as a space
        ("Claudia Narvaez", NARVAEZ, NameGrade.VARIANT),  # one half of a double surname
        ("CLAUDIA V. MEZA", NARVAEZ, NameGrade.VARIANT),
        ("Jeff Shrensel", SHRENSEL, NameGrade.VARIANT),  # nickname
        ("Mike Grant", MICHAEL, NameGrade.VARIANT),  # nickname
        ("Adam Shrensel", SHRENSEL, NameGrade.VARIANT),  # goes by the middle name
        ("Henry Alon", ALON, NameGrade.VARIANT),  # second given name
        ("Seán O'Brien", OBRIEN, NameGrade.VARIANT),  # accent and apostrophe
        ("Sean O Brien", OBRIEN, NameGrade.VARIANT),
        ("Pieter van der Berg", VAN, NameGrade.VARIANT),  # spaced particles against a joined surname
        # another name on the record
        ("Premila Kurian", MARRIED, NameGrade.OTHER_NAME),  # former surname
        # close but different: never a match
        ("Michael Grant", MICHELLE, NameGrade.CLOSE),
        ("Daniel Rossi", DANIELA, NameGrade.CLOSE),
        ("Christine Weber", CHRISTINA, NameGrade.CLOSE),
        ("Andrea Grant", RegistryName(first="ANDREW", last="GRANT"), NameGrade.CLOSE),  # linked in the table
        ("Jon Grant", RegistryName(first="JOHN", last="GRANT"), NameGrade.CLOSE),
        ("Chris Weber", CHRISTINA, NameGrade.VARIANT),  # a shortening is a nickname
        ("Tony Grant", RegistryName(first="ANTHONY", last="GRANT"), NameGrade.VARIANT),
        ("Amir Stienberg", STEINBERG, NameGrade.CLOSE),  # a surname one transposition away
        ("Steinberg", STEINBERG, NameGrade.CLOSE),  # no given name typed
        # no match
        ("David Steinberg", STEINBERG, NameGrade.NONE),  # same surname, another person
        ("Amir Cohen", STEINBERG, NameGrade.NONE),
        ("", STEINBERG, NameGrade.NONE),
        ("Dr.", STEINBERG, NameGrade.NONE),
        # typed in other characters
        ("Ａｍｉｒ Ｓｔｅｉｎｂｅｒｇ", STEINBERG, NameGrade.EXACT),  # full-width letters are the same letters
        ("Amir Stеinbеrg", STEINBERG, NameGrade.VARIANT),  # Cyrillic "е": read, and flagged for the reviewer
        ("Amіr Steinberg", STEINBERG, NameGrade.VARIANT),  # Ukrainian "і" in the given name
        ("Давид Steinberg", STEINBERG, NameGrade.CLOSE),  # a Cyrillic given name is not read as Latin: none typed
    ],
)
def test_name_grades(typed: str, record: RegistryName, grade: NameGrade) -> None:
    assert match_name(typed, record).grade is grade


@pytest.mark.parametrize(("typed", "record"), [("Michael Grant", MICHELLE), ("Daniel Rossi", DANIELA),
                                               ("Christine Weber", CHRISTINA)])
def test_near_miss_given_names_are_never_a_match_and_say_why(typed: str, record: RegistryName) -> None:
    result = match_name(typed, record)
    assert result.caution and "match" not in result.describe().lower().split("(")[0]
    assert record.first in result.describe() and "close to but not" in result.describe()


def test_look_alike_letters_are_named_for_the_reviewer() -> None:
    match = match_name("Amir Stеinbеrg", STEINBERG)  # Cyrillic "е" twice
    assert match.notes[0].startswith("look-alike letters from another script typed (е)")
    assert "initial" not in match.describe()


def test_notes_say_which_registry_name_matched() -> None:
    former = match_name("Premila Kurian", MARRIED)
    assert former.matched == "PREMILA KURIAN (Former Name)" and "Former Name" in former.describe()
    assert match_name("Premila Mathews", MARRIED).matched == "PREMILA MATHEWS"
    assert "nickname" in match_name("Jeff Shrensel", SHRENSEL).describe()
    assert "middle name" in match_name("Adam Shrensel", SHRENSEL).describe()
    exact = match_name("Amir Steinberg", STEINBERG)
    assert exact.describe() == "Exact match" and not exact.caution


def test_nickname_table_comes_from_the_package() -> None:
    assert is_nickname("bob", "robert") and is_nickname("robert", "bob") and is_nickname("liz", "elizabeth")
    assert not is_nickname("michael", "michelle") and not is_nickname("daniel", "daniela")


@pytest.mark.parametrize(
    ("typed", "tokens"),
    [
        ("Dr. José Ñúñez-García, M.D.", ["jose", "nunez", "garcia"]),
        ("Mary O'Neil III", ["mary", "oneil"]),
        ("Garcia, Maria, MD", ["maria", "garcia"]),
    ],
)
def test_given_tokens(typed: str, tokens: list[str]) -> None:
    assert sorted(given_tokens(typed)) == sorted(tokens)


def test_name_tokens_fold_letters() -> None:
    assert name_tokens("Straße Øberg") == ["strasse", "oberg"]
