"""Members: timeouts (refused for the owner) and role changes, reflected in the bot's cache."""

from __future__ import annotations

import discord
import pytest

from primum.localdiscord import ControlError, LocalDiscord, PhysicianServer
from tests.localdiscord.botkit import TinyBot


async def test_timeout_reflected_and_refused_for_owner(server: LocalDiscord, world: PhysicianServer,
                                                       bot: TinyBot) -> None:
    mod = next(iter(world.moderators.values()))
    target = world.physician_ids[1]
    await server.wait_interaction_response(server.invoke_slash(mod, "timeout", {"member": target, "minutes": 10}))
    assert server.timeout_until(target) is not None
    request = server.requests_to("PATCH", rf"/members/{target}$")[0]
    assert request.reason == "cooling off"
    guild = bot.get_guild(world.guild_id)
    assert guild is not None
    await server.wait_for(lambda: guild.get_member(target).is_timed_out())  # type: ignore[union-attr]
    with pytest.raises(ControlError, match="timed out"):
        server.user_says(target, world.general, "let me speak")
    refused = await server.wait_interaction_response(
        server.invoke_slash(mod, "timeout", {"member": world.owner_id, "minutes": 10}))
    assert server.world.messages[refused.original_message_id].content == "Cannot: 50013"  # type: ignore[index]
    with pytest.raises(ControlError, match="needs permissions"):
        server.invoke_slash(world.physician_ids[0], "timeout", {"member": target, "minutes": 1})


async def test_role_add_and_remove(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    member_id = world.members["Alex Kim"]
    verified = world.roles["Verified Physician"]
    await server.wait_interaction_response(
        server.invoke_slash(world.owner_id, "role add", {"member": member_id, "role": verified}))
    assert "Verified Physician" in server.role_names(member_id)
    guild = bot.get_guild(world.guild_id)
    assert guild is not None
    await server.wait_for(lambda: verified in [r.id for r in guild.get_member(member_id).roles])  # type: ignore[union-attr]
    await server.wait_interaction_response(
        server.invoke_slash(world.owner_id, "role remove", {"member": member_id, "role": verified}))
    await server.wait_for(lambda: verified not in [r.id for r in guild.get_member(member_id).roles])  # type: ignore[union-attr]
    with pytest.raises(discord.Forbidden):  # Owner/Admin is above the bot's role
        await guild.get_member(member_id).add_roles(discord.Object(world.roles["Owner/Admin"]))  # type: ignore[union-attr]
