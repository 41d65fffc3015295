"""The gateway events Discord dispatches after a change, so the bot's cache follows the world.

REST handlers and the control API change the world the same way and then call one of these:
one place decides each event's name, payload and intent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .ids import Intent, iso
from .models import JSON, Channel, ChannelType, Member, Message, Role
from .payloads import channel_payload, member_event_payload, message_payload, role_payload, user_payload

if TYPE_CHECKING:
    from .server import LocalDiscord


def _message_intent(guild_id: int | None) -> int:
    return Intent.GUILD_MESSAGES if guild_id is not None else Intent.DIRECT_MESSAGES


class GatewayEvents:
    """Builds and dispatches the events that follow a change to messages, members, channels or bans."""

    def __init__(self, server: LocalDiscord) -> None:
        self.s = server
        self.w = server.world

    def message_json(self, msg: Message, *, gateway: bool = False) -> JSON:
        """A message payload carrying its interaction metadata (REST, or gateway with ``gateway=True``)."""
        return message_payload(self.w, msg, gateway=gateway, interactions=self.s.interaction_metadata)

    def message(self, event: str, msg: Message) -> None:
        """MESSAGE_CREATE/UPDATE for a stored message (ephemeral ones are never dispatched)."""
        if msg.ephemeral:
            return
        self.s.gateway.dispatch(event, self.message_json(msg, gateway=True), intent=_message_intent(msg.guild_id),
                                transform=self.s.content_gate)

    def message_delete(self, msg: Message) -> None:
        """MESSAGE_DELETE for a message."""
        if msg.ephemeral:
            return
        data: JSON = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
        if msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
        self.s.gateway.dispatch("MESSAGE_DELETE", data, intent=_message_intent(msg.guild_id))

    def message_delete_bulk(self, channel_id: int, guild_id: int | None, ids: Iterable[str]) -> None:
        """MESSAGE_DELETE_BULK for messages of one guild channel."""
        self.s.gateway.dispatch("MESSAGE_DELETE_BULK", {"ids": list(ids), "channel_id": str(channel_id),
                                                        "guild_id": str(guild_id)},
                                intent=Intent.GUILD_MESSAGES)

    def pins_update(self, msg: Message) -> None:
        """CHANNEL_PINS_UPDATE after ``msg`` was pinned or unpinned."""
        data: JSON = {"channel_id": str(msg.channel_id), "last_pin_timestamp": iso(self.w.now())}
        if msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
        self.s.gateway.dispatch("CHANNEL_PINS_UPDATE", data, intent=Intent.GUILDS)

    def member(self, event: str, member: Member) -> None:
        """GUILD_MEMBER_ADD or GUILD_MEMBER_UPDATE (roles, nick or timeout changed)."""
        self.s.gateway.dispatch(event, member_event_payload(self.w, member), intent=Intent.GUILD_MEMBERS)

    def member_remove(self, guild_id: int, user_id: int) -> None:
        """GUILD_MEMBER_REMOVE."""
        self.s.gateway.dispatch("GUILD_MEMBER_REMOVE", {"guild_id": str(guild_id),
                                                        "user": user_payload(self.w.users[user_id])},
                                intent=Intent.GUILD_MEMBERS)

    def ban(self, event: str, guild_id: int, user_id: int) -> None:
        """GUILD_BAN_ADD or GUILD_BAN_REMOVE."""
        self.s.gateway.dispatch(event, {"guild_id": str(guild_id), "user": user_payload(self.w.users[user_id])},
                                intent=Intent.GUILD_MODERATION)

    def role_create(self, role: Role) -> None:
        """GUILD_ROLE_CREATE."""
        self.s.gateway.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(role.guild_id), "role": role_payload(role)},
                                intent=Intent.GUILDS)

    def channel(self, event: str, channel: Channel, **extra: object) -> None:
        """CHANNEL_CREATE or THREAD_CREATE (``extra`` adds keys such as ``newly_created``)."""
        self.s.gateway.dispatch(event, {**channel_payload(self.w, channel), **extra}, intent=Intent.GUILDS)

    def channel_update(self, channel: Channel) -> None:
        """CHANNEL_UPDATE (or THREAD_UPDATE)."""
        self.channel("THREAD_UPDATE" if channel.type in ChannelType.THREADS else "CHANNEL_UPDATE", channel)
