"""Message bodies: uploaded files and embeds that point at them."""

from __future__ import annotations

import aiohttp

from primum.localdiscord import LocalDiscord, PhysicianServer
from tests.localdiscord.botkit import PNG, TinyBot


async def test_chart_attachment_and_embed(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    rec = await server.wait_interaction_response(server.invoke_slash(world.owner_id, "chart"))
    msg = server.world.messages[rec.original_message_id]  # type: ignore[index]
    assert msg.attachments[0].filename == "chart.png" and msg.attachments[0].data == PNG
    assert msg.embeds[0]["image"]["url"] == msg.attachments[0].url
    async with aiohttp.ClientSession() as session, session.get(msg.attachments[0].url) as resp:
        assert await resp.read() == PNG
