"""What the bot's REST requests looked like to members: a notice, a DM, a slowmode, a timeout."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from primum.localdiscord.models import ChannelType, RequestRecord
from primum.localdiscord.world import World

MENTION = re.compile(r"<@!?(\d+)>")
CHANNEL = re.compile(r"<#(\d+)>")


def describe_request(record: RequestRecord, world: World) -> str | None:
    """One line for a request members would notice; None for bookkeeping (commands, reads, failures)."""
    if record.status >= 400 or record.route is None:
        return None
    body: Mapping[str, Any] = record.json if isinstance(record.json, dict) else {}
    params = _route_params(record)
    if record.method == "POST" and record.route == "/channels/{channel_id}/messages":
        return f"→ {_where(world, int(params['channel_id']))}: {_text(body, world)}"
    if record.method == "PATCH" and record.route == "/channels/{channel_id}" and "rate_limit_per_user" in body:
        seconds = body["rate_limit_per_user"]
        where = _where(world, int(params["channel_id"]))
        return f"set slowmode on {where} to {seconds} s" if seconds else f"lifted slowmode on {where}"
    if record.method == "DELETE" and record.route == "/channels/{channel_id}/messages/{message_id}":
        return f"removed a message in {_where(world, int(params['channel_id']))}"
    if record.method == "PATCH" and record.route == "/guilds/{guild_id}/members/{user_id}" \
            and "communication_disabled_until" in body:
        who = _name(world, int(params["user_id"]))
        until = body["communication_disabled_until"]
        return f"timed out {who} until {until}" if until else f"lifted the timeout of {who}"
    return None


def _route_params(record: RequestRecord) -> dict[str, str]:
    assert record.route is not None
    template = record.route.strip("/").split("/")
    path = record.path.strip("/").split("/")[-len(template):]
    return {t[1:-1]: p for t, p in zip(template, path, strict=False) if t.startswith("{")}


def _name(world: World, user_id: int) -> str:
    user = world.users.get(user_id)
    return user.display_name if user is not None else str(user_id)


def _where(world: World, channel_id: int) -> str:
    channel = world.channels.get(channel_id)
    if channel is None:
        return f"<#{channel_id}>"
    if channel.type == ChannelType.DM:
        others = [uid for uid in channel.recipient_ids if not world.users[uid].bot]
        return f"DM to {_name(world, others[0])}" if others else "DM"
    return f"#{channel.name}"


def _text(body: Mapping[str, Any], world: World) -> str:
    text = str(body.get("content") or "")
    for embed in body.get("embeds") or []:
        text += f" [{embed.get('title') or ''}] {embed.get('description') or ''}".rstrip()
    buttons = [str(child["label"]) for row in body.get("components") or []
               for child in row.get("components") or [] if child.get("label")]
    if buttons:
        text += "  buttons: " + " | ".join(f"[{label}]" for label in buttons)
    text = MENTION.sub(lambda found: "@" + _name(world, int(found[1])), text)
    text = CHANNEL.sub(lambda found: _where(world, int(found[1])), text)
    return text.strip().replace("\n", " ⏎ ")
