"""What the NPPES NPI Registry says about an NPI, as plain data (``primum.integrations.nppes`` parses the JSON).

Pure: no network, no Discord. A lookup is found (with its record), not found, deactivated, or
unavailable (the registry could not answer: never the member's fault). The physician taxonomy
group (207…, 208…) and the trainee code residents are often listed under live here with the record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from primum.domain.name_match import NameMatch, RegistryName, match_name

#: NUCC "Allopathic & Osteopathic Physicians": every code of the group begins 207 or 208.
PHYSICIAN_TAXONOMY = re.compile(r"^20[78][0-9A-Z]{6}X$")
#: "Student in an Organized Health Care Education/Training Program" (how many residents are listed).
RESIDENT_TAXONOMY = "390200000X"
INDIVIDUAL = "NPI-1"
ACTIVE = "A"


@dataclass(frozen=True)
class Taxonomy:
    """One ``taxonomies[]`` entry of a registry record."""

    code: str
    desc: str = ""
    primary: bool = False
    state: str = ""
    license: str = ""

    @property
    def is_physician(self) -> bool:
        """Whether the code is in the allopathic and osteopathic physician group."""
        return bool(PHYSICIAN_TAXONOMY.match(self.code.strip().upper()))

    @property
    def is_resident(self) -> bool:
        """Whether the code is the trainee code residents are often listed under."""
        return self.code.strip().upper() == RESIDENT_TAXONOMY


@dataclass(frozen=True)
class RegistryRecord:
    """The facts Primum uses from one NPPES result (both the 2019 and the 2026 shapes parse to this)."""

    number: str
    enumeration_type: str
    status: str
    name: RegistryName
    credential: str = ""
    taxonomies: tuple[Taxonomy, ...] = ()
    enumeration_date: str = ""
    last_updated: str = ""
    deactivation_date: str = ""
    reactivation_date: str = ""

    @property
    def display_name(self) -> str:
        """``FIRST MIDDLE LAST, CREDENTIAL`` as the registry spells it."""
        parts = [self.name.first, self.name.middle, self.name.last]
        text = " ".join(part for part in parts if part)
        return f"{text}, {self.credential}" if self.credential else text

    @property
    def licence_states(self) -> tuple[str, ...]:
        """The states of the record's taxonomy licences, in order, without repeats."""
        return tuple(dict.fromkeys(t.state.upper() for t in self.taxonomies if t.state))

    @property
    def primary_taxonomy(self) -> Taxonomy | None:
        """The taxonomy marked primary (or the first one)."""
        for taxonomy in self.taxonomies:
            if taxonomy.primary:
                return taxonomy
        return self.taxonomies[0] if self.taxonomies else None


class LookupStatus(StrEnum):
    """What the registry said about an NPI."""

    FOUND = "found"
    NOT_FOUND = "not_found"  # result_count 0
    DEACTIVATED = "deactivated"  # Errors number 15 "CMS deactivated NPI …"
    #: The registry could not answer: timeouts, 5xx, 429, an unexpected ``Errors`` answer (anything but
    #: number 15: the NPI is already known to be well formed), an unreadable or malformed body. Never the
    #: member's fault: never cached, never counted, retried in the background.
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Lookup:
    """One registry answer; ``record`` is set only when ``status`` is ``FOUND``."""

    status: LookupStatus
    record: RegistryRecord | None = None
    detail: str = ""


def compare_name(typed: str, record: RegistryRecord) -> NameMatch:
    """The fuzzy name comparison for the review card."""
    return match_name(typed, record.name)
