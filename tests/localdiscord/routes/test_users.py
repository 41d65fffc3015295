"""Users: opening a DM channel, and members whose DMs are closed."""

from __future__ import annotations

import discord

from primum.localdiscord import LocalDiscord, PhysicianServer
from tests.localdiscord.botkit import TinyBot


async def test_dm_and_closed_dms(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    doc = world.physician_ids[4]
    server.user_says(doc, world.general, "dm me")
    dm = await server.wait_dm(doc)
    assert dm.content == "Hello from the bot, in private." and dm.guild_id is None
    assert server.dms_to(doc) == [dm]
    other = world.physician_ids[5]
    server.close_dms(other)
    server.user_says(other, world.general, "dm me")
    await server.wait_for(lambda: bot.dm_errors == [50007])
    assert server.dms_to(other) == []
    server.user_dms_bot(doc, "thanks")
    await server.wait_for(lambda: bot.seen[-1].content == "thanks")
    assert isinstance(bot.seen[-1].channel, discord.DMChannel)
