"""Faults end to end: Primum as a killable process, SIGKILLed in the middle of a burst of nudges.

The local Discord answers every bot message 3 s late (after the message exists), so the kill
lands while many DMs have been sent but not yet recorded as delivered. After the restart every
nudge must reach its author exactly once.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from primum.demo.stack import Stack, settings_for
from primum.inference.fake import FakeScorer
from primum.localdiscord.client import DiscordErrorGuard
from primum.services.kindness import NUDGE_WINDOW_KEY
from primum.storage import Database, GuildSettingsRepository

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
