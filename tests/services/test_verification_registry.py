"""Issue 15 against the registry stand-in: registry failures are never the member's fault, requests
wait and are decided in the background (also after a restart), names are graded, the typed state
and specialty are compared, and every refusal says what to do next."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from primum.domain.name_match import NameGrade
from primum.domain.npi import make_npi
from primum.domain.verification import RequestStatus, ReviewAction
from primum.integrations.email_code import SmtpCodeSender
from primum.integrations.nppes import NppesClient
from primum.integrations.nppes_standin import DEMO_DEACTIVATED, DEMO_PHYSICIAN, NppesStandIn, demo_registry, physician
from primum.runtime.clock import FakeClock
from primum.runtime.events import EventSink
from primum.services.verification import Submission, SubmitOutcome, SubmitResult, VerificationService
from primum.settings import SmtpSettings
from primum.storage import Database
from primum.storage.verification import VerificationRepository

GUILD = 100
MICHELLE = make_npi("176543210")
KURIAN = make_npi("176543211")
NURSE = make_npi("188101820")
RESIDENT = make_npi("155859879")


async def _no_sleep(_: float) -> None:
    return None


@dataclass
class World:
    service: VerificationService
    clock: FakeClock
    events: EventSink
    registry: NppesStandIn
    db: Database
    nppes: NppesClient
    decided: list[SubmitResult]

    async def run_due(self) -> int:
        return await self.service.waiting.scheduler.run_due()


async def _world(db_path: Path, registry: NppesStandIn, clock: FakeClock) -> World:
    db = await Database.open(db_path)
    events = EventSink(clock=clock)
    nppes = NppesClient(registry.url, clock=clock, timeout_s=0.5, quick_timeout_s=0.3, attempts=2, backoff_s=0.0,
                        sleep=_no_sleep)
    service = VerificationService(VerificationRepository(db), nppes, SmtpCodeSender(SmtpSettings()), clock, events,
                                  registry_retry_s=(30.0, 60.0, 120.0))
    decided: list[SubmitResult] = []

    async def on_decided(result: SubmitResult) -> None:
        decided.append(result)

    service.waiting.on_decided = on_decided
    await service.start()
    return World(service, clock, events, registry, db, nppes, decided)


async def _close(world: World) -> None:
    await world.service.stop()
    await world.nppes.close()
    await world.db.close()


@pytest.fixture
async def registry() -> AsyncIterator[NppesStandIn]:
    async with demo_registry() as server:
        server.add(physician(MICHELLE, "Michelle", "Grant", state="NY"),
                   physician(KURIAN, "Premila", "Mathews", other_names=(("Former Name", "Premila", "Kurian"),)))
        yield server


@pytest.fixture
async def world(tmp_path: Path, registry: NppesStandIn) -> AsyncIterator[World]:
    w = await _world(tmp_path / "v.sqlite3", registry, FakeClock())
    yield w
    await _close(w)


def _form(user: int = 1, npi: str = DEMO_PHYSICIAN, name: str = "Amara Okafor-Reyes", specialty: str = "Cardiology",
          state: str = "NY") -> Submission:
    return Submission(GUILD, user, name, npi, specialty, state)


@pytest.mark.parametrize("failure", ["http_503", "timeout", "unexpected_errors", "malformed_body"])
async def test_any_registry_failure_waits_for_the_registry_and_is_not_the_members_fault(
        world: World, failure: str) -> None:
    fail = {"http_503": lambda: world.registry.fail_next(1, status=503),
            "timeout": lambda: world.registry.hang_next(1, seconds=1.5),
            "unexpected_errors": lambda: world.registry.error_next(1),
            "malformed_body": lambda: world.registry.garble_next(1, '{"result_count": 1, "results": "oops"}')}
    fail[failure]()
    result = await world.service.submit(_form())
    assert result.outcome is SubmitOutcome.AWAITING_REGISTRY, result.message
    assert "not your fault" in result.message and "DM" in result.message and "try again" not in result.message
    assert result.request is not None and result.request.status is RequestStatus.AWAITING_REGISTRY
    assert world.registry.lookups(DEMO_PHYSICIAN) == 1  # one short attempt while the member waits
    assert await world.service.repo.attempts_since(GUILD, 1, world.clock.now().replace(year=2000)) == []
    event = world.events.of_type("verification_submitted")[-1]
    assert event["outcome"] == "awaiting_registry" and DEMO_PHYSICIAN not in str(event)

    world.clock.advance(seconds=31)
    assert await world.run_due() == 1  # the registry is back: the background lookup decides it
    stored = await world.service.repo.get(result.request.id)
    assert stored is not None and stored.status is RequestStatus.PENDING and stored.name_match == "exact"
    assert stored.typed is None  # what the member typed is forgotten once decided
    assert [r.outcome for r in world.decided] == [SubmitOutcome.QUEUED]
    assert world.decided[0].card is not None and world.decided[0].card.typed_name == "Amara Okafor-Reyes"
    answered = world.events.of_type("verification_registry_answered")[-1]
    assert answered["outcome"] == "queued" and answered["waited_s"] == 31


async def test_an_outage_never_uses_up_the_daily_limit_or_gets_cached(world: World) -> None:
    world.registry.outage()
    for _ in range(7):  # more than the 5-a-day limit
        assert (await world.service.submit(_form())).outcome is SubmitOutcome.AWAITING_REGISTRY
    world.registry.recover()
    result = await world.service.submit(_form())
    assert result.outcome is SubmitOutcome.QUEUED, result.message  # asked the registry again: nothing cached
    superseded = await world.service.repo.latest_for_member(GUILD, 1, [RequestStatus.SUPERSEDED])
    assert superseded is not None and superseded.typed is None
    world.clock.advance(hours=1)
    await world.run_due()  # the superseded waits close without deciding anything
    assert world.decided == []


async def test_retries_back_off_and_keep_going_until_the_registry_answers(world: World) -> None:
    world.registry.outage()
    result = await world.service.submit(_form())
    assert result.request is not None
    for expected_delay in (30, 60, 120, 120, 120):  # grows, then repeats the last delay: it never gives up
        world.clock.advance(seconds=expected_delay - 1)
        assert await world.run_due() == 0
        world.clock.advance(seconds=1)
        assert await world.run_due() == 1
        stored = await world.service.repo.get(result.request.id)
        assert stored is not None and stored.status is RequestStatus.AWAITING_REGISTRY
    assert stored.registry_attempts == 5
    world.registry.recover()
    world.clock.advance(seconds=120)
    await world.run_due()
    assert [r.outcome for r in world.decided] == [SubmitOutcome.QUEUED]


async def test_a_restart_while_waiting_is_picked_up_from_the_database(tmp_path: Path, registry: NppesStandIn) -> None:
    clock = FakeClock()
    first = await _world(tmp_path / "v.sqlite3", registry, clock)
    registry.outage()
    result = await first.service.submit(_form(name="Michael Grant", npi=MICHELLE))
    assert result.request is not None and result.outcome is SubmitOutcome.AWAITING_REGISTRY
    first.service.waiting.scheduler.abandon()  # a crash: nothing in memory survives
    await first.nppes.close()
    await first.db.close()

    registry.recover()
    clock.advance(minutes=5)
    second = await _world(tmp_path / "v.sqlite3", registry, clock)  # a new process: start() loads the row
    try:
        await second.service.waiting.scheduler.drain()
        stored = await second.service.repo.get(result.request.id)
        assert stored is not None and stored.status is RequestStatus.PENDING
        assert stored.name_match == "close"  # decided with the name typed before the restart
        assert [r.outcome for r in second.decided] == [SubmitOutcome.QUEUED]
        assert "checks out" not in second.decided[0].message
    finally:
        await _close(second)


async def test_waiting_then_refused_counts_once_and_offers_the_next_step(world: World) -> None:
    world.registry.fail_next(1)
    result = await world.service.submit(_form(npi=DEMO_DEACTIVATED, name="Anyone"))
    assert result.outcome is SubmitOutcome.AWAITING_REGISTRY
    world.clock.advance(seconds=30)
    await world.run_due()
    assert [r.outcome for r in world.decided] == [SubmitOutcome.INELIGIBLE]
    assert "newer NPI" in world.decided[0].message and "Ask the moderators" in world.decided[0].message
    assert len(await world.service.repo.attempts_since(GUILD, 1, world.clock.now().replace(year=2000))) == 1


@pytest.mark.parametrize(("name", "grade", "checks_out"), [
    ("Michelle Grant", NameGrade.EXACT, True),
    ("Dr. Michelle Grant MD", NameGrade.EXACT, True),
    ("Shelly Grant", NameGrade.VARIANT, True),
    ("Michael Grant", NameGrade.CLOSE, False),
    ("Martha Grant", NameGrade.NONE, False),
])
async def test_graded_names_on_the_card_and_in_the_message(world: World, name: str, grade: NameGrade,
                                                           checks_out: bool) -> None:
    result = await world.service.submit(_form(npi=MICHELLE, name=name, specialty="Internal Medicine"))
    assert result.outcome is SubmitOutcome.QUEUED and result.card is not None
    match = result.card.name_match
    assert match is not None and match.grade is grade and match.matched == "MICHELLE GRANT"
    assert ("checks out" in result.message) is checks_out
    assert bool(result.card.cautions) is (grade is not NameGrade.EXACT)
    assert result.request is not None and result.request.name_match == grade.value


async def test_former_surname_says_which_name_matched(world: World) -> None:
    result = await world.service.submit(_form(npi=KURIAN, name="Premila Kurian", specialty=""))
    assert result.card is not None and result.card.name_match is not None
    assert result.card.name_match.grade is NameGrade.OTHER_NAME
    assert "KURIAN" in result.card.name_match.matched and "Former Name" in result.card.name_match.matched
    assert any("another name on the record" in caution for caution in result.card.cautions)
    assert "checks out" not in result.message


async def test_state_and_specialty_mismatch_are_cautions(world: World) -> None:
    quiet = await world.service.submit(_form(user=1, state="New York", specialty="Cardiology"))
    assert quiet.card is not None and quiet.card.cautions == ()
    loud = await world.service.submit(_form(user=2, state="NJ", specialty="Dermatology"))
    assert loud.card is not None and loud.outcome is SubmitOutcome.QUEUED
    assert any("NJ" in c and "NY" in c for c in loud.card.cautions)
    assert any("specialty" in c for c in loud.card.cautions)


async def test_every_refusal_says_what_to_do_next(world: World) -> None:
    expectations = {
        make_npi("199999999"): "re-check the number",
        DEMO_DEACTIVATED: "reactivate",
        NURSE: "nppes.cms.hhs.gov",
        make_npi("211449934"): "individual NPI",
    }
    for user, (npi, hint) in enumerate(expectations.items(), start=1):
        result = await world.service.submit(_form(user=user, npi=npi, name="Lena Park"))
        assert result.outcome is SubmitOutcome.INELIGIBLE, result.message
        assert hint in result.message and "Ask the moderators" in result.message


async def test_ask_the_moderators_opens_a_review_request_once(world: World) -> None:
    refused = await world.service.submit(_form(npi=NURSE, name="Lena Park"))
    assert refused.outcome is SubmitOutcome.INELIGIBLE and refused.request is not None
    assert refused.request.status is RequestStatus.INELIGIBLE
    asked = await world.service.request_review(GUILD, 1, "My NPPES specialty is out of date; I am an IM resident.")
    assert asked.outcome is SubmitOutcome.REVIEW_REQUESTED and asked.card is not None
    assert asked.card.member_note.startswith("My NPPES") and "Lena" in asked.card.registry_name.title()
    assert "no MD/DO taxonomy" in asked.card.registry_summary
    again = await world.service.request_review(GUILD, 1, "again")
    assert again.outcome is SubmitOutcome.NOTHING_TO_REVIEW and "already with the moderators" in again.message
    approved = await world.service.decide(refused.request.id, ReviewAction.APPROVE, 50)
    assert approved.ok  # a human may overrule an out-of-date registry specialty
    nothing = await world.service.request_review(GUILD, 2, "hello")
    assert nothing.outcome is SubmitOutcome.NOTHING_TO_REVIEW and "Verify" in nothing.message


async def test_a_refusal_does_not_supersede_an_open_request(world: World) -> None:
    queued = await world.service.submit(_form())
    refused = await world.service.submit(_form(npi=NURSE, name="Lena Park"))
    assert refused.outcome is SubmitOutcome.INELIGIBLE and refused.superseded == ()
    assert queued.request is not None
    stored = await world.service.repo.get(queued.request.id)
    assert stored is not None and stored.status is RequestStatus.PENDING


async def test_trainee_only_records_go_to_a_human_by_default(world: World) -> None:
    result = await world.service.submit(_form(npi=RESIDENT, name="Premila Mathews", specialty=""))
    assert result.outcome is SubmitOutcome.QUEUED and result.card is not None
    assert any("trainee" in note for note in result.card.notes)


async def test_a_crash_between_storing_the_wait_and_scheduling_it_is_repaired_on_start(
        tmp_path: Path, registry: NppesStandIn) -> None:
    clock = FakeClock()
    first = await _world(tmp_path / "v.sqlite3", registry, clock)
    registry.outage()
    result = await first.service.submit(_form())
    assert result.request is not None and result.request.registry_action_id is not None
    await first.service.waiting.scheduler.cancel(result.request.registry_action_id, "lost")  # as if never scheduled
    first.service.waiting.scheduler.abandon()
    await first.nppes.close()
    await first.db.close()

    registry.recover()
    second = await _world(tmp_path / "v.sqlite3", registry, clock)
    try:
        clock.advance(seconds=30)
        assert await second.run_due() == 1
        stored = await second.service.repo.get(result.request.id)
        assert stored is not None and stored.status is RequestStatus.PENDING
    finally:
        await _close(second)


async def test_a_human_override_is_not_reported_by_the_recheck_as_a_change(world: World) -> None:
    refused = await world.service.submit(_form(npi=NURSE, name="Lena Park"))
    assert refused.request is not None
    await world.service.request_review(GUILD, 1, "Out-of-date specialty; I am a physician.")
    assert (await world.service.decide(refused.request.id, ReviewAction.APPROVE, 50)).ok
    stored = await world.service.repo.get(refused.request.id)
    assert stored is not None and stored.registry_status == "overridden"
    world.clock.advance(days=31)
    report = await world.service.recheck()
    assert report.checked == 1 and report.findings == []  # still not an MD/DO taxonomy: what the moderator saw
    world.clock.advance(days=31)
    world.registry.deactivate(NURSE)
    assert [f.registry_status for f in (await world.service.recheck()).findings] == ["deactivated"]
