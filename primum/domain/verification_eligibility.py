"""Who qualifies for review: an active individual NPI with a physician taxonomy (residents by policy).

Pure. ``assess`` turns a registry answer into an :class:`Assessment`; a refusal carries the reason
and the message the member sees, with a next step (NPPES, or a human review).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from primum.domain.npi_registry import ACTIVE, INDIVIDUAL, Lookup, LookupStatus, Taxonomy


class ResidentPolicy(StrEnum):
    """What to do with NPIs listed only as 390200000X (trainees, usually residents)."""

    ACCEPT = "accept"  # the default: send them to review like physicians (the reviewer sees "resident")
    REJECT = "reject"  # refuse them at once (they can still ask the moderators)


class Eligibility(StrEnum):
    """The registry check's conclusion."""

    PHYSICIAN = "physician"
    RESIDENT = "resident"  # listed only as a trainee; allowed by the guild's policy
    INELIGIBLE = "ineligible"
    UNKNOWN = "unknown"  # the registry could not be asked; try again later


class Ineligible(StrEnum):
    """Why a registry record does not qualify."""

    NOT_FOUND = "not_found"
    DEACTIVATED = "deactivated"
    ORGANIZATION = "organization"
    INACTIVE = "inactive"
    NOT_PHYSICIAN = "not_physician"
    RESIDENT_NOT_ACCEPTED = "resident_not_accepted"


ASK_HINT = "If you believe the registry is wrong, press **Ask the moderators** and a human will look at it."
NPPES_UPDATE = "update your record at https://nppes.cms.hhs.gov (changes reach the public registry within days)"
INELIGIBLE_MESSAGES: dict[Ineligible, str] = {
    Ineligible.NOT_FOUND: (
        "The NPI Registry has no record for that NPI. Please re-check the number against "
        "https://npiregistry.cms.hhs.gov and submit again; a newly issued NPI can take a few days to appear. "
        + ASK_HINT
    ),
    Ineligible.DEACTIVATED: (
        "The NPI Registry lists that NPI as deactivated. If you have a newer NPI, submit that one; if it was "
        "deactivated by mistake, ask NPPES to reactivate it (https://nppes.cms.hhs.gov, or the NPI Enumerator "
        "at 1-800-465-3203). " + ASK_HINT
    ),
    Ineligible.ORGANIZATION: (
        "That NPI belongs to an organisation (NPI-2). Please submit your individual NPI (NPI-1): you can find "
        "it by your name at https://npiregistry.cms.hhs.gov. " + ASK_HINT
    ),
    Ineligible.INACTIVE: (
        "The NPI Registry does not list that NPI as active. If your record should be active, " + NPPES_UPDATE
        + ", then submit again. " + ASK_HINT
    ),
    Ineligible.NOT_PHYSICIAN: (
        "The NPI Registry lists no allopathic or osteopathic physician specialty (MD/DO) for that NPI. If you "
        "are a physician and your registry specialty is out of date, " + NPPES_UPDATE + ", or press **Ask the "
        "moderators** to have a human review your request now."
    ),
    Ineligible.RESIDENT_NOT_ACCEPTED: (
        "The NPI Registry lists that NPI only as a trainee (390200000X), and this server's owners chose not to "
        "accept trainee-only records automatically. If you are a resident physician, press **Ask the "
        "moderators** and a human will review your request."
    ),
}


@dataclass(frozen=True)
class Assessment:
    """Eligibility plus the taxonomy that qualified (stored) and the reason when ineligible."""

    eligibility: Eligibility
    taxonomy: Taxonomy | None = None
    reason: Ineligible | None = None

    @property
    def eligible(self) -> bool:
        """Whether the request may go on to identity binding and review."""
        return self.eligibility in {Eligibility.PHYSICIAN, Eligibility.RESIDENT}

    @property
    def message(self) -> str:
        """What to tell the member when ineligible."""
        return INELIGIBLE_MESSAGES[self.reason] if self.reason is not None else ""


def physician_taxonomy(taxonomies: Iterable[Taxonomy]) -> Taxonomy | None:
    """The best physician taxonomy (the primary one first), checking every entry, not only the primary."""
    physicians = [taxonomy for taxonomy in taxonomies if taxonomy.is_physician]
    physicians.sort(key=lambda taxonomy: not taxonomy.primary)
    return physicians[0] if physicians else None


def assess(lookup: Lookup, residents: ResidentPolicy) -> Assessment:
    """Decide whether a registry answer qualifies for review (before any human looks at it)."""
    if lookup.status is LookupStatus.UNAVAILABLE:
        return Assessment(Eligibility.UNKNOWN)
    simple = {
        LookupStatus.NOT_FOUND: Ineligible.NOT_FOUND,
        LookupStatus.DEACTIVATED: Ineligible.DEACTIVATED,
    }
    if lookup.status in simple or lookup.record is None:
        return Assessment(Eligibility.INELIGIBLE, reason=simple.get(lookup.status, Ineligible.NOT_FOUND))
    record = lookup.record
    if record.enumeration_type.upper() != INDIVIDUAL:
        return Assessment(Eligibility.INELIGIBLE, reason=Ineligible.ORGANIZATION)
    if record.status.upper() != ACTIVE:
        return Assessment(Eligibility.INELIGIBLE, reason=Ineligible.INACTIVE)
    taxonomy = physician_taxonomy(record.taxonomies)
    if taxonomy is not None:
        return Assessment(Eligibility.PHYSICIAN, taxonomy)
    trainee = next((t for t in record.taxonomies if t.is_resident), None)
    if trainee is not None:
        if residents is ResidentPolicy.ACCEPT:
            return Assessment(Eligibility.RESIDENT, trainee)
        return Assessment(Eligibility.INELIGIBLE, trainee, Ineligible.RESIDENT_NOT_ACCEPTED)
    return Assessment(Eligibility.INELIGIBLE, record.primary_taxonomy, Ineligible.NOT_PHYSICIAN)
