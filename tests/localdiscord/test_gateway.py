"""Connecting, caching, surviving drops, and content gating: the gateway half of the local Discord."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp
import discord
import pytest

from primum.localdiscord import LocalDiscord, PhysicianServer
from primum.localdiscord.client import point_discord_py_at
from tests.localdiscord.botkit import TinyBot


async def test_connects_and_caches_the_guild(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    guild = bot.get_guild(world.guild_id)
    assert guild is not None and guild.name == "Primum Physicians"
    assert guild.member_count == len(guild.members) == len(server.guild.members)
    assert {c.name for c in guild.text_channels} >= {"general", "mod-log", "review-queue", "transparency"}
    assert guild.owner_id == world.owner_id
    assert guild.me.guild_permissions.moderate_members
    assert not guild.get_channel(world.review_queue).permissions_for(  # type: ignore[union-attr]
        guild.get_member(world.physician_ids[0])  # type: ignore[arg-type]
    ).view_channel
    assert bot.user is not None and bot.user.id == server.bot_user_id
    assert bot.application_id == server.application_id
    assert server.gateway.compressions == ["zlib-stream"]
    assert {c["name"] for c in server.global_commands} >= {"echo", "slow", "role", "Report user"}
    assert [c["name"] for c in server.guild.commands] == ["guildping"]
    await server.wait_for(lambda: server.gateway.heartbeat_count >= 1)


async def test_resume_replays_events_sent_while_disconnected(server: LocalDiscord, world: PhysicianServer,
                                                             bot: TinyBot) -> None:
    server.gateway.pause()
    await server.drop_connection(4000)
    await server.wait_for(lambda: not server.gateway.connected)
    sent = [server.user_says(uid, world.general, f"while away {i}").id for i, uid in enumerate(world.physician_ids[:3])]
    server.gateway.unpause()
    await server.wait_for(lambda: bot.resumed == 1)
    await server.wait_for(lambda: [m.id for m in bot.seen] == sent)
    assert server.gateway.identify_count == 1 and server.gateway.resume_count == 1


async def test_op7_reconnect_resumes(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    await server.send_reconnect()
    await server.wait_for(lambda: server.gateway.resume_count == 1)
    server.user_says(world.physician_ids[0], world.general, "ping")
    assert (await server.wait_message(world.general)).content == "pong"


async def test_op9_invalid_session_reidentifies(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    await server.invalidate_session(resumable=False)
    await server.wait_for(lambda: server.gateway.identify_count == 2)
    await server.wait_connected()
    server.user_says(world.physician_ids[0], world.general, "ping")
    assert (await server.wait_message(world.general)).content == "pong"


async def test_bad_token_is_refused(server: LocalDiscord, world: PhysicianServer) -> None:
    client = TinyBot(world.guild_id)
    with point_discord_py_at(server), pytest.raises(discord.LoginFailure):
        await client.start("not-the-token")
    await client.close()


async def test_raw_gateway_zlib_stream_and_4004(server: LocalDiscord) -> None:
    inflator = zlib.decompressobj()
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(server.gateway_base + "?v=10&encoding=json&compress=zlib-stream") as ws:
            hello = json.loads(inflator.decompress(await ws.receive_bytes()))
            assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] == 500
            await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 0, "properties": {}}})
            msg = await ws.receive()
            assert msg.type is aiohttp.WSMsgType.CLOSE and msg.data == 4004
        async with session.ws_connect(server.gateway_base + "?v=10&encoding=json&compress=zstd-stream") as ws:
            assert (await ws.receive_json())["op"] == 10  # text fallback for zstd


async def test_content_intent_gating(server: LocalDiscord, world: PhysicianServer) -> None:
    intents = discord.Intents.default()
    intents.members = True
    from primum.localdiscord.client import fast_client_kwargs, running

    client = discord.Client(intents=intents, **fast_client_kwargs())
    got: list[str] = []
    client.event(_collector(got))
    async with running(client, server):
        server.user_says(world.physician_ids[0], world.general, "secret text")
        server.user_says(world.physician_ids[0], world.general, f"hey <@{server.bot_user_id}>")
        await server.wait_for(lambda: len(got) == 2)
    assert got == ["", f"hey <@{server.bot_user_id}>"]


def _collector(into: list[str]) -> Callable[[discord.Message], Coroutine[Any, Any, None]]:
    async def on_message(message: discord.Message) -> None:
        into.append(message.content)

    return on_message
