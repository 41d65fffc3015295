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

import pytest

from primum.demo.stack import Stack, settings_for
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
