"""Channels: permission overwrites reach the bot's cache; guild-only changes are refused on DM channels."""

from __future__ import annotations

import discord
import pytest
from discord.http import Route

from primum.localdiscord import LocalDiscord, PhysicianServer
from primum.localdiscord.ids import Perm
from tests.localdiscord.botkit import TinyBot


async def test_overwrites_change_what_a_member_may_do(server: LocalDiscord, world: PhysicianServer,
                                                      bot: TinyBot) -> None:
    doc = world.physician_ids[0]
    channel = bot.get_channel(world.general)
    assert isinstance(channel, discord.TextChannel)
    member = channel.guild.get_member(doc)
    assert member is not None and channel.permissions_for(member).send_messages
    overwrite = Route("PUT", "/channels/{channel_id}/permissions/{overwrite_id}", channel_id=world.general,
                      overwrite_id=doc)
    await bot.http.request(overwrite, json={"type": 1, "allow": 0, "deny": int(Perm.SEND_MESSAGES)})
    assert not server.world.channel_permissions(world.general, doc) & Perm.SEND_MESSAGES
    await server.wait_for(lambda: not channel.permissions_for(member).send_messages)
    await bot.http.delete_channel_permissions(world.general, doc)
    assert server.world.channel_permissions(world.general, doc) & Perm.SEND_MESSAGES
    await server.wait_for(lambda: channel.permissions_for(member).send_messages)


async def test_dm_channels_refuse_guild_only_changes(server: LocalDiscord, world: PhysicianServer,
                                                    bot: TinyBot) -> None:
    dm = server.dm_channel(world.physician_ids[0])
    with pytest.raises(discord.Forbidden) as info:
        await bot.http.edit_channel(dm.id, rate_limit_per_user=10)
    assert info.value.code == 50003
    with pytest.raises(discord.NotFound) as missing:
        await bot.http.get_channel(1)
    assert missing.value.code == 10003
