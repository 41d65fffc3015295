# mypy: disable-error-code="union-attr"
"""Be kind end to end: the real discord.py client, PrimumBot with the BeKind cog, the local Discord.

The fixture below is local to this file until the lead's ``tests/e2e/conftest.py`` harness exists;
it starts the local Discord with the physician server, a PrimumBot (FakeScorer, temp database,
event sink, real clock) and fails on any ERROR log.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from primum.app import PrimumBot
from primum.inference.fake import FakeScorer
from primum.localdiscord import LocalDiscord, PhysicianServer, seed_physician_server
from primum.localdiscord.client import (
    DiscordErrorGuard,
    fast_client_kwargs,
    point_discord_py_at,
    start_client,
    stop_client,
)
from primum.runtime.events import EventSink
from primum.settings import KindnessSettings, Settings
from primum.storage import Database

pytestmark = pytest.mark.e2e

UNKIND = "Did they even teach you pharmacology? Read the label."
KIND = "I read the label differently: the max dose is renally adjusted."


@dataclass
class Harness:
    server: LocalDiscord
    world: PhysicianServer
    bot: PrimumBot
    events: EventSink

    @property
    def cog(self):
        return self.bot.get_cog("BeKind")

    async def event(self, type_: str, count: int = 1, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        await self.server.wait_for(lambda: len(self.events.of_type(type_)) >= count, timeout, what=type_)
        return self.events.of_type(type_)[count - 1]

    async def slash(self, user_id: int, command: str, **options) -> Reply:
        """Run a command; the reply is what the invoker finally saw (every command is acknowledged first)."""
        interaction = self.server.invoke_slash(user_id, command, options, channel_id=self.world.general)
        return await self.reply(interaction)

    async def reply(self, interaction: Any, timeout: float = 20.0) -> Reply:  # noqa: ASYNC109
        """Wait for the deferral (Discord's 3 s) and then for the follow-up that answers it."""
        record = await self.server.wait_interaction_response(interaction, timeout=2.5)
        assert record.response.type == 5, "acknowledged by deferring, before anything slow"

        def answered() -> Any:
            for message_id in [*record.followup_ids, record.original_message_id]:
                message = self.server.world.messages.get(message_id) if message_id else None
                if message is not None and (message.content or message.embeds or message.attachments):
                    return message
            return None

        message = await self.server.wait_for(answered, timeout, what=f"the answer to {record.id}")
        return Reply(record, message.content or "", bool(record.response.ephemeral), message)


@dataclass
class Reply:
    record: Any
    content: str
    ephemeral: bool
    message: Any


@pytest.fixture
async def kind(tmp_path: Path) -> AsyncIterator[Harness]:
    async with LocalDiscord(heartbeat_interval_ms=500) as server:
        world = seed_physician_server(server)
        db = await Database.open(tmp_path / "p.sqlite3")
        events = EventSink()
        settings = Settings(kindness=KindnessSettings(hide_threshold=None, outcome_window_minutes=1))
        bot = PrimumBot(settings=settings, db=db, scorer=FakeScorer(), events=events,
                        extensions=["cogs.be_kind"], **fast_client_kwargs())
        with DiscordErrorGuard() as guard, point_discord_py_at(server):
            task = await start_client(bot, server)
            try:
                await server.wait_for(lambda: bot.scorer.state.value == "ready", 5, what="scorer ready")
                yield Harness(server, world, bot, events)
            finally:
                await stop_client(bot, task)
                await db.close()
        guard.check()
        server.assert_clean()


def physician(h: Harness, index: int = 0) -> int:
    return h.world.physician_ids[index]


async def test_clinical_talk_is_not_nudged(kind: Harness) -> None:
    author = physician(kind)
    kind.server.user_says(author, kind.world.channel("clinical-cases"), "Start metoprolol 25 mg BID, titrate.")
    kind.server.user_says(author, kind.world.general, KIND)
    await kind.server.wait_for(lambda: kind.cog.service.scored_count >= 2, 5, what="both scored")
    assert kind.events.of_type("nudge") == [] and kind.server.dms_to(author) == []


async def test_nudge_by_dm_with_buttons_then_an_edit_is_revised(kind: Harness) -> None:
    author = physician(kind)
    msg = kind.server.user_says(author, kind.world.general, UNKIND)
    dm = await kind.server.wait_dm(author)
    assert "belittling" in dm.content and str(msg.id) in dm.content and "Debate is welcome" in dm.content
    assert "stays up" in dm.content and "maliciously" not in dm.content  # says what keeping it means
    assert dm.mention_ids == [] and dm.components, "a DM with three buttons and no pings"
    nudge = await kind.event("nudge")
    assert nudge["message_id"] == msg.id and nudge["category"] == "belittling"
    kind.server.user_edits(msg.id, KIND)
    outcome = await kind.event("nudge_outcome")
    assert outcome["outcome"] == "revised"
    # the edit is never nudged again, however often it changes
    kind.server.user_edits(msg.id, UNKIND)
    await asyncio.sleep(0.3)
    assert len(kind.events.of_type("nudge")) == 1 and len(kind.server.dms_to(author)) == 1


async def test_dms_closed_keeps_the_nudge_private(kind: Harness) -> None:
    author = physician(kind, 1)
    kind.server.close_dms(author)
    kind.server.user_says(author, kind.world.general, "you idiot")
    delivery = await kind.event("nudge_delivery")
    assert delivery["via"] == "dm_closed"
    await asyncio.sleep(0.3)
    assert kind.server.bot_messages(kind.world.general) == []  # nothing public points at the message


async def test_a_429_during_the_nudge_is_retried(kind: Harness) -> None:
    author = physician(kind, 2)
    kind.server.fail_next("POST", r"/channels/\d+/messages", 429, retry_after=0.2)
    kind.server.user_says(author, kind.world.general, UNKIND)
    dm = await kind.server.wait_dm(author, timeout=8)
    assert "belittling" in dm.content
    assert (await kind.event("nudge_delivery"))["via"] == "dm"


async def test_exempt_channel_and_per_channel_threshold_by_slash_commands(kind: Harness) -> None:
    owner, author = kind.world.owner_id, physician(kind, 3)
    venting, politics = kind.world.channel("venting"), kind.world.channel("politics")
    reply = await kind.slash(owner, "kind-settings exempt", channel=venting)
    assert reply.ephemeral and "exempt from scoring" in reply.content
    reply = await kind.slash(owner, "kind-settings threshold", action="nudge", value="0.95", channel=politics)
    assert "0.95" in reply.content
    kind.server.user_says(author, venting, "you idiot")
    kind.server.user_says(author, politics, "you idiot")
    await asyncio.sleep(0.5)
    assert kind.events.of_type("nudge") == []
    kind.server.user_says(author, kind.world.general, "you idiot")
    assert (await kind.event("nudge"))["channel_id"] == kind.world.general


async def test_settings_are_refused_to_members_at_run_time(kind: Harness) -> None:
    member = physician(kind, 4)
    with pytest.raises(Exception, match="permission|visible|not allowed|Missing"):
        kind.server.invoke_slash(member, "kind-settings show", {}, channel_id=kind.world.general)
    reply = await kind.slash(member, "kind stats")
    assert reply.ephemeral and "moderators" in reply.content


async def test_mistake_button_is_stored_and_stats_show_it(kind: Harness) -> None:
    author, moderator = physician(kind, 5), next(iter(kind.world.moderators.values()))
    kind.server.user_says(author, kind.world.general, UNKIND)
    dm = await kind.server.wait_dm(author)
    custom_id = next(c["custom_id"] for row in dm.components for c in row["components"]
                     if c["custom_id"].startswith("primum:kind:mistake:"))
    click = await kind.reply(kind.server.click_button(author, dm.id, custom_id))
    assert click.ephemeral and "review" in click.content
    await kind.event("nudge_report")
    reply = await kind.slash(moderator, "kind stats")
    assert reply.ephemeral
    assert "1 nudge" in reply.content and "1 reported" in reply.content and reply.message.attachments


async def test_silence_is_kept_after_the_window_and_mydata_forgetme(kind: Harness) -> None:
    owner, author = kind.world.owner_id, physician(kind, 6)
    await kind.slash(owner, "kind-settings window", which="outcome", duration="10s")
    kind.server.user_says(author, kind.world.general, UNKIND)
    nudge = await kind.event("nudge")
    row = await kind.cog.service.repo.nudge(nudge["nudge_id"])
    assert (row.deadline - row.created_at).total_seconds() == 10
    # jump past the deadline by rewriting it (the real clock would need 10 s)
    await kind.bot.db.execute("UPDATE kindness_nudges SET deadline = created_at WHERE id = ?", (row.id,))
    await kind.cog.sweep_now()
    assert (await kind.event("nudge_outcome"))["outcome"] == "kept"
    mine = await kind.slash(author, "kind mydata")
    assert mine.ephemeral and "1 nudge" in mine.content
    gone = await kind.slash(author, "kind forgetme")
    assert "1 record" in gone.content
    assert (await kind.cog.service.records.user_data(kind.world.guild_id, author)).nudges == []


async def test_hide_returns_the_text_and_posts_a_case_without_it(kind: Harness) -> None:
    owner, author = kind.world.owner_id, physician(kind, 7)
    await kind.slash(owner, "kind-settings threshold", action="hide", value="0.9")
    text = "Watch your back. " + "x" * 1950  # the local Discord caps user messages at 2,000 (Nitro: 4,000)
    msg = kind.server.user_says(author, kind.world.general, text)
    hide = await kind.event("hide")
    assert hide["message_id"] == msg.id and hide["deleted"] and hide["returned"]
    assert kind.server.world.messages[msg.id].deleted
    dm = await kind.server.wait_dm(author)
    assert dm.attachments or "Watch your back" in dm.content  # long texts come back as a file
    case = kind.server.messages(kind.world.mod_log)[-1]
    assert "threat" in case.content and "Watch your back" not in case.content and case.mention_ids == []
    assert kind.events.of_type("nudge_outcome") == []  # our own deletion is not a withdrawal


async def test_a_hide_resumed_after_a_crash_finds_its_dm_and_mod_log_post_instead_of_repeating_them(
        kind: Harness) -> None:
    owner, author = kind.world.owner_id, physician(kind, 8)
    await kind.slash(owner, "kind-settings threshold", action="hide", value="0.9")
    text = "Watch your back, I know where you park."
    msg = kind.server.user_says(author, kind.world.general, text)
    await kind.event("hide")
    await kind.server.wait_dm(author)
    post = kind.server.messages(kind.world.mod_log)[-1]
    # As if the process died after the DM and the mod-log post were sent, before either was recorded.
    started = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    await kind.bot.db.execute(
        "UPDATE kindness_hides SET stage = 'returning', returned = 0, modlog_channel_id = NULL, "
        "modlog_message_id = NULL, created_at = ?, dm_attempted_at = ?, modlog_attempted_at = ? WHERE message_id = ?",
        (started, started, started, msg.id))
    await kind.bot.db.execute(
        "INSERT INTO kindness_texts (message_id, purpose, guild_id, author_id, text, created_at, expires_at) "
        "VALUES (?, 'return', ?, ?, ?, ?, ?)",
        (msg.id, kind.world.guild_id, author, text, started, (datetime.now(UTC) + timedelta(days=7)).isoformat()))
    service = kind.cog.service
    assert await service.resume_hides() == 1
    hide = await service.hides.hide_by_message(msg.id)
    assert (hide.stage, hide.returned, hide.modlog_message_id) == ("done", True, post.id)
    assert len([m for m in kind.server.dms_to(author) if text in m.content]) == 1
    assert [m.id for m in kind.server.messages(kind.world.mod_log) if f"message {msg.id}" in m.content] == [post.id]
    assert await service.hides.returned_text(msg.id) is None
    assert await service.resume_hides() == 0


async def test_short_load_leaves_nothing_unscored_and_never_stalls_the_loop(tmp_path: Path) -> None:
    from benchmarks.load_be_kind import run_load

    result = await run_load(duration_s=3, rate=30, channels=20, backend="fake", scorer=FakeScorer(),
                            db_path=tmp_path / "load.sqlite3", settle_s=10)
    assert result.sent == 90 and result.scored == result.sent, result.report()
    assert result.decided == result.expected_nudges, result.report()
    assert result.nudges == result.decided, result.report()
    assert result.max_stall_ms < 250 and not result.heartbeat_warnings, result.report()


async def test_a_call_cut_off_by_shutdown_is_left_for_the_sweep(tmp_path: Path) -> None:
    """aiohttp raises "Session is closed" when the bot stops mid-DM: a transient failure, not a crash."""
    from cogs._be_kind_port import DiscordKindnessPort
    from primum.services.kindness_port import DeliveryFailed

    async def cut_off() -> None:
        raise RuntimeError("Session is closed")

    bot = PrimumBot(settings=Settings(), db=await Database.open(tmp_path / "p.sqlite3"), scorer=FakeScorer(),
                    events=EventSink(), extensions=[])
    port = DiscordKindnessPort(bot, service=None)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="Session is closed"):  # while running, it is a real bug
        await port._call("nudge DM", cut_off())
    await bot.close()
    with pytest.raises(DeliveryFailed, match="shutting down"):
        await port._call("nudge DM", cut_off())
    await bot.db.close()
