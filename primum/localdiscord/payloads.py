"""Payload factories: the single place that decides what every Discord object looks like.

discord.py's parsers index many keys directly (member ``flags``/``joined_at``, interaction
``version``/``token``/``application_id``/``attachment_size_limit`` ...). A missing key raises
inside the gateway reader and kills ``Client.start``, so every field Discord documents as
always-present is emitted here, even when it is just ``None``.

This module holds the objects (users, roles, members, channels, messages, attachments);
:mod:`.session_payloads` builds READY, GUILD_CREATE and the application from them, and
:mod:`.interaction_payloads` INTERACTION_CREATE.
"""

from __future__ import annotations

from .ids import iso, snowflake_time
from .models import JSON, Attachment, Channel, ChannelType, Member, Message, Role, User
from .world import World

#: The largest upload accepted, as advertised to interactions (``attachment_size_limit``).
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


def user_payload(user: User) -> JSON:
    """A user object."""
    return {
        "id": str(user.id),
        "username": user.username,
        "discriminator": "0",
        "global_name": user.global_name,
        "avatar": user.avatar,
        "bot": user.bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "collectibles": None,
        "primary_guild": None,
    }


def role_payload(role: Role) -> JSON:
    """A role object; the bot's managed role carries ``tags.bot_id``."""
    out: JSON = {
        "id": str(role.id),
        "name": role.name,
        "color": role.color,
        "colors": {"primary_color": role.color, "secondary_color": None, "tertiary_color": None},
        "hoist": role.hoist,
        "icon": None,
        "unicode_emoji": None,
        "position": role.position,
        "permissions": str(role.permissions),
        "managed": role.managed,
        "mentionable": role.mentionable,
        "flags": 0,
    }
    if role.bot_id is not None:
        out["tags"] = {"bot_id": str(role.bot_id)}
    return out


def member_payload(world: World, member: Member, *, with_user: bool = True) -> JSON:
    """A guild member object (``with_user=False`` for the partial member inside messages)."""
    until = member.communication_disabled_until
    out: JSON = {
        "nick": member.nick,
        "avatar": None,
        "banner": None,
        "roles": [str(r) for r in member.roles],
        "joined_at": iso(member.joined_at),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": member.flags,
        "pending": member.pending,
        "communication_disabled_until": iso(until) if until and until > world.now() else None,
        "avatar_decoration_data": None,
        "collectibles": None,
    }
    if with_user:
        out["user"] = user_payload(world.users[member.user_id])
    return out


def member_event_payload(world: World, member: Member) -> JSON:
    """A member with its ``guild_id``, as GUILD_MEMBER_ADD/UPDATE carry it."""
    return {**member_payload(world, member), "guild_id": str(member.guild_id)}


def overwrite_payloads(channel: Channel) -> list[JSON]:
    """Permission overwrites as Discord serialises them (bitfields as strings)."""
    return [
        {"id": str(ow.id), "type": ow.type, "allow": str(ow.allow), "deny": str(ow.deny)}
        for ow in channel.overwrites
    ]


def channel_payload(world: World, channel: Channel) -> JSON:
    """A channel object for guild text/category channels, threads and DMs."""
    last = str(channel.last_message_id) if channel.last_message_id else None
    if channel.type == ChannelType.DM:
        return {
            "id": str(channel.id),
            "type": channel.type,
            "last_message_id": last,
            "recipients": [user_payload(world.users[u]) for u in channel.recipient_ids],
            "flags": 0,
        }
    out: JSON = {
        "id": str(channel.id),
        "type": channel.type,
        "guild_id": str(channel.guild_id),
        "name": channel.name,
        "parent_id": str(channel.parent_id) if channel.parent_id else None,
        "flags": 0,
        "rate_limit_per_user": channel.rate_limit_per_user,
        "last_message_id": last,
        "nsfw": channel.nsfw,
    }
    if channel.type in ChannelType.THREADS:
        created = channel.created_at or snowflake_time(channel.id)
        count = len(world.channel_messages(channel.id))
        out.update(
            owner_id=str(channel.owner_id),
            message_count=count,
            total_message_sent=count,
            member_count=1,
            thread_metadata={
                "archived": channel.archived,
                "auto_archive_duration": channel.auto_archive_duration,
                "archive_timestamp": iso(created),
                "locked": channel.locked,
                "create_timestamp": iso(created),
                "invitable": channel.type == ChannelType.PRIVATE_THREAD,
            },
        )
        return out
    out.update(
        position=channel.position,
        permission_overwrites=overwrite_payloads(channel),
        topic=channel.topic,
        default_auto_archive_duration=1440,
    )
    return out


def attachment_payload(att: Attachment) -> JSON:
    """An attachment object."""
    out: JSON = {
        "id": str(att.id),
        "filename": att.filename,
        "size": att.size,
        "url": att.url,
        "proxy_url": att.url,
        "content_type": att.content_type,
        "flags": 0,
    }
    if att.description is not None:
        out["description"] = att.description
    return out


def _mention_payload(world: World, user_id: int, guild_id: int | None) -> JSON:
    out = user_payload(world.users[user_id])
    if guild_id is not None and user_id in world.guilds[guild_id].members:
        out["member"] = member_payload(world, world.guilds[guild_id].members[user_id], with_user=False)
    return out


def message_payload(
    world: World,
    msg: Message,
    *,
    gateway: bool = False,
    interactions: dict[int, JSON] | None = None,
    depth: int = 0,
) -> JSON:
    """A message object; ``gateway=True`` adds ``guild_id`` and the author's partial ``member``.

    ``interactions`` maps interaction ids to their ``interaction_metadata`` so replies made
    through an interaction carry it (discord.py reads ``type``/``user``/``name`` from it).
    """
    out: JSON = {
        "id": str(msg.id),
        "channel_id": str(msg.channel_id),
        "author": user_payload(world.users[msg.author_id]),
        "content": msg.content,
        "timestamp": iso(snowflake_time(msg.id)),
        "edited_timestamp": iso(msg.edited_at) if msg.edited_at else None,
        "tts": msg.tts,
        "mention_everyone": msg.mention_everyone,
        "mentions": [_mention_payload(world, u, msg.guild_id) for u in msg.mention_ids if u in world.users],
        "mention_roles": [str(r) for r in msg.mention_role_ids],
        "attachments": [attachment_payload(a) for a in msg.attachments],
        "embeds": msg.embeds,
        "components": msg.components,
        "pinned": msg.pinned,
        "type": msg.type,
        "flags": msg.flags,
    }
    if msg.nonce is not None:
        out["nonce"] = msg.nonce
    if msg.webhook_id is not None:
        out["webhook_id"] = str(msg.webhook_id)
        out["application_id"] = str(msg.webhook_id)
    if msg.poll is not None:
        out["poll"] = msg.poll
    if msg.reference_id is not None:
        ref = world.messages.get(msg.reference_id)
        out["message_reference"] = {
            "type": 0,
            "message_id": str(msg.reference_id),
            "channel_id": str(msg.channel_id),
        }
        if msg.guild_id is not None:
            out["message_reference"]["guild_id"] = str(msg.guild_id)
        if depth == 0:
            out["referenced_message"] = (
                message_payload(world, ref, interactions=interactions, depth=1)
                if ref is not None and not ref.deleted
                else None
            )
    if msg.interaction_id is not None and interactions and msg.interaction_id in interactions:
        meta = interactions[msg.interaction_id]
        out["interaction_metadata"] = meta
        out["interaction"] = {
            "id": meta["id"],
            "type": meta["type"],
            "name": meta.get("name", ""),
            "user": meta["user"],
        }
    if msg.thread_id is not None and msg.thread_id in world.channels:
        out["thread"] = channel_payload(world, world.channels[msg.thread_id])
    if gateway and msg.guild_id is not None:
        out["guild_id"] = str(msg.guild_id)
        member = world.guilds[msg.guild_id].members.get(msg.author_id)
        if member is not None and msg.webhook_id is None:
            out["member"] = member_payload(world, member, with_user=False)
    return out
