"""Interaction webhooks: the first followup after a deferral replaces the "thinking" message."""

from __future__ import annotations

import discord
import pytest

from primum.localdiscord import ControlError, LocalDiscord, PhysicianServer
from tests.localdiscord.botkit import TinyBot


async def test_deferred_followup_and_slowmode_in_cache(server: LocalDiscord, world: PhysicianServer,
                                                       bot: TinyBot) -> None:
    rec = server.invoke_slash(world.owner_id, "slow", {"seconds": 30})
    reply = await server.wait_message(world.general, predicate=lambda m: "Slowmode" in m.content)
    assert rec.response_type == 5 and reply.id == rec.original_message_id  # the followup replaced "thinking…"
    assert server.slowmode(world.general) == 30
    channel = bot.get_channel(world.general)
    assert isinstance(channel, discord.TextChannel)
    await server.wait_for(lambda: channel.slowmode_delay == 30)
    with pytest.raises(ControlError, match="max_value"):
        server.invoke_slash(world.owner_id, "slow", {"seconds": 30000})
    with pytest.raises(discord.HTTPException) as info:
        await bot.http.edit_channel(world.general, rate_limit_per_user=30000)
    assert info.value.code == 50035
