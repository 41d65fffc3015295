"""The discord.py side of the harness: the error guard fails a test on any ERROR log."""

from __future__ import annotations

import pytest

from primum.localdiscord import LocalDiscord, PhysicianServer
from primum.localdiscord.client import DiscordErrorGuard
from tests.localdiscord.botkit import TinyBot


async def test_error_guard_catches_listener_exception(server: LocalDiscord, world: PhysicianServer,
                                                      bot: TinyBot, guard: DiscordErrorGuard) -> None:
    server.user_says(world.physician_ids[0], world.general, "boom")
    await server.wait_for(lambda: guard.records)
    assert "listener exploded" in guard.format_all()
    with pytest.raises(AssertionError, match="ERROR log"):
        guard.check()
    guard.records.clear()
