"""Foundation end to end: connect, commands registered and answered, messages, resume, 429."""

from __future__ import annotations

import asyncio

import pytest

from primum.demo.stack import Stack

pytestmark = pytest.mark.e2e


async def test_bot_connects_registers_commands_and_records_ready(stack: Stack) -> None:
    assert stack.bot is not None and stack.bot.is_ready()
    ready = stack.events.of_type("ready")
    assert ready and ready[-1]["guilds"] == [stack.seeded.guild_id]
    names = {command["name"] for command in stack.server.global_commands}
    assert {"about", "status"} <= names
    guild = stack.bot.get_guild(stack.seeded.guild_id)
    assert guild is not None and guild.get_channel(stack.seeded.general) is not None


async def test_status_is_answered_privately(stack: Stack) -> None:
    ids = stack.seeded
    record = stack.server.invoke_slash(ids.user("Dr. Amara Okafor"), "status", {}, channel_id=ids.general)
    await stack.server.wait_interaction_response(record)
    response = record.response
    assert response is not None and response.ephemeral
    assert "Be-kind model: **ready** (fake-keywords-1)" in response.content
    assert "Database schema:" in response.content
    assert stack.events.of_type("command")[-1]["name"] == "status"


async def test_about_states_the_creed(stack: Stack) -> None:
    ids = stack.seeded
    record = stack.server.invoke_slash(ids.user("Dr. Grace Mensah"), "about", {}, channel_id=ids.general)
    await stack.server.wait_interaction_response(record)
    assert record.response is not None and record.response.ephemeral
    assert "It's not OK to belittle, gaslight or act maliciously" in record.response.content


async def test_a_member_message_reaches_the_bot(stack: Stack) -> None:
    assert stack.bot is not None
    ids = stack.seeded
    received = asyncio.get_running_loop().create_future()

    async def listener(message) -> None:
        # only the member's message: the bot's own posts after connecting can land first on a busy machine
        if message.author.id != stack.bot.user.id and not received.done():
            received.set_result(message)

    stack.bot.add_listener(listener, "on_message")
    stack.server.user_says(ids.user("Dr. Jonas Berg"), ids.channel("clinical-cases"), "Lactate trending down, 2.1")
    message = await asyncio.wait_for(received, timeout=5)
    assert message.content == "Lactate trending down, 2.1"
    assert message.author.id == ids.user("Dr. Jonas Berg")
    assert message.channel.id == ids.channel("clinical-cases")


async def test_dropped_connection_resumes_without_losing_events(stack: Stack) -> None:
    assert stack.bot is not None
    ids = stack.seeded
    seen: list[str] = []
    author = ids.user("Dr. Mei-Lin Chen")

    async def listener(message) -> None:
        if message.author.id == author:
            seen.append(message.content)

    stack.bot.add_listener(listener, "on_message")
    stack.server.gateway.pause()
    await stack.server.drop_connection(4000)
    for n in range(5):
        stack.server.user_says(author, ids.general, f"while away {n}")
    stack.server.gateway.unpause()
    await stack.server.wait_for(lambda: len(seen) >= 5, timeout=10)
    assert seen == [f"while away {n}" for n in range(5)]
    assert stack.bot.is_ready()


async def test_a_429_on_a_command_answer_is_waited_out(stack: Stack) -> None:
    ids = stack.seeded
    stack.server.fail_next("POST", r"/interactions/\d+/[^/]+/callback", 429, retry_after=0.3)
    record = stack.server.invoke_slash(ids.user("Dr. Amara Okafor"), "about", {}, channel_id=ids.general)
    await stack.server.wait_interaction_response(record, timeout=5)
    assert record.response is not None and "be kind" in record.response.content.lower()
    callbacks = stack.server.requests_to("POST", r"/interactions/\d+/[^/]+/callback")
    assert [r.status for r in callbacks][-2:] == [429, 204] or [r.status for r in callbacks][-2:] == [429, 200]
