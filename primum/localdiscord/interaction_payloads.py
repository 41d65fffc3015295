"""INTERACTION_CREATE, and the ``interaction_metadata`` carried by messages sent in response."""

from __future__ import annotations

from typing import Any

from .models import JSON
from .payloads import ATTACHMENT_SIZE_LIMIT, channel_payload, member_payload, user_payload
from .world import World


def interaction_payload(
    world: World,
    *,
    interaction_id: int,
    token: str,
    type_: int,
    app_id: int,
    bot_id: int,
    user_id: int,
    channel_id: int,
    data: JSON | None,
    message: JSON | None = None,
) -> JSON:
    """INTERACTION_CREATE with the invoker's channel permissions and the app's permissions."""
    channel = world.channel(channel_id)
    out: JSON = {
        "id": str(interaction_id),
        "application_id": str(app_id),
        "type": type_,
        "token": token,
        "version": 1,
        "channel_id": str(channel_id),
        "channel": channel_payload(world, channel),
        "locale": "en-US",
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if data is not None:
        out["data"] = data
    if message is not None:
        out["message"] = message
    if channel.guild_id is not None:
        guild = world.guild(channel.guild_id)
        member = world.member(guild.id, user_id)
        out.update(
            guild_id=str(guild.id),
            guild={"id": str(guild.id), "locale": "en-US", "features": ["COMMUNITY"]},
            guild_locale="en-US",
            member={
                **member_payload(world, member),
                "permissions": str(world.channel_permissions(channel_id, user_id)),
            },
            app_permissions=str(world.channel_permissions(channel_id, bot_id)),
            authorizing_integration_owners={"0": str(guild.id)},
            context=0,
        )
    else:
        out.update(
            user=user_payload(world.users[user_id]),
            app_permissions=str(world.channel_permissions(channel_id, bot_id)),
            authorizing_integration_owners={"0": str(user_id)},
            context=1,
        )
    return out


def interaction_metadata(world: World, *, interaction_id: int, type_: int, user_id: int, guild_id: int | None,
                         name: str | None = None, extra: dict[str, Any] | None = None) -> JSON:
    """``interaction_metadata`` attached to messages created in response to an interaction."""
    owner = str(guild_id) if guild_id is not None else str(user_id)
    out: JSON = {
        "id": str(interaction_id),
        "type": type_,
        "user": user_payload(world.users[user_id]),
        "authorizing_integration_owners": {"0": owner},
    }
    if name is not None:
        out["name"] = name
    if extra:
        out.update(extra)
    return out
