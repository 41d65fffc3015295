"""Faults end to end: Primum as a killable process, SIGKILLed in the middle of a burst of nudges.

The local Discord answers every bot message 3 s late (after the message exists), so the kill
lands while many DMs have been sent but not yet recorded as delivered. After the restart every
nudge must reach its author exactly once.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from primum.demo.stack import Stack, settings_for
from primum.inference.fake import FakeScorer
from primum.localdiscord.client import DiscordErrorGuard
from primum.services.kindness_policy import NUDGE_WINDOW_KEY
from primum.storage import Database, GuildSettingsRepository
from tests.storage.test_database_busy import hold_write_lock

pytestmark = pytest.mark.e2e

BURST = 30
NUDGE_BUTTON = re.compile(r"^primum:kind:will_edit:(\d+)$")


@pytest.fixture
async def process_stack(tmp_path: Path) -> AsyncIterator[Stack]:
    guard = DiscordErrorGuard()
    guard.install()
    settings = settings_for(tmp_path / "primum.sqlite3")
    stack = Stack(db_path=settings.database_path, settings=settings, validate=True)
    try:
        await stack.start(with_bot=False)
        yield stack
    finally:
        await stack.stop()
        guard.uninstall()
    guard.check()
    stack.server.assert_clean()


def nudge_dms(stack: Stack) -> Counter[int]:
    """How many DMs Discord holds for each nudge id (read from the nudge's buttons)."""
    world = stack.server.world
    counts: Counter[int] = Counter()
    for message in world.messages.values():
        channel = world.channels.get(message.channel_id)
        if message.author_id != stack.server.bot_user_id or channel is None or channel.guild_id is not None:
            continue
        for row in message.components:
            for child in row.get("components", []):
                match = NUDGE_BUTTON.match(str(child.get("custom_id", "")))
                if match:
                    counts[int(match.group(1))] += 1
    return counts


async def wait_until(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def nudge_rows(db_path: Path) -> list[tuple[int, str]]:
    db = await Database.open(db_path)
    try:
        return [(int(r["id"]), str(r["delivery"])) for r in await db.fetch_all(
            "SELECT id, delivery FROM kindness_nudges ORDER BY id")]
    finally:
        await db.close()


async def test_sigkill_during_a_burst_of_nudges_delivers_each_exactly_once(
    process_stack: Stack, tmp_path: Path
) -> None:
    stack, server = process_stack, process_stack.server
    ids = stack.seeded
    db = await Database.open(stack.db_path)
    await GuildSettingsRepository(db).set(ids.guild_id, NUDGE_WINDOW_KEY, 0, now=datetime.now(UTC))
    await db.close()
    events = tmp_path / "events.jsonl"
    await stack.start_bot_process(events_path=events)
    server.slow_next("POST", r"^/channels/\d+/messages$", 3.0, times=10_000)
    authors = ids.physician_ids
    for i in range(BURST):
        server.user_says(authors[i % len(authors)], ids.general, f"you idiot, point {i}")

    async def some_sent() -> bool:
        return sum(nudge_dms(stack).values()) >= 8

    await wait_until(some_sent, 30, "the first nudge DMs")
    await stack.kill_bot_process()
    server.clear_faults()
    sent_before_kill = sum(nudge_dms(stack).values())
    await stack.start_bot_process(events_path=events)

    async def all_delivered() -> bool:
        rows = await nudge_rows(stack.db_path)
        return bool(rows) and all(delivery != "pending" for _, delivery in rows)

    await wait_until(all_delivered, 60, "every nudge delivered after the restart")
    await asyncio.sleep(1.0)  # anything sent twice would have arrived by now
    rows = await nudge_rows(stack.db_path)
    counts = nudge_dms(stack)
    assert sent_before_kill >= 8
    assert {nudge_id for nudge_id, _ in rows} == set(counts), "every nudge reached its author"
    assert [nudge_id for nudge_id, n in counts.items() if n > 1] == [], "no nudge was sent twice"
    assert all(delivery == "dm" for _, delivery in rows)
    await stack.stop_bot_process()


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    """An in-process stack (FakeScorer), checked for ERROR logs and spec violations afterwards."""
    guard = DiscordErrorGuard()
    guard.install()
    settings = settings_for(tmp_path / "primum.sqlite3")
    the_stack = Stack(db_path=settings.database_path, settings=settings, scorer_factory=FakeScorer, validate=True)
    try:
        await the_stack.start()
        yield the_stack
    finally:
        await the_stack.stop()
        guard.uninstall()
    guard.check()
    the_stack.server.assert_clean()


async def marked(stack: Stack) -> bool:
    assert stack.db is not None
    return await stack.db.fetch_one("SELECT 1 FROM scored_marks") is not None


async def catch_up_event(stack: Stack, reason: str) -> dict[str, Any]:
    async def done() -> bool:
        return any(e["reason"] == reason for e in stack.events.of_type("catch_up"))

    await wait_until(done, 20, f"a catch-up after {reason}")
    return next(e for e in stack.events.of_type("catch_up") if e["reason"] == reason)


async def test_messages_posted_while_primum_was_down_are_scored_after_the_restart(stack: Stack) -> None:
    ids, server = stack.seeded, stack.server
    calm, rude = ids.user("Dr. Mei-Lin Chen"), ids.user("Dr. Jonas Berg")
    server.user_says(calm, ids.general, "Morning all, the new sepsis bundle is on the wiki.")

    await wait_until(lambda: marked(stack), 10, "the first message marked as scored")
    await stack.stop_bot()
    server.user_says(calm, ids.general, "Anyone seen the updated heparin protocol?")
    missed = server.user_says(rude, ids.general, "you idiot, read the protocol before posting")
    await stack.start_bot()
    event = await catch_up_event(stack, "start")
    assert (event["scored"], event["nudged"]) == (2, 1)
    dm = await server.wait_dm(rude, timeout=10)
    assert any("primum:kind:" in str(row) for row in dm.components)
    nudges = stack.events.of_type("nudge")
    assert [n["message_id"] for n in nudges] == [missed.id]
    assert stack.bot is not None and stack.bot.scorer.calls == 2  # type: ignore[attr-defined]


async def test_messages_lost_in_a_non_resumable_session_reset_are_scored_once(stack: Stack) -> None:
    ids, server = stack.seeded, stack.server
    rude = ids.user("Dr. Fatima Al-Rashid")
    server.user_says(ids.user("Dr. Grace Mensah"), ids.general, "Journal club moved to Thursday.")
    await wait_until(lambda: marked(stack), 10, "the live message marked as scored")
    server.gateway.pause()
    await server.invalidate_session(resumable=False)
    missed = server.user_says(rude, ids.general, "what a moron take on the journal club")
    server.gateway.unpause()
    event = await catch_up_event(stack, "session reset")
    assert (event["scored"], event["nudged"]) == (1, 1)
    await server.wait_dm(rude, timeout=10)
    assert [n["message_id"] for n in stack.events.of_type("nudge")] == [missed.id]
    assert len(nudge_dms(stack)) == 1


# --- commands answer under Discord 429/5xx and a locked database ---------------------------------

MODERATOR, MEMBER = "Dr. Nadia Haddad", "Dr. Amara Okafor"


async def deferred_answer(stack: Stack, rec: Any, timeout: float = 30.0) -> str:  # noqa: ASYNC109
    """The interaction must be acknowledged (deferred) within Discord's 3 s; return the follow-up."""
    server = stack.server
    await server.wait_interaction_response(rec, timeout=2.5)
    assert rec.response_type == 5, "acknowledged by deferring, before the slow part"

    def found() -> Any:
        for message_id in [*rec.followup_ids, rec.original_message_id]:
            message = server.world.messages.get(message_id) if message_id else None
            if message is not None and message.content:
                return message
        return None

    return str((await server.wait_for(found, timeout, what=f"the answer to {rec.id}")).content)


async def test_cooldown_under_a_429_then_a_502_is_acknowledged_at_once_and_done(stack: Stack) -> None:
    ids, server = stack.seeded, stack.server
    member = ids.user(MEMBER)
    route = rf"^/guilds/{ids.guild_id}/members/{member}$"
    server.fail_next("PATCH", route, 429, retry_after=3.5)
    server.fail_next("PATCH", route, 502)
    rec = server.invoke_slash(ids.user(MODERATOR), "cooldown member",
                              {"member": member, "reason": "repeated insults", "minutes": 1}, channel_id=ids.general)
    text = await deferred_answer(stack, rec)
    assert "cooling down until" in text and server.timeout_until(member) is not None


async def test_a_cooldown_discord_refuses_after_a_long_429_says_it_failed(stack: Stack) -> None:
    ids, server = stack.seeded, stack.server
    member = ids.user(MEMBER)
    route = rf"^/guilds/{ids.guild_id}/members/{member}$"
    server.fail_next("PATCH", route, 429, retry_after=3.5)
    server.fail_next("PATCH", route, 403, 50013, message="Missing Permissions")
    rec = server.invoke_slash(ids.user(MODERATOR), "cooldown member",
                              {"member": member, "reason": "repeated insults", "minutes": 1}, channel_id=ids.general)
    text = await deferred_answer(stack, rec)
    assert "cannot be timed out" in text and server.timeout_until(member) is None


async def test_commands_answer_while_another_process_holds_the_write_lock(stack: Stack) -> None:
    ids, server = stack.seeded, stack.server
    held = threading.Event()
    holder = hold_write_lock(stack.db_path, 4.0, held)
    await asyncio.to_thread(held.wait, 5)
    slowmode = server.invoke_slash(ids.user(MODERATOR), "cooldown channel", {"reason": "heated thread", "minutes": 1},
                                   channel_id=ids.general)
    note = server.invoke_slash(ids.user(MODERATOR), "mod note", {"member": ids.user(MEMBER), "reason": "a note"},
                               channel_id=ids.general)
    standing = server.invoke_slash(ids.user(MEMBER), "standing", {}, channel_id=ids.general)
    # Reading needs no write lock: /standing answers while the lock is still held.
    assert "Your standing" in await deferred_answer(stack, standing, timeout=2.0)
    assert holder.is_alive()
    # Writes wait for the lock and then land; both moderators got an acknowledgement at once.
    assert "Slowmode" in await deferred_answer(stack, slowmode)
    assert "Done: case #" in await deferred_answer(stack, note)
    await asyncio.to_thread(holder.join, 10)
    assert server.slowmode(ids.general) > 0
