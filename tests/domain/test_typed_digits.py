"""Numbers as typed or pasted: one table for the NPI and the e-mail code."""

import pytest

from primum.domain.typed_digits import plain_digits


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("1234567893", "1234567893"),
        (" 1234-567.893 ", "1234567893"),  # separators people type
        ("1234\u00a0567\u202f893", "1234567893"),  # no-break and narrow no-break spaces from a web page
        ("\u200b1234567893\u2060", "1234567893"),  # invisible characters pasted along
        ("1234\u2010567\u2013893\u2014", "1234567893"),  # hyphen, en dash, em dash
        ("１２３４５６７８９３", "1234567893"),  # full-width digits (a phone keyboard)
        ("١٢٣٤٥٦٧٨٩٣", "1234567893"),  # Arabic-Indic digits
        ("12345678a3", "12345678a3"),  # a letter stays, so the caller can say what is wrong
        ("#1234", "#1234"),
        ("", ""),
    ],
)
def test_plain_digits(typed: str, digits: str) -> None:
    assert plain_digits(typed) == digits
