"""What /heat shows: the view from a live service, its text, its chart and the step markers."""

import asyncio
from pathlib import Path

import pytest

from primum.services.heat_view import describe, render_chart, step_markers
from tests.services.deescalation_world import ALICE, BOB, CHANNEL, GUILD, heated_exchange, running_world


@pytest.fixture
async def world(tmp_path: Path):
    async with running_world(tmp_path / "p.sqlite3") as w:
        yield w


async def test_heat_view_text_and_chart(world):
    await heated_exchange(world)
    view = await world.service.heat_view(GUILD, CHANNEL)
    assert view.heat > 1.5 and view.level >= 2 and view.members[0][0] in {ALICE, BOB}
    text = describe(view, {ALICE: "Dr Alice"})
    assert "Heat in" in text and "slowmode lifts <t:" in text
    steps = [step for _, step in view.steps]
    assert steps[:2] == ["notice", "slowmode"]  # chart markers where the ladder fired, oldest first
    png = await asyncio.to_thread(render_chart, view)
    assert png.startswith(b"\x89PNG") and len(png) > 2_000



def test_step_markers_keep_ladder_steps_of_the_channel_in_the_window_oldest_first():
    from datetime import UTC, datetime, timedelta

    from primum.storage.deescalation import LogEntry

    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)

    def entry(action: str, minutes_ago: float, channel: int = CHANNEL) -> LogEntry:
        return LogEntry(0, GUILD, channel, None, action, None, "r", {}, now - timedelta(minutes=minutes_ago), None)

    entries = [entry("slowmode", 5), entry("heat_notice", 10), entry("slowmode_lifted", 1), entry("config", 2),
               entry("mod_alert", 40), entry("cooldown", 3, channel=CHANNEL + 1), entry("thread_suggested", 4)]
    markers = step_markers(entries, CHANNEL, now - timedelta(minutes=30))
    assert markers == [(now - timedelta(minutes=10), "notice"), (now - timedelta(minutes=5), "slowmode"),
                       (now - timedelta(minutes=4), "thread")]
