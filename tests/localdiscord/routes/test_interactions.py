"""Interaction callbacks: immediate and ephemeral responses, a second acknowledgement, the 3-second deadline."""

from __future__ import annotations

import aiohttp
import discord

from primum.localdiscord import LocalDiscord, PhysicianServer
from primum.localdiscord.client import DiscordErrorGuard
from tests.localdiscord.botkit import TinyBot


async def test_immediate_and_ephemeral_responses(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    doc = world.physician_ids[0]
    public = await server.wait_interaction_response(server.invoke_slash(doc, "echo", {"text": "hello"}))
    assert public.response_type == 4 and not public.response.ephemeral  # type: ignore[union-attr]
    original = server.world.messages[public.original_message_id]  # type: ignore[index]
    assert original.content == "hello" and original.webhook_id == server.application_id
    # The bot parses its own interaction response from MESSAGE_CREATE, metadata included.
    await server.wait_for(lambda: any(m.id == original.id for m in bot.all_messages))
    parsed = next(m for m in bot.all_messages if m.id == original.id)
    assert parsed.interaction_metadata is not None and parsed.interaction_metadata.user.id == doc
    assert parsed.interaction_metadata.type is discord.InteractionType.application_command
    private = await server.wait_interaction_response(
        server.invoke_slash(doc, "echo", {"text": "psst", "private": True}))
    assert private.response.ephemeral  # type: ignore[union-attr]
    assert [m.content for m in server.bot_messages(world.general) if not m.ephemeral] == ["hello"]
    guild_cmd = await server.wait_interaction_response(server.invoke_slash(doc, "guildping"))
    assert server.world.messages[guild_cmd.original_message_id].content == "guild pong"  # type: ignore[index]


async def test_double_ack_and_deadline(server: LocalDiscord, world: PhysicianServer, bot: TinyBot,
                                       guard: DiscordErrorGuard) -> None:
    rec = await server.wait_interaction_response(server.invoke_slash(world.owner_id, "echo", {"text": "once"}))
    url = f"{server.api_base}/interactions/{rec.id}/{rec.token}/callback"
    async with aiohttp.ClientSession() as session, session.post(url, json={"type": 4, "data": {"content": "x"}}) as r:
        assert r.status == 400 and (await r.json())["code"] == 40060
    guard.allow(r"Ignoring exception in command 'echo'")
    server.interaction_deadline = 0.0
    late = server.invoke_slash(world.owner_id, "echo", {"text": "too late"})
    answered = await server.wait_request("POST", rf"/interactions/{late.id}/")
    assert answered.status == 404 and answered.response["code"] == 10062
    assert not late.acked
