"""The National Provider Identifier: format and check digit, with a specific message for every flaw.

An NPI is 10 digits: 9 payload digits plus a check digit; the first digit is 1 or 2. The check digit
is the Luhn mod-10 digit computed as if the NPI carried the card-issuer prefix 80840 (80 health,
840 USA) (CMS, 69 FR 3434). The Luhn arithmetic is python-stdnum's ``stdnum.luhn`` (python-stdnum
2.2 has no ``stdnum.us.npi`` module, so the prefix is added here); the messages are ours.
``1234567893`` is CMS's worked example; ``1234567890`` is not valid.

A valid NPI proves only that the number is well formed; the registry says whether it exists, and
identity is bound separately.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from stdnum import luhn

from primum.domain.typed_digits import plain_digits

NPI_LENGTH = 10
#: The card-issuer prefix the NPI's Luhn digit is computed over (80 health, 840 USA).
NPI_LUHN_PREFIX = "80840"


class NpiProblem(StrEnum):
    """Why a typed NPI is not a valid NPI."""

    EMPTY = "empty"
    NOT_DIGITS = "not_digits"
    WRONG_LENGTH = "wrong_length"
    BAD_PREFIX = "bad_prefix"
    BAD_CHECK_DIGIT = "bad_check_digit"


@dataclass(frozen=True)
class NpiCheck:
    """The result of checking one typed NPI; ``npi`` is the normalised digits when valid."""

    npi: str
    problem: NpiProblem | None = None
    message: str = ""

    @property
    def valid(self) -> bool:
        """Whether the NPI is well formed with a correct check digit."""
        return self.problem is None


def normalize_npi(text: str) -> str:
    """The digits as typed or pasted: separators and invisible characters removed (``typed_digits``)."""
    return plain_digits(text)


def luhn_check_digit(payload: str) -> int:
    """The check digit for 9 payload digits (Luhn over the 80840 prefix and the payload)."""
    if len(payload) != NPI_LENGTH - 1 or not payload.isascii() or not payload.isdigit():
        raise ValueError("the payload is 9 ASCII digits")
    return int(luhn.calc_check_digit(NPI_LUHN_PREFIX + payload))


def check_npi(text: str) -> NpiCheck:
    """Check a typed NPI and say precisely what is wrong, so a typo is easy to fix."""
    npi = normalize_npi(text)
    if not npi:
        return NpiCheck(npi, NpiProblem.EMPTY, "Please enter your 10-digit NPI.")
    if not (npi.isascii() and npi.isdigit()):
        return NpiCheck(
            npi, NpiProblem.NOT_DIGITS, "An NPI contains only digits (0-9); please remove letters and symbols."
        )
    if len(npi) != NPI_LENGTH:
        return NpiCheck(
            npi, NpiProblem.WRONG_LENGTH, f"An NPI has exactly 10 digits; you entered {len(npi)}."
        )
    if npi[0] not in "12":
        return NpiCheck(
            npi, NpiProblem.BAD_PREFIX, f"An NPI starts with 1 or 2; yours starts with {npi[0]}."
        )
    if not luhn.is_valid(NPI_LUHN_PREFIX + npi):
        return NpiCheck(
            npi,
            NpiProblem.BAD_CHECK_DIGIT,
            "That NPI's last digit (its check digit) does not match the other nine, so one digit is "
            "probably mistyped or two are swapped. Please copy it again from the NPI Registry.",
        )
    return NpiCheck(npi)


def is_valid_npi(text: str) -> bool:
    """Whether ``text`` (after removing separators) is a valid NPI."""
    return check_npi(text).valid


def make_npi(payload: str) -> str:
    """Complete 9 payload digits with their check digit (test data and the registry stand-in)."""
    return payload + str(luhn_check_digit(payload))
