"""Messages, DMs, moderation REST, rate limits, OpenAPI validation and the error guard."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp
import discord
import pytest
from discord.http import Route

from primum.localdiscord import LocalDiscord, PhysicianServer
from primum.localdiscord.client import DiscordErrorGuard
from tests.localdiscord.botkit import TinyBot


async def test_message_reply(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    said = server.user_says(world.physician_ids[0], world.general, "ping")
    reply = await server.wait_message(world.general)
    assert reply.content == "pong" and reply.reference_id == said.id and reply.type == 19
    assert world.physician_ids[0] in reply.mention_ids  # replies ping the author by default
    seen = bot.seen[-1]
    assert seen.id == said.id and seen.author.display_name == "Dr. Amara Okafor"
    assert isinstance(seen.author, discord.Member)


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


async def test_429_is_waited_out(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    server.fail_next("POST", rf"/channels/{world.general}/messages$", 429, retry_after=0.2)
    started = time.monotonic()
    server.user_says(world.physician_ids[0], world.general, "ping")
    assert (await server.wait_message(world.general)).content == "pong"
    assert time.monotonic() - started >= 0.2
    attempts = server.requests_to("POST", rf"/channels/{world.general}/messages$")
    assert [r.status for r in attempts] == [429, 200]


async def test_scripted_403_and_permission_checks(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    server.fail_next("DELETE", r"/messages/\d+$", 403, 50013, message="Missing Permissions")
    msg = server.user_says(world.physician_ids[0], world.general, "rude")
    with pytest.raises(discord.Forbidden) as info:
        await bot.http.delete_message(world.general, msg.id)
    assert info.value.code == 50013
    await bot.http.delete_message(world.general, msg.id)
    assert server.world.messages[msg.id].deleted
    with pytest.raises(discord.NotFound) as missing:
        await bot.http.get_message(world.general, msg.id)
    assert missing.value.code == 10008
    guild = bot.get_guild(world.guild_id)
    assert guild is not None
    with pytest.raises(discord.Forbidden):
        await guild.kick(discord.Object(world.owner_id))


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


async def test_edit_pin_thread_and_history(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    channel = bot.get_channel(world.channel("clinical-cases"))
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("Case of the week", allowed_mentions=discord.AllowedMentions.none())
    await sent.edit(content="Case of the week: atypical chest pain")
    await sent.pin()
    assert server.world.messages[sent.id].pinned
    thread = await sent.create_thread(name="Discussion")
    assert server.world.channels[thread.id].parent_id == channel.id
    await thread.send("Thoughts?")
    server.user_says(world.physician_ids[0], channel.id, "Consider aortic dissection")
    history = [m.content async for m in channel.history(limit=10)]
    assert history[0] == "Consider aortic dissection" and history[-1].startswith("Case of the week:")
    original = server.user_says(world.physician_ids[1], channel.id, "typo")
    server.user_edits(original.id, "fixed")
    await server.wait_for(lambda: ("typo", "fixed") in bot.edits)
    with pytest.raises(discord.Forbidden):
        await bot.http.request(Route("PATCH", "/channels/{channel_id}/messages/{message_id}",
                                     channel_id=channel.id, message_id=original.id), json={"content": "x"})


async def test_openapi_validator_catches_bad_requests(server: LocalDiscord, world: PhysicianServer,
                                                     bot: TinyBot) -> None:
    with pytest.raises(discord.HTTPException) as bad_body:
        await bot.http.request(Route("POST", "/channels/{channel_id}/messages", channel_id=world.general),
                               json={"content": 42, "embeds": "nope"})
    assert bad_body.value.code == 50035
    with pytest.raises(discord.HTTPException):
        await bot.http.request(Route("GET", "/channels/{channel_id}/messages", channel_id=world.general),
                               params={"limit": 500})
    with pytest.raises(discord.HTTPException):
        await bot.http.request(Route("POST", "/channels/{channel_id}/frobnicate", channel_id=world.general))
    problems = [v.problem for v in server.take_spec_violations()]
    assert any("body content" in p for p in problems)
    assert any("body embeds" in p for p in problems)
    assert any("limit" in p for p in problems)
    assert "route is not in Discord's API" in problems


async def test_error_guard_catches_listener_exception(server: LocalDiscord, world: PhysicianServer,
                                                      bot: TinyBot, guard: DiscordErrorGuard) -> None:
    server.user_says(world.physician_ids[0], world.general, "boom")
    await server.wait_for(lambda: guard.records)
    assert "listener exploded" in guard.format_all()
    with pytest.raises(AssertionError, match="ERROR log"):
        guard.check()
    guard.records.clear()


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


async def test_http_control_api(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    async with aiohttp.ClientSession() as session:
        body = {"user_id": world.physician_ids[0], "channel_id": world.general, "content": "ping"}
        async with session.post(f"{server.http_url}/_control/user_says", json=body) as resp:
            assert resp.status == 200 and (await resp.json())["ok"]
        async with session.get(f"{server.http_url}/_control/state") as resp:
            state = await resp.json()
    assert state["connected"] and "general" in state["guild"]["channels"]
    assert (await server.wait_message(world.general)).content == "pong"


async def test_history_with_after_and_limit_like_discord(server: LocalDiscord, world: PhysicianServer,
                                                         bot: TinyBot) -> None:
    said = [server.user_says(world.physician_ids[1], world.general, f"m{n}") for n in range(6)]
    ids = [m.id for m in said]
    # after + limit: the `limit` oldest messages after the id, newest first (as Discord answers).
    page = await bot.http.logs_from(world.general, 2, after=ids[1])
    assert [int(m["id"]) for m in page] == [ids[3], ids[2]]
    # limit alone: the newest ones.
    newest = await bot.http.logs_from(world.general, 2)
    assert [int(m["id"]) for m in newest] == [ids[5], ids[4]]
    channel = bot.get_channel(world.general)
    assert isinstance(channel, discord.TextChannel)
    after = discord.Object(ids[2])
    assert [m.id async for m in channel.history(limit=10, after=after)] == ids[3:]  # oldest first
    assert [m.id async for m in channel.history(limit=2, after=after, oldest_first=False)] == [ids[5], ids[4]]
    assert server.take_spec_violations() == []


async def test_a_slow_answer_arrives_late_but_the_message_exists_at_once(server: LocalDiscord,
                                                                        world: PhysicianServer, bot: TinyBot) -> None:
    server.slow_next("POST", rf"/channels/{world.general}/messages$", 0.5)
    started = time.monotonic()
    server.user_says(world.physician_ids[0], world.general, "ping")
    await server.wait_for(lambda: any(m.content == "pong" for m in server.bot_messages(world.general)), timeout=2)
    assert time.monotonic() - started < 0.5  # the message exists before its answer is sent
    await asyncio.sleep(0.8)  # let the late answer reach the bot before the server stops
