"""Fixtures: a started local Discord with the physician server, and a connected TinyBot."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from primum.localdiscord import LocalDiscord, PhysicianServer, seed_physician_server
from primum.localdiscord.client import DiscordErrorGuard, point_discord_py_at, start_client, stop_client
from tests.localdiscord.botkit import TinyBot


@pytest.fixture
async def server() -> AsyncIterator[LocalDiscord]:
    async with LocalDiscord(heartbeat_interval_ms=500, validate=True) as srv:
        yield srv
        srv.assert_clean()


@pytest.fixture
def world(server: LocalDiscord) -> PhysicianServer:
    return seed_physician_server(server)


@pytest.fixture
def guard() -> Iterator[DiscordErrorGuard]:
    with DiscordErrorGuard() as g:
        yield g
    g.check()


@pytest.fixture
async def bot(server: LocalDiscord, world: PhysicianServer, guard: DiscordErrorGuard) -> AsyncIterator[TinyBot]:
    client = TinyBot(world.guild_id)
    with point_discord_py_at(server):
        task = await start_client(client, server)
        try:
            yield client
        finally:
            await stop_client(client, task)
