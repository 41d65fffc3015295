"""Guilds: bans (with the banned member's recent messages deleted), unbans and kicks."""

from __future__ import annotations

import discord

from primum.localdiscord import LocalDiscord, PhysicianServer
from tests.localdiscord.botkit import TinyBot


async def test_kick_ban_and_unban(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    guild = bot.get_guild(world.guild_id)
    assert guild is not None
    troll, other = world.physician_ids[8], world.physician_ids[9]
    old = server.user_says(troll, world.general, "spam spam")
    await guild.ban(discord.Object(troll), reason="harassment", delete_message_seconds=3600)
    assert server.guild.bans[troll] == "harassment"
    assert server.world.messages[old.id].deleted
    await server.wait_for(lambda: guild.get_member(troll) is None)
    await guild.unban(discord.Object(troll))
    assert troll not in server.guild.bans
    await guild.kick(discord.Object(other))
    await server.wait_for(lambda: other in bot.left)
