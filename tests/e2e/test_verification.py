"""Physician verification end to end: real discord.py against the local Discord, the local NPPES
stand-in and a real local SMTP server (aiosmtpd).

Covers: onboarding (Unverified role, the pinned Verify button), the form from the button and from
/verify, a bad check digit, a request pending across a restart and approved by a click after it,
deny with a reason to a member with closed DMs, a non-moderator's click, duplicate NPIs, the
e-mail code binding, owner settings, the periodic registry re-check, and data deletion.

The fixture is self-contained (it uses ``primum.demo.stack.Stack``, like the demo); when the
lead's tests/e2e/conftest.py harness exists it can replace ``harness``.
"""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from cogs._verification_views import APPROVE_ID, ASK_ID, CODE_ID, DENY_ID, EMAIL_ID, START_ID
from primum.demo.stack import Stack, settings_for
from primum.domain.npi import make_npi
from primum.inference.fake import FakeScorer
from primum.integrations.nppes_standin import DEMO_PHYSICIAN, NppesStandIn, demo_registry, physician
from primum.localdiscord import Interaction, LocalDiscord, Message, PhysicianServer
from primum.localdiscord.client import DiscordErrorGuard
from primum.runtime.clock import Clock, FakeClock
from primum.runtime.events import EventSink
from primum.settings import SmtpSettings

pytestmark = pytest.mark.e2e

EXTENSIONS = ["cogs.verification", "cogs.moderation"]
FORM = {"full_name": "Amara Okafor-Reyes", "npi": DEMO_PHYSICIAN, "specialty": "Cardiology", "state": "NY"}


class Inbox:
    """aiosmtpd handler that keeps every message."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        self.messages.append(envelope.content)
        return "250 OK"

    def last_code(self) -> str:
        body = message_from_bytes(self.messages[-1]).get_payload(decode=True)
        assert isinstance(body, bytes)
        match = re.search(rb"\b(\d{6})\b", body)
        assert match is not None
        return match.group(1).decode()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Harness:
    stack: Stack
    registry: NppesStandIn
    inbox: Inbox

    @property
    def server(self) -> LocalDiscord:
        return self.stack.server

    @property
    def ids(self) -> PhysicianServer:
        return self.stack.seeded

    @property
    def events(self) -> EventSink:
        return self.stack.events

    @property
    def cog(self) -> Any:
        assert self.stack.bot is not None
        return self.stack.bot.get_cog("Verification")

    @property
    def bot(self) -> Any:
        assert self.stack.bot is not None
        return self.stack.bot

    async def wait_for(self, predicate: Any, timeout: float = 8.0, what: str = "") -> Any:  # noqa: ASYNC109
        return await self.server.wait_for(predicate, timeout, what=what)

    async def event(self, type_: str, timeout: float = 8.0, **match: Any) -> dict[str, Any]:  # noqa: ASYNC109
        def find() -> dict[str, Any] | None:
            for event in self.events.events:
                if event["type"] == type_ and all(event.get(k) == v for k, v in match.items()):
                    return event
            return None

        found: dict[str, Any] = await self.wait_for(find, timeout, what=f"event {type_} {match}")
        return found

    async def answer(self, rec: Interaction) -> Message:
        """The bot's visible answer to an interaction (a follow-up after a deferral, or the response)."""
        await self.server.wait_interaction_response(rec, timeout=8)

        def find() -> Message | None:
            for message_id in [*rec.followup_ids, rec.original_message_id]:
                message: Message | None = self.server.world.messages.get(message_id) if message_id else None
                if message is not None and (message.content or message.embeds):
                    return message
            return None

        answer: Message = await self.wait_for(find, what=f"the answer to interaction {rec.id}")
        return answer

    async def slash(self, user_id: int, command: str, channel: str = "verify", **options: Any) -> Interaction:
        rec: Interaction = self.server.invoke_slash(user_id, command, options, channel_id=self.ids.channel(channel))
        await self.server.wait_interaction_response(rec, timeout=8)
        return rec

    async def click(self, user_id: int, message_id: int, custom_id: str) -> Interaction:
        rec: Interaction = self.server.click_button(user_id, message_id, custom_id)
        await self.server.wait_interaction_response(rec, timeout=8)
        return rec

    async def submit(self, opened: Interaction, values: dict[str, str]) -> Message:
        assert opened.modal is not None, "the bot did not open a form"
        return await self.answer(self.server.submit_modal(opened, values))

    def verify_message(self) -> Message:
        channel = self.ids.channel("verify")
        pinned = [m for m in self.server.bot_messages(channel) if m.pinned and _has(m, START_ID)]
        assert pinned, "no pinned Verify message"
        return pinned[-1]

    def cards(self) -> list[Message]:
        return [m for m in self.server.bot_messages(self.ids.review_queue) if m.embeds]

    async def newcomer(self, username: str, display: str) -> int:
        user = self.server.create_user(username, global_name=display)
        self.server.member_join(user.id)
        await self.wait_for(lambda: "Unverified" in self.server.role_names(user.id), what="Unverified role")
        return int(user.id)

    async def submit_form(self, user_id: int, values: dict[str, str] | None = None) -> Message:
        opened = await self.click(user_id, self.verify_message().id, START_ID)
        return await self.submit(opened, values or FORM)

    @property
    def moderator(self) -> int:
        return int(next(iter(self.ids.moderators.values())))


def _has(message: Message, custom_id: str) -> bool:
    return custom_id in str(message.components)


def _fields(message: Message) -> dict[str, str]:
    return {f["name"]: f["value"] for embed in message.embeds for f in embed.get("fields", [])}


@pytest.fixture
async def smtp() -> AsyncIterator[tuple[Inbox, SmtpSettings]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, SmtpSettings(host="127.0.0.1", port=controller.port, sender="primum@example.org", starttls=False)
    controller.stop()


async def _harness(tmp_path: Path, smtp: tuple[Inbox, SmtpSettings], clock: Clock | None = None
                   ) -> AsyncIterator[Harness]:
    inbox, smtp_settings = smtp
    with DiscordErrorGuard() as guard:
        async with demo_registry() as registry:
            db_path = tmp_path / "v.sqlite3"
            # A loaded test machine must not turn the local registry's answers into "waiting for the registry".
            settings = replace(settings_for(db_path, backend="fake"), nppes_base_url=registry.url,
                               nppes_quick_timeout_s=15.0,
                               smtp=smtp_settings)
            stack = Stack(db_path=db_path, settings=settings, events=EventSink(), scorer_factory=FakeScorer,
                          extensions=EXTENSIONS, clock=clock)
            async with stack:
                h = Harness(stack, registry, inbox)
                await h.wait_for(lambda: any(m.pinned for m in stack.server.bot_messages(h.ids.channel("verify"))),
                                 what="the pinned Verify button")
                yield h
            assert not stack.server.problems(), stack.server.problems()
    guard.check()


@pytest.fixture
async def harness(tmp_path: Path, smtp: tuple[Inbox, SmtpSettings]) -> AsyncIterator[Harness]:
    async for h in _harness(tmp_path, smtp):
        yield h


async def test_join_verify_restart_then_approve_after_restart(harness: Harness) -> None:
    h = harness
    user = await h.newcomer("amara.new", "Amara Okafor-Reyes")
    answer = await h.submit_form(user)
    assert "with the moderators" in answer.content and answer.ephemeral
    submitted = await h.event("verification_submitted", user_id=user)
    assert submitted["outcome"] == "queued" and submitted["name_match"] == "exact"
    card = await h.wait_for(lambda: next(iter(h.cards()), None), what="review card")
    fields = _fields(card)
    assert DEMO_PHYSICIAN in fields["NPI Registry"] and "207RC0000X" in fields["Taxonomies"]
    assert fields["Name match"].startswith("Exact match") and "Amara Okafor-Reyes" in fields["Typed by the member"]
    assert "⚠ Caution" not in fields
    assert all(_has(card, cid) for cid in (APPROVE_ID, DENY_ID))

    await h.stack.restart_bot()  # the request is pending; the pinned button and the card must keep working
    assert len([m for m in h.server.bot_messages(h.ids.channel("verify")) if m.pinned]) == 1  # not re-posted

    approve = await h.click(h.moderator, card.id, APPROVE_ID)
    verified = await h.event("verified", user_id=user)
    assert verified["role_granted"] is True and verified["notified"] == "dm"
    assert verified["reviewer_id"] == h.moderator and verified["taxonomy"] == "207RC0000X"
    names = h.server.role_names(user)
    assert "Verified Physician" in names and "Unverified" not in names
    welcome = await h.server.wait_dm(user)
    assert "verified you as a physician" in welcome.content
    assert "Approved" in (await h.answer(approve)).content
    await h.wait_for(lambda: not h.server.world.messages[card.id].components, what="card closed")
    assert "Approved by" in _fields(h.server.world.messages[card.id])["Decision"]

    again = await h.click(user, h.verify_message().id, START_ID)  # verified members are told so
    assert again.modal is None

    h.server.member_leave(user)
    h.server.member_join(user)  # a verified physician who rejoins gets the role back
    await h.wait_for(lambda: "Verified Physician" in h.server.role_names(user), what="role restored on rejoin")


async def test_slash_verify_bad_check_digit_is_told_why(harness: Harness) -> None:
    h = harness
    user = await h.newcomer("typo.doc", "Typo Doctor")
    opened = await h.slash(user, "verify")
    answer = await h.submit(opened, {**FORM, "npi": "1234567890"})
    assert "check digit" in answer.content and answer.ephemeral
    event = await h.event("verification_submitted", user_id=user)
    assert event["outcome"] == "invalid_npi" and event["problem"] == "bad_check_digit"
    assert not h.cards()
    answer = await h.submit_form(user, {**FORM, "npi": "1881018208", "full_name": "Lena Park"})  # a nurse practitioner
    assert "no allopathic or osteopathic physician specialty" in answer.content
    assert "nppes.cms.hhs.gov" in answer.content and _has(answer, ASK_ID)  # a next step and a way to a human
    assert not h.cards()

    opened = await h.click(user, answer.id, ASK_ID)  # the specialty on the record is out of date: ask a human
    assert opened.modal is not None and opened.modal["custom_id"].endswith("ask_form")
    sent = await h.submit(opened, {"note": "I am a PGY-1 in internal medicine; NPPES still lists my old job."})
    assert "now with the moderators" in sent.content
    card = await h.wait_for(lambda: next(iter(h.cards()), None), what="review card for the human review")
    fields = _fields(card)
    assert "PGY-1" in fields["The member asks for a human review"] and "⚠ Caution" in fields
    assert "refused by the registry check" in fields["NPI Registry"] and "363L00000X" in fields["Taxonomies"]
    assert (await h.event("verification_review_requested", user_id=user))["registry_status"] == "not_physician"
    await h.click(h.moderator, card.id, APPROVE_ID)
    assert (await h.event("verified", user_id=user))["role_granted"] is True


async def test_deny_with_reason_to_closed_dms(harness: Harness) -> None:
    h = harness
    user = await h.newcomer("closed.dms", "Closed Dms")
    await h.submit_form(user, {**FORM, "full_name": "Someone Else"})
    card = await h.wait_for(lambda: next(iter(h.cards()), None), what="review card")
    assert _fields(card)["Name match"].startswith("No match") and "⚠ Caution" in _fields(card)

    physician = h.ids.physician_ids[0]
    refused = await h.click(physician, card.id, APPROVE_ID)  # not a moderator
    assert "Only moderators" in (await h.answer(refused)).content
    assert h.events.of_type("verified") == []

    h.server.close_dms(user)
    opened = await h.click(h.moderator, card.id, DENY_ID)
    assert opened.modal is not None and opened.modal["custom_id"].endswith("deny_form")
    done = await h.submit(opened, {"reason": "The name does not match the NPI record."})
    assert "member told by channel" in done.content
    denied = await h.event("verification_denied", user_id=user)
    assert denied["notified"] == "channel" and "reason" not in denied
    note = await h.wait_for(lambda: next((m for m in h.server.bot_messages(h.ids.channel("verify"))
                                          if f"<@{user}>" in m.content), None), what="note in #verify")
    assert "not approved" in note.content and "does not match" not in note.content  # the reason stays private
    closed = h.server.world.messages[card.id]
    assert not closed.components and "does not match" in _fields(closed)["Decision"]
    assert "Unverified" in h.server.role_names(user)
    # The decision and the moderator's reason go on the append-only case log (issue 7).
    case = await h.event("case", target_id=user)
    assert case["kind"] == "verification" and case["actor_id"] == h.moderator
    moderation = h.bot.get_cog("Moderation")
    history = await moderation.case_log.history(case["number"], h.ids.guild_id)
    assert history.current.reason == "denied: The name does not match the NPI record."


async def test_duplicate_npi_is_flagged_on_the_card(harness: Harness) -> None:
    h = harness
    first = await h.newcomer("first.claim", "First Claim")
    second = await h.newcomer("second.claim", "Second Claim")
    await h.submit_form(first)
    await h.submit_form(second)
    await h.wait_for(lambda: len(h.cards()) == 2, what="two cards")
    assert f"<@{first}>" in _fields(h.cards()[-1])["⚠ Same NPI claimed by"]
    assert (await h.event("verification_duplicate_npi", user_id=second))["other_user_ids"] == [first]


async def test_email_code_binding_through_real_smtp(harness: Harness) -> None:
    h = harness
    owner = h.ids.owner_id
    configured = await h.answer(await h.slash(owner, "verification config email", "general", enabled=True,
                                              domains="mountsinai.org, @Mayo.edu"))
    assert "mountsinai.org, mayo.edu" in configured.content

    user = await h.newcomer("email.doc", "Email Doc")
    prompt = await h.submit_form(user)
    assert "Email me a code" in prompt.content and _has(prompt, EMAIL_ID)
    card = await h.wait_for(lambda: next(iter(h.cards()), None), what="review card")
    assert "Waiting" in _fields(card)["Identity binding"]
    early = await h.click(h.moderator, card.id, APPROVE_ID)
    assert "e-mail code" in (await h.answer(early)).content

    bad = await h.submit(await h.click(user, prompt.id, EMAIL_ID), {"address": "amara@gmail.com"})
    assert "not on this server's list" in bad.content
    sent = await h.submit(await h.click(user, prompt.id, EMAIL_ID), {"address": "amara@mountsinai.org"})
    assert "sent a six-digit code" in sent.content and len(h.inbox.messages) == 1
    confirmed = await h.submit(await h.click(user, sent.id, CODE_ID), {"code": h.inbox.last_code()})
    assert "confirmed" in confirmed.content
    await h.wait_for(lambda: "confirmed" in _fields(h.server.world.messages[card.id])["Identity binding"],
                     what="card shows the binding")
    await h.click(h.moderator, card.id, APPROVE_ID)
    assert (await h.event("verified", user_id=user))["role_granted"] is True


async def test_forget_user(harness: Harness) -> None:
    h = harness
    user = await h.newcomer("forget.me", "Forget Me")
    await h.submit_form(user)
    await h.event("verification_submitted", user_id=user)
    answer = await h.answer(await h.slash(h.ids.owner_id, "verification forget", "general", user=str(user),
                                             reason="the member asked by e-mail"))
    assert "Deleted 2 verification record(s)" in answer.content
    assert await h.cog.service.repo.latest_for_member(h.ids.guild_id, user) is None
    card = h.cards()[-1]
    stale = await h.click(h.moderator, card.id, APPROVE_ID)  # the card outlived the data: a clear answer
    assert "no request for this card" in (await h.answer(stale)).content


@pytest.fixture
async def clocked(tmp_path: Path, smtp: tuple[Inbox, SmtpSettings]) -> AsyncIterator[Harness]:
    async for h in _harness(tmp_path, smtp, clock=FakeClock()):
        yield h


async def test_periodic_recheck_alerts_moderators(clocked: Harness) -> None:
    h = clocked
    clock = h.stack.clock
    assert isinstance(clock, FakeClock)
    user = await h.newcomer("recheck.doc", "Recheck Doc")
    await h.submit_form(user)
    card = await h.wait_for(lambda: next(iter(h.cards()), None), what="review card")
    await h.click(h.moderator, card.id, APPROVE_ID)
    await h.event("verified", user_id=user)
    await h.stack.restart_bot()  # last_checked_at is in the database, not in memory
    await h.wait_for(lambda: h.cog.recheck_passes >= 1, what="the start-up re-check pass")  # nothing due yet
    clock.advance(days=31)
    h.registry.deactivate(DEMO_PHYSICIAN)
    answer = await h.answer(await h.slash(h.ids.owner_id, "verification recheck", "general"))
    assert "1 finding" in answer.content
    alert = await h.wait_for(lambda: next((m for m in h.server.bot_messages(h.ids.mod_log)
                                           if "Registry re-check" in m.content), None), what="alert")
    assert f"<@{user}>" in alert.content and "deactivated" in alert.content
    assert (await h.event("verification_recheck", user_id=user))["registry_status"] == "deactivated"



async def test_registry_outage_waits_survives_a_restart_and_decides_when_the_registry_is_back(
        clocked: Harness) -> None:
    h = clocked
    clock = h.stack.clock
    assert isinstance(clock, FakeClock)
    user = await h.newcomer("outage.doc", "Outage Doc")
    h.registry.outage()
    answer = await h.submit_form(user)
    assert "waiting for the registry" in answer.content and "not your fault" in answer.content and answer.ephemeral
    submitted = await h.event("verification_submitted", user_id=user)
    assert submitted["outcome"] == "awaiting_registry" and not h.cards()
    assert h.registry.lookups(DEMO_PHYSICIAN) == 1  # one short attempt while the member waited

    await h.stack.restart_bot()  # the wait lives in the database, not in memory
    clock.advance(seconds=45)
    h.cog.service.waiting.scheduler.poke()
    await h.wait_for(lambda: h.registry.lookups(DEMO_PHYSICIAN) >= 2, what="a background lookup after the restart")
    request = await h.cog.service.repo.latest_for_member(h.ids.guild_id, user)
    assert request.status.value == "awaiting_registry" and request.typed is not None  # still down: still waiting

    h.registry.recover()
    clock.advance(minutes=5)
    h.cog.service.waiting.scheduler.poke()
    notified = await h.event("verification_registry_notified", user_id=user, timeout=15)
    assert notified["outcome"] == "queued" and notified["notified"] == "dm"
    dm = await h.server.wait_dm(user)
    assert "the NPI Registry answered" in dm.content and "with the moderators" in dm.content
    card = await h.wait_for(lambda: next(iter(h.cards()), None), what="review card after the registry came back")
    fields = _fields(card)
    assert fields["Name match"].startswith("Exact match") and "Amara Okafor-Reyes" in fields["Typed by the member"]
    decided = await h.cog.service.repo.get(request.id)
    assert decided.status.value == "pending" and decided.typed is None
    await h.click(h.moderator, card.id, APPROVE_ID)
    assert (await h.event("verified", user_id=user))["role_granted"] is True
    assert await h.cog.service.repo.attempts_since(h.ids.guild_id, user, clock.now().replace(year=2000)) != []


async def test_email_binding_after_a_registry_wait_continues_from_the_dm(clocked: Harness) -> None:
    h = clocked
    clock = h.stack.clock
    assert isinstance(clock, FakeClock)
    await h.answer(await h.slash(h.ids.owner_id, "verification config email", "general", enabled=True,
                                 domains="mountsinai.org"))
    user = await h.newcomer("email.wait", "Email Wait")
    h.registry.error_next(1)  # an unexpected Errors answer: the registry's problem, not the member's
    answer = await h.submit_form(user)
    assert "waiting for the registry" in answer.content
    clock.advance(seconds=31)
    h.cog.service.waiting.scheduler.poke()
    dm = await h.server.wait_dm(user)
    assert "Email me a code" in dm.content and _has(dm, EMAIL_ID)
    sent = await h.submit(await h.click(user, dm.id, EMAIL_ID), {"address": "email.wait@mountsinai.org"})
    assert "sent a six-digit code" in sent.content
    confirmed = await h.submit(await h.click(user, dm.id, CODE_ID), {"code": h.inbox.last_code()})
    assert "confirmed" in confirmed.content


def test_demo_scenario_shows_an_outage_waited_out(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    events_file = tmp_path / "events.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "primum.cli", "demo", "--scenario", "verification", "--model", "fake", "--events",
         str(events_file)], cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=240,
        check=False)
    assert result.returncode == 0, result.stderr
    assert "waiting for the registry" in result.stdout and "The registry comes back" in result.stdout
    events = [json.loads(line) for line in events_file.read_text(encoding="utf-8").splitlines()]
    outcomes = [e["outcome"] for e in events if e["type"] == "verification_submitted"]
    assert outcomes == ["queued", "invalid_npi", "awaiting_registry"]
    answered = next(e for e in events if e["type"] == "verification_registry_answered")
    notified = next(e for e in events if e["type"] == "verification_registry_notified")
    assert answered["outcome"] == "queued" and notified["notified"] == "dm"


async def test_near_miss_name_and_other_state_are_cautions_on_the_card(harness: Harness) -> None:
    h = harness
    npi = make_npi("176543210")
    h.registry.add(physician(npi, "Michelle", "Grant", state="NY"))
    user = await h.newcomer("michael.grant", "Michael Grant")
    answer = await h.submit_form(user, {"full_name": "Michael Grant", "npi": npi, "specialty": "Internal Medicine",
                                        "state": "NJ"})
    assert "checks out" not in answer.content and "does not match" in answer.content
    card = await h.wait_for(lambda: next(iter(h.cards()), None), what="review card")
    fields = _fields(card)
    assert fields["Name match"].startswith("Close but different") and "MICHELLE GRANT" in fields["Name match"]
    assert "likely another person" in fields["⚠ Caution"] and "Typed state NJ" in fields["⚠ Caution"]
    assert (await h.event("verification_submitted", user_id=user))["name_match"] == "close"
