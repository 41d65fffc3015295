"""The HTTP control API: act as a member and read the state from another process."""

from __future__ import annotations

import aiohttp

from primum.localdiscord import LocalDiscord, PhysicianServer
from tests.localdiscord.botkit import TinyBot


async def test_http_control_api(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    async with aiohttp.ClientSession() as session:
        body = {"user_id": world.physician_ids[0], "channel_id": world.general, "content": "ping"}
        async with session.post(f"{server.http_url}/_control/user_says", json=body) as resp:
            assert resp.status == 200 and (await resp.json())["ok"]
        async with session.get(f"{server.http_url}/_control/state") as resp:
            state = await resp.json()
    assert state["connected"] and "general" in state["guild"]["channels"]
    assert (await server.wait_message(world.general)).content == "pong"
