"""Slash commands, components, modals, context menus and autocomplete through the real client."""

from __future__ import annotations

import aiohttp
import discord
import pytest

from primum.localdiscord import ControlError, LocalDiscord, PhysicianServer
from primum.localdiscord.client import DiscordErrorGuard
from tests.localdiscord.botkit import PNG, TinyBot


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


async def test_modal_open_and_submit(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    doc = world.physician_ids[2]
    opened = await server.wait_interaction_response(server.invoke_slash(doc, "report"))
    assert opened.modal is not None and opened.modal["title"] == "Report a concern"
    custom_id = _first_input(opened.modal)
    with pytest.raises(ControlError, match="shorter"):
        server.submit_modal(opened, {custom_id: "abc"})
    submitted = await server.wait_interaction_response(
        server.submit_modal(opened, {custom_id: "Insulting a colleague"}))
    message = server.world.messages[submitted.original_message_id]  # type: ignore[index]
    assert message.ephemeral and message.content == "Report received: Insulting a colleague"


def _first_input(modal: dict[str, object]) -> str:
    for comp in modal["components"]:  # type: ignore[attr-defined]
        inner = comp.get("component") or comp["components"][0]
        return str(inner["custom_id"])
    raise AssertionError("no input")


async def test_button_click_updates_message(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    started = await server.wait_interaction_response(server.invoke_slash(world.physician_ids[0], "vote"))
    message_id = started.original_message_id
    assert message_id is not None
    clicked = await server.wait_interaction_response(server.click_button(world.physician_ids[3], message_id,
                                                                         "vote:agree"))
    assert clicked.response_type == 7
    assert server.world.messages[message_id].content == "1 vote(s)"
    await server.wait_for(lambda: ("0 vote(s)", "1 vote(s)") in bot.edits)
    with pytest.raises(ControlError, match="no component"):
        server.click_button(world.physician_ids[3], message_id, "vote:nope")


async def test_purge_uses_history_and_bulk_delete(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    said = [server.user_says(uid, world.general, "spam").id for uid in world.physician_ids[:3]]
    rec = server.invoke_slash(world.owner_id, "purge", {"count": 3})
    done = await server.wait_message(world.general, predicate=lambda m: m.content.startswith("Deleted"))
    assert done.content == "Deleted 3" and done.ephemeral and done.id == rec.original_message_id
    assert all(server.world.messages[i].deleted for i in said)
    assert server.requests_to("POST", r"/messages/bulk-delete$")


async def test_chart_attachment_and_embed(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    rec = await server.wait_interaction_response(server.invoke_slash(world.owner_id, "chart"))
    msg = server.world.messages[rec.original_message_id]  # type: ignore[index]
    assert msg.attachments[0].filename == "chart.png" and msg.attachments[0].data == PNG
    assert msg.embeds[0]["image"]["url"] == msg.attachments[0].url
    async with aiohttp.ClientSession() as session, session.get(msg.attachments[0].url) as resp:
        assert await resp.read() == PNG


async def test_autocomplete_and_context_menus(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    doc = world.physician_ids[0]
    auto = await server.wait_interaction_response(server.autocomplete(doc, "condition", {"name": "dia"}, "name"))
    assert [c["value"] for c in auto.choices or []] == ["diabetes insipidus", "diabetes mellitus"]
    user_cmd = await server.wait_interaction_response(
        server.invoke_user_command(doc, "Report user", world.physician_ids[1]))
    assert server.world.messages[user_cmd.original_message_id].content == "Reported Dr. Rajesh Patel"  # type: ignore[index]
    said = server.user_says(world.physician_ids[1], world.general, "questionable take")
    flagged = await server.wait_interaction_response(server.invoke_message_command(doc, "Flag message", said.id))
    assert server.world.messages[flagged.original_message_id].content == "Flagged: questionable take"  # type: ignore[index]


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
