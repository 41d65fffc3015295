"""Messages: replies, edits, pins, threads from a message, history paging and bulk deletion."""

from __future__ import annotations

import discord
import pytest
from discord.http import Route

from primum.localdiscord import LocalDiscord, PhysicianServer
from tests.localdiscord.botkit import TinyBot


async def test_message_reply(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    said = server.user_says(world.physician_ids[0], world.general, "ping")
    reply = await server.wait_message(world.general)
    assert reply.content == "pong" and reply.reference_id == said.id and reply.type == 19
    assert world.physician_ids[0] in reply.mention_ids  # replies ping the author by default
    seen = bot.seen[-1]
    assert seen.id == said.id and seen.author.display_name == "Dr. Amara Okafor"
    assert isinstance(seen.author, discord.Member)


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


async def test_purge_uses_history_and_bulk_delete(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    said = [server.user_says(uid, world.general, "spam").id for uid in world.physician_ids[:3]]
    rec = server.invoke_slash(world.owner_id, "purge", {"count": 3})
    done = await server.wait_message(world.general, predicate=lambda m: m.content.startswith("Deleted"))
    assert done.content == "Deleted 3" and done.ephemeral and done.id == rec.original_message_id
    assert all(server.world.messages[i].deleted for i in said)
    assert server.requests_to("POST", r"/messages/bulk-delete$")
