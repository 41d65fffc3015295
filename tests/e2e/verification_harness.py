"""The verification end-to-end harness: real discord.py against the local Discord, the local NPPES
stand-in and a real local SMTP server (aiosmtpd).

Test modules take the fixtures by assigning them (``harness = verification_harness.harness``). The
stack is self-contained (``primum.demo.stack.Stack``, like the demo) with only the verification and
moderation cogs; the ``guard`` fails the test on any ERROR log unless the test allows it.
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

from cogs._verification_views import START_ID
from primum.demo.stack import Stack, settings_for
from primum.inference.fake import FakeScorer
from primum.integrations.nppes_standin import DEMO_PHYSICIAN, NppesStandIn, demo_registry
from primum.localdiscord import Interaction, LocalDiscord, Message, PhysicianServer
from primum.localdiscord.client import DiscordErrorGuard
from primum.runtime.clock import Clock, FakeClock
from primum.runtime.events import EventSink
from primum.settings import SmtpSettings

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
    guard: DiscordErrorGuard

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
        pinned = [m for m in self.server.bot_messages(channel) if m.pinned and has_button(m, START_ID)]
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


def has_button(message: Message, custom_id: str) -> bool:
    return custom_id in str(message.components)


def card_fields(message: Message) -> dict[str, str]:
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
                h = Harness(stack, registry, inbox, guard)
                await h.wait_for(lambda: any(m.pinned for m in stack.server.bot_messages(h.ids.channel("verify"))),
                                 what="the pinned Verify button")
                yield h
            assert not stack.server.problems(), stack.server.problems()
    guard.check()


@pytest.fixture
async def harness(tmp_path: Path, smtp: tuple[Inbox, SmtpSettings]) -> AsyncIterator[Harness]:
    async for h in _harness(tmp_path, smtp):
        yield h


@pytest.fixture
async def clocked(tmp_path: Path, smtp: tuple[Inbox, SmtpSettings]) -> AsyncIterator[Harness]:
    async for h in _harness(tmp_path, smtp, clock=FakeClock()):
        yield h
