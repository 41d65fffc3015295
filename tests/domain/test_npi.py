"""NPI format and check digit (Luhn with the 80840 prefix): a table of cases."""

import pytest

from primum.domain.npi import NpiProblem, check_npi, is_valid_npi, luhn_check_digit, make_npi, normalize_npi


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("1234567893", None),  # CMS's worked example
        ("1497758122", None),
        ("1558598797", None),
        ("1306409339", None),
        ("1881018208", None),
        ("1114499340", None),
        ("1396949913", None),  # real records from the registry's public answers
        ("1154556637", None),
        ("1972910164", None),
        (" 1234-567-893 ", None),  # separators people type are ignored
        ("1234 567 893", None),
        ("1234567890", NpiProblem.BAD_CHECK_DIGIT),
        ("1234567839", NpiProblem.BAD_CHECK_DIGIT),  # two digits swapped
        ("1234567894", NpiProblem.BAD_CHECK_DIGIT),
        ("3234567893", NpiProblem.BAD_PREFIX),
        ("0234567893", NpiProblem.BAD_PREFIX),
        ("123456789", NpiProblem.WRONG_LENGTH),
        ("12345678930", NpiProblem.WRONG_LENGTH),
        ("12345678a3", NpiProblem.NOT_DIGITS),
        ("１２３４５６７８９３", None),  # full-width digits are the same number
        ("١٢٣٤٥٦٧٨٩٣", None),  # so are Arabic-Indic ones
        ("1234\u00a0567\u00a0893", None),  # no-break spaces pasted from a web page
        ("1234567893\u200b", None),  # an invisible character pasted along
        ("1234\u2013567\u2013893", None),  # en dashes
        ("1234567893\u00b2", NpiProblem.WRONG_LENGTH),  # a superscript two is a digit after NFKC
        ("", NpiProblem.EMPTY),
        ("   ", NpiProblem.EMPTY),
    ],
)
def test_npi_cases(typed: str, problem: NpiProblem | None) -> None:
    result = check_npi(typed)
    assert result.problem is problem
    assert result.valid is (problem is None)
    assert is_valid_npi(typed) is (problem is None)
    if problem is not None:
        assert result.message  # every flaw has a specific message


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("1234567890", "check digit"),
        ("123456789", "you entered 9"),
        ("3234567893", "starts with 3"),
        ("12345678a3", "only digits"),
    ],
)
def test_messages_say_what_is_wrong(typed: str, fragment: str) -> None:
    assert fragment in check_npi(typed).message


def test_check_digit_equals_luhn_over_the_80840_prefix() -> None:
    def luhn_valid(number: str) -> bool:
        total = 0
        for position, char in enumerate(reversed(number)):
            digit = int(char)
            if position % 2 == 1:
                digit = digit * 2 - 9 if digit > 4 else digit * 2
            total += digit
        return total % 10 == 0

    for payload in ("123456789", "149775812", "200000000", "199999999", "100000000"):
        npi = make_npi(payload)
        assert luhn_valid("80840" + npi)
        assert check_npi(npi).valid
        assert npi[-1] == str(luhn_check_digit(payload))


def test_normalize_and_payload_guard() -> None:
    assert normalize_npi(" 12.34-56 ") == "123456"
    assert normalize_npi("\u00a012\u200b34\u2010５６\t") == "123456"
    with pytest.raises(ValueError, match="9 ASCII digits"):
        luhn_check_digit("12345")
