"""Scripted REST faults: 429s are waited out, scripted 403s surface, slow answers arrive after the effect."""

from __future__ import annotations

import asyncio
import time

import discord
import pytest

from primum.localdiscord import LocalDiscord, PhysicianServer
from primum.localdiscord.faults import FaultPlan
from tests.localdiscord.botkit import TinyBot


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


async def test_a_slow_answer_arrives_late_but_the_message_exists_at_once(server: LocalDiscord,
                                                                        world: PhysicianServer, bot: TinyBot) -> None:
    server.slow_next("POST", rf"/channels/{world.general}/messages$", 0.5)
    started = time.monotonic()
    server.user_says(world.physician_ids[0], world.general, "ping")
    await server.wait_for(lambda: any(m.content == "pong" for m in server.bot_messages(world.general)), timeout=2)
    assert time.monotonic() - started < 0.5  # the message exists before its answer is sent
    await asyncio.sleep(0.8)  # let the late answer reach the bot before the server stops


def test_a_fault_is_used_up_by_the_requests_it_matches() -> None:
    plan = FaultPlan()
    plan.fail("*", r"/messages$", 403, 50013, None, None, False, 2)
    plan.delay("post", r"/typing$", 0.25, 1)
    assert plan.take_failure("GET", "/channels/1/typing") is None  # another path: nothing used up
    first = plan.take_failure("POST", "/channels/1/messages")
    assert first is not None and first.response() == ({"message": "403: scripted failure", "code": 50013}, {})
    assert plan.take_failure("DELETE", "/channels/1/messages") is first  # "*" matches any method
    assert plan.take_failure("POST", "/channels/1/messages") is None
    assert plan.take_delay("GET", "/channels/1/typing") == 0.0  # the delay was scripted for POST only
    assert plan.take_delay("POST", "/channels/1/typing") == 0.25
    assert plan.take_delay("POST", "/channels/1/typing") == 0.0


def test_a_scripted_429_says_how_long_to_wait() -> None:
    plan = FaultPlan()
    plan.fail("POST", r"/messages$", 429, 0, None, 1.5, True, 1)
    failure = plan.take_failure("POST", "/channels/1/messages")
    assert failure is not None
    body, headers = failure.response()
    assert body["retry_after"] == 1.5 and body["global"] is True
    assert headers["Retry-After"] == "1.5" and headers["X-RateLimit-Scope"] == "global"
    plan.fail("POST", r"/messages$", 500, 0, "boom", None, False, 1)
    plan.clear()
    assert plan.take_failure("POST", "/channels/1/messages") is None
