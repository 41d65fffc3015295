"""What moderators see on a review card and what the member is told, from one registry answer.

Pure: built from the typed form, the registry record and the name and practice comparisons. The
member is told "your NPI checks out" only when the name fits (exact or a variant); every other
outcome says plainly what a moderator will look at and what the member can do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from primum.domain.name_match import NameGrade, NameMatch
from primum.domain.npi_registry import RegistryRecord, Taxonomy
from primum.domain.practice import PracticeCheck
from primum.domain.verification import BindingMethod
from primum.domain.verification_eligibility import Eligibility

NPPES_SITE = "https://nppes.cms.hhs.gov"


@dataclass(frozen=True)
class ReviewCard:
    """What moderators see for one request (typed fields are shown, never stored once decided)."""

    request_id: int
    user_id: int
    typed_name: str
    typed_specialty: str
    typed_state: str
    npi: str
    eligibility: Eligibility
    registry_name: str
    credential: str
    taxonomies: tuple[Taxonomy, ...]
    name_match: NameMatch | None  # None: not compared (a human review the member asked for)
    binding: BindingMethod
    email_domain: str | None = None
    other_claimants: tuple[int, ...] = ()
    registry_updated: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    cautions: tuple[str, ...] = field(default_factory=tuple)
    registry_summary: str = "NPI-1 · active"
    member_note: str = ""  # what the member wrote when asking for a human review


def name_cautions(match: NameMatch) -> tuple[str, ...]:
    """The card's caution for anything but an exact name match."""
    if match.grade is NameGrade.EXACT:
        return ()
    what = {
        NameGrade.VARIANT: "The name is a variant of the registry's; check it is the same person.",
        NameGrade.OTHER_NAME: f"The name matches another name on the record ({match.matched}), not the current one.",
        NameGrade.CLOSE: "The name is close to the registry's but different: likely another person.",
        NameGrade.NONE: "The name does not match the registry record.",
    }[match.grade]
    return (what + " Check carefully before approving.",)


def card_for(request_id: int, user_id: int, npi: str, typed: tuple[str, str, str], record: RegistryRecord,
             eligibility: Eligibility, match: NameMatch, practice: PracticeCheck, binding: BindingMethod, *,
             claimants: tuple[int, ...] = ()) -> ReviewCard:
    """The review card of a request the registry check let through."""
    name, specialty, state = typed
    notes: list[str] = []
    if eligibility is Eligibility.RESIDENT:
        notes.append("Listed only as a trainee (390200000X); accepted by this server's resident policy.")
    if record.reactivation_date:
        notes.append(f"Deactivated once and reactivated on {record.reactivation_date}.")
    return ReviewCard(
        request_id=request_id, user_id=user_id, typed_name=name.strip()[:100], typed_specialty=specialty.strip()[:100],
        typed_state=state.strip()[:30], npi=npi, eligibility=eligibility, registry_name=record.display_name,
        credential=record.credential, taxonomies=record.taxonomies, name_match=match, binding=binding,
        other_claimants=claimants, registry_updated=record.last_updated, notes=tuple(notes),
        cautions=(*name_cautions(match), *practice.cautions),
    )


def review_request_card(request_id: int, user_id: int, npi: str, reason: str, record: RegistryRecord | None,
                        note: str) -> ReviewCard:
    """The card of a request the registry check refused and the member sent to a human."""
    summary = {
        "not_found": "no record for this NPI", "deactivated": "deactivated NPI",
        "organization": "an organisation's NPI (NPI-2)", "inactive": "not active",
        "not_physician": "no MD/DO taxonomy on the record", "resident_not_accepted": "trainee-only listing",
    }.get(reason, reason.replace("_", " "))
    return ReviewCard(
        request_id=request_id, user_id=user_id, typed_name="", typed_specialty="", typed_state="", npi=npi,
        eligibility=Eligibility.INELIGIBLE, registry_name=record.display_name if record else "",
        credential=record.credential if record else "", taxonomies=record.taxonomies if record else (),
        name_match=None, binding=BindingMethod.MODERATOR, registry_updated=record.last_updated if record else "",
        notes=("The member asked for a human review after the registry check refused the request.",),
        cautions=(f"Registry check: {summary}. Approve only if you have confirmed the member is a physician.",),
        registry_summary=f"refused by the registry check: {summary}", member_note=note.strip()[:900],
    )


def queued_message(match: NameMatch, *, email_domains: str | None) -> str:
    """What the member is told when the request reaches the moderators (or the e-mail step)."""
    if match.grade in {NameGrade.EXACT, NameGrade.VARIANT}:
        head = "Thank you. Your NPI checks out in the registry"
    elif match.grade is NameGrade.OTHER_NAME:
        head = ("Thank you. Your NPI is an active physician record, and the name you typed matches another name "
                "on it, not the current one; a moderator will check this")
    else:
        head = ("Thank you. Your NPI is an active physician record, but the name you typed does not match the name "
                "on it, so a moderator will look closely and may ask you for more. If your NPPES record has an "
                f"old or misspelled name, you can update it at {NPPES_SITE}")
    if email_domains is not None:
        return (f"{head}. One more step: confirm an institutional e-mail address on one of these domains: "
                f"{email_domains}. Press **Email me a code** below.")
    return f"{head}. Your request is now with the moderators; you will hear from me by DM when they have decided."


WAITING_MESSAGE = (
    "The NPI Registry is not answering right now, so I could not check your NPI yet. That is not your fault and "
    "does not count against your attempts. Your request is saved as **waiting for the registry**: I will keep "
    "asking in the background and send you a DM as soon as it moves on. There is no need to submit again."
)
