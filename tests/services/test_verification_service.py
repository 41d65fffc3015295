"""The verification service end to end without Discord: stand-in registry, real local SMTP, temp DB."""

import re
import socket
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from primum.domain.npi import make_npi
from primum.domain.verification import RequestStatus, ReviewAction
from primum.domain.verification_eligibility import ResidentPolicy
from primum.integrations.email_code import SmtpCodeSender
from primum.integrations.nppes import NppesClient
from primum.integrations.nppes_standin import DEMO_DEACTIVATED, DEMO_PHYSICIAN, NppesStandIn, demo_registry
from primum.runtime.clock import FakeClock
from primum.runtime.events import EventSink
from primum.services.verification import Submission, SubmitOutcome, VerificationService
from primum.services.verification_email import EmailOutcome
from primum.settings import SmtpSettings
from primum.storage import Database
from primum.storage.verification import VerificationRepository

GUILD = 100
LEGACY = make_npi("149775812")
RESIDENT = make_npi("155859879")
SOCIAL_WORKER = make_npi("130640933")
NURSE = make_npi("188101820")
ORGANIZATION = make_npi("211449934")


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope.content)
        return "250 OK"

    def last_code(self) -> str:
        payload = message_from_bytes(self.messages[-1]).get_payload(decode=True)
        assert isinstance(payload, bytes)
        body = payload.decode()
        match = re.search(r"\b(\d{6})\b", body)
        assert match is not None
        return match.group(1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, SmtpSettings(host="127.0.0.1", port=controller.port, sender="primum@example.org", starttls=False)
    controller.stop()


@pytest.fixture
async def registry():
    async with demo_registry() as server:
        yield server


@pytest.fixture
async def world(tmp_path: Path, registry: NppesStandIn, smtp):
    inbox, settings = smtp
    db = await Database.open(tmp_path / "v.sqlite3")
    clock = FakeClock()
    events = EventSink(clock=clock)

    async def no_sleep(_: float) -> None:
        return None

    nppes = NppesClient(registry.url, clock=clock, timeout_s=0.3, attempts=2, backoff_s=0.0, sleep=no_sleep)
    service = VerificationService(VerificationRepository(db), nppes, SmtpCodeSender(settings), clock, events,
                                  server_names={GUILD: "Physicians Lounge"})
    yield service, clock, events, inbox
    await nppes.close()
    await db.close()


def _form(user: int = 1, npi: str = DEMO_PHYSICIAN, name: str = "Amara Okafor-Reyes") -> Submission:
    return Submission(GUILD, user, name, npi, "Cardiology", "NY")


@pytest.mark.parametrize(
    ("npi", "name", "outcome", "problem"),
    [
        (DEMO_PHYSICIAN, "Amara Okafor-Reyes", SubmitOutcome.QUEUED, None),
        (LEGACY, "Jeff Shrensel", SubmitOutcome.QUEUED, None),  # 2019 shape, physician + trainee codes
        (RESIDENT, "Premila Mathews", SubmitOutcome.QUEUED, None),  # trainee-only, accepted by default
        ("1234567890", "Anyone", SubmitOutcome.INVALID_NPI, "bad_check_digit"),
        ("12345", "Anyone", SubmitOutcome.INVALID_NPI, "wrong_length"),
        (make_npi("199999999"), "Anyone", SubmitOutcome.INELIGIBLE, "not_found"),
        (DEMO_DEACTIVATED, "Anyone", SubmitOutcome.INELIGIBLE, "deactivated"),
        (SOCIAL_WORKER, "Claudia Narvaez", SubmitOutcome.INELIGIBLE, "not_physician"),
        (NURSE, "Lena Park", SubmitOutcome.INELIGIBLE, "not_physician"),
        (ORGANIZATION, "Jane Doe", SubmitOutcome.INELIGIBLE, "organization"),
    ],
)
async def test_submission_table(world, npi: str, name: str, outcome: SubmitOutcome, problem: str | None) -> None:
    service, _clock, events, _inbox = world
    result = await service.submit(_form(npi=npi, name=name))
    assert result.outcome is outcome, result.message
    assert result.problem == problem
    assert result.message
    event = events.of_type("verification_submitted")[-1]
    assert event["outcome"] == outcome.value and event["user_id"] == 1
    assert npi not in str(event) and name not in str(event)  # no NPI, no typed name in events
    if outcome is SubmitOutcome.QUEUED:
        assert result.card is not None and result.request is not None
        assert result.request.status is RequestStatus.PENDING


async def test_resident_policy_reject(world) -> None:
    service, *_ = world
    await service.update_config(GUILD, by=9, residents="reject")
    assert (await service.config(GUILD)).residents is ResidentPolicy.REJECT
    result = await service.submit(_form(npi=RESIDENT, name="Premila Mathews"))
    assert result.outcome is SubmitOutcome.INELIGIBLE and result.problem == "resident_not_accepted"


async def test_name_mismatch_is_flagged_not_refused(world) -> None:
    service, *_ = world
    result = await service.submit(_form(name="Someone Else"))
    assert result.outcome is SubmitOutcome.QUEUED
    assert result.request is not None and result.request.name_match == "none"
    assert result.card is not None and any("name" in caution for caution in result.card.cautions)
    assert "checks out" not in result.message and "does not match" in result.message


async def test_rate_limit(world) -> None:
    service, clock, *_ = world
    for _ in range(5):
        assert (await service.submit(_form(npi="1234567890"))).outcome is SubmitOutcome.INVALID_NPI
    limited = await service.submit(_form())
    assert limited.outcome is SubmitOutcome.RATE_LIMITED and "<t:" in limited.message
    clock.advance(hours=24, seconds=1)
    assert (await service.submit(_form())).outcome is SubmitOutcome.QUEUED


async def test_duplicate_npi_is_flagged(world) -> None:
    service, _clock, events, _inbox = world
    await service.submit(_form(user=1))
    second = await service.submit(_form(user=2))
    assert second.card is not None and second.card.other_claimants == (1,)
    assert events.of_type("verification_duplicate_npi")[-1]["other_user_ids"] == [1]
    assert events.of_type("verification_submitted")[-1]["duplicate"] is True


async def test_resubmission_supersedes(world) -> None:
    service, *_ = world
    first = await service.submit(_form())
    second = await service.submit(_form(name="Amara N. Okafor-Reyes"))
    assert first.request is not None
    assert [item.id for item in second.superseded] == [first.request.id]


async def test_decisions_happen_once_and_need_reasons(world) -> None:
    service, *_ = world
    result = await service.submit(_form())
    assert result.request is not None
    request_id = result.request.id
    refused = await service.decide(request_id, ReviewAction.DENY, 50, "  ")
    assert not refused.ok and "reason" in refused.message.lower()
    asked = await service.decide(request_id, ReviewAction.ASK_MORE, 50, "Which hospital?")
    assert asked.ok and asked.request is not None and asked.request.status is RequestStatus.MORE_INFO
    approved = await service.decide(request_id, ReviewAction.APPROVE, 51)
    assert approved.ok and approved.request is not None and approved.request.reviewer_id == 51
    again = await service.decide(request_id, ReviewAction.DENY, 52, "changed my mind")
    assert not again.ok and "already closed" in again.message
    assert await service.is_verified(GUILD, 1)
    assert (await service.submit(_form())).outcome is SubmitOutcome.ALREADY_VERIFIED


async def test_email_binding_with_a_real_smtp_server(world) -> None:
    service, _clock, events, inbox = world
    await service.update_config(GUILD, by=9, email_binding=True, email_domains=["mountsinai.org"])
    result = await service.submit(_form())
    assert result.outcome is SubmitOutcome.AWAITING_CODE and "mountsinai.org" in result.message
    assert result.request is not None
    refused = await service.decide(result.request.id, ReviewAction.APPROVE, 50)
    assert not refused.ok and "e-mail code" in refused.message

    assert (await service.send_code(GUILD, 1, "amara@gmail.com")).outcome is EmailOutcome.NOT_ALLOWED
    sent = await service.send_code(GUILD, 1, "amara.okafor@MountSinai.org")
    assert sent.outcome is EmailOutcome.SENT, sent.message
    assert len(inbox.messages) == 1 and b"Physicians Lounge" in inbox.messages[0]
    code = inbox.last_code()
    wrong = "000000" if code != "000000" else "111111"
    assert (await service.confirm_code(GUILD, 1, wrong)).outcome is EmailOutcome.WRONG
    stored = await service.repo.get(result.request.id)
    assert stored is not None and stored.code is not None and code not in str(stored)  # only a hash is kept
    confirmed = await service.confirm_code(GUILD, 1, f" {code[:3]} {code[3:]} ")
    assert confirmed.outcome is EmailOutcome.CONFIRMED
    assert confirmed.request is not None and confirmed.request.status is RequestStatus.PENDING
    assert confirmed.request.email_domain == "mountsinai.org"
    assert (await service.decide(result.request.id, ReviewAction.APPROVE, 50)).ok
    assert "amara" not in str(events.events).lower()


async def test_email_code_expiry_and_lockout(world) -> None:
    service, clock, _events, inbox = world
    await service.update_config(GUILD, by=9, email_binding=True, email_domains=["mountsinai.org"], code_attempts=2)
    await service.submit(_form())
    await service.send_code(GUILD, 1, "a@mountsinai.org")
    clock.advance(minutes=16)
    assert (await service.confirm_code(GUILD, 1, inbox.last_code())).outcome is EmailOutcome.EXPIRED
    await service.send_code(GUILD, 1, "a@mountsinai.org")
    code = inbox.last_code()
    wrong = "000000" if code != "000000" else "111111"
    assert (await service.confirm_code(GUILD, 1, wrong)).outcome is EmailOutcome.WRONG
    assert (await service.confirm_code(GUILD, 1, wrong)).outcome is EmailOutcome.LOCKED
    assert (await service.confirm_code(GUILD, 1, code)).outcome is EmailOutcome.LOCKED
    await service.send_code(GUILD, 1, "a@mountsinai.org")
    assert (await service.send_code(GUILD, 1, "a@mountsinai.org")).outcome is EmailOutcome.TOO_MANY


async def test_smtp_down_is_reported(world, tmp_path: Path) -> None:
    service, *_ = world
    service.email._mail = SmtpCodeSender(SmtpSettings(host="127.0.0.1", port=_free_port(), sender="p@example.org",
                                                starttls=False), timeout_s=1.0)
    await service.update_config(GUILD, by=9, email_binding=True, email_domains=["mountsinai.org"])
    await service.submit(_form())
    failed = await service.send_code(GUILD, 1, "a@mountsinai.org")
    assert failed.outcome is EmailOutcome.FAILED and "could not send" in failed.message


async def test_forget_user(world) -> None:
    service, _clock, events, _inbox = world
    await service.submit(_form())
    assert await service.forget_user(GUILD, 1) == 2
    assert events.of_type("verification_forgotten")[-1]["rows"] == 2
    assert await service.repo.latest_for_member(GUILD, 1) is None
