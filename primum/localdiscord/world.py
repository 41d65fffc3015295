"""The in-memory state of the local Discord and the permission rules Discord applies to it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from .errors import unknown
from .ids import Perm, SnowflakeFactory
from .models import Channel, ChannelType, Guild, Interaction, Member, Message, Role, User


def _utcnow() -> datetime:
    return datetime.now(UTC)


class World:
    """Guilds, users, channels and messages, indexed for the REST and gateway layers."""

    def __init__(self, now: Callable[[], datetime] = _utcnow) -> None:
        self.now = now
        self.snowflakes = SnowflakeFactory(now)
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.dm_by_user: dict[int, int] = {}

    # ---- lookups that raise Discord errors -------------------------------------------------

    def user(self, user_id: int) -> User:
        """The user, or 404 10013."""
        try:
            return self.users[user_id]
        except KeyError:
            raise unknown("User") from None

    def guild(self, guild_id: int) -> Guild:
        """The guild, or 404 10004."""
        try:
            return self.guilds[guild_id]
        except KeyError:
            raise unknown("Guild") from None

    def channel(self, channel_id: int) -> Channel:
        """The channel, or 404 10003."""
        try:
            return self.channels[channel_id]
        except KeyError:
            raise unknown("Channel") from None

    def member(self, guild_id: int, user_id: int) -> Member:
        """The member, or 404 10007."""
        try:
            return self.guild(guild_id).members[user_id]
        except KeyError:
            raise unknown("Member") from None

    def message(self, channel_id: int, message_id: int) -> Message:
        """A live message in that channel, or 404 10008."""
        msg = self.messages.get(message_id)
        if msg is None or msg.deleted or msg.channel_id != channel_id:
            raise unknown("Message")
        return msg

    def role(self, guild_id: int, role_id: int) -> Role:
        """The role, or 404 10011."""
        try:
            return self.guild(guild_id).roles[role_id]
        except KeyError:
            raise unknown("Role") from None

    def interaction_source(self, rec: Interaction) -> Message | None:
        """The message whose component opened the interaction (None for commands)."""
        raw = rec.payload.get("message")
        return self.messages.get(int(raw["id"])) if raw else None

    def channel_messages(self, channel_id: int) -> list[Message]:
        """Live messages of a channel, oldest first."""
        return [m for m in self.messages.values() if m.channel_id == channel_id and not m.deleted]

    # ---- permissions -----------------------------------------------------------------------

    def is_timed_out(self, member: Member) -> bool:
        """Whether the member's timeout is still running."""
        until = member.communication_disabled_until
        return until is not None and until > self.now()

    def guild_permissions(self, guild_id: int, user_id: int) -> int:
        """Base permissions from @everyone and the member's roles; owner and admins get all."""
        guild = self.guild(guild_id)
        if user_id == guild.owner_id:
            return Perm.ALL
        member = guild.members.get(user_id)
        perms = guild.roles[guild_id].permissions if guild_id in guild.roles else 0
        if member is not None:
            for rid in member.roles:
                role = guild.roles.get(rid)
                if role is not None:
                    perms |= role.permissions
        if perms & Perm.ADMINISTRATOR:
            return Perm.ALL
        return perms

    def channel_permissions(self, channel_id: int, user_id: int) -> int:
        """Discord's permission algorithm: base, then @everyone, role and member overwrites."""
        channel = self.channel(channel_id)
        if channel.guild_id is None:
            return Perm.ALL & ~(Perm.ADMINISTRATOR | Perm.MANAGE_CHANNELS)
        if channel.type in ChannelType.THREADS and channel.parent_id is not None:
            return self.channel_permissions(channel.parent_id, user_id)
        base = self.guild_permissions(channel.guild_id, user_id)
        if base & Perm.ADMINISTRATOR or base == Perm.ALL:
            return Perm.ALL
        member = self.guild(channel.guild_id).members.get(user_id)
        roles = set(member.roles) if member else set()
        perms = base
        by_id = {ow.id: ow for ow in channel.overwrites}
        everyone = by_id.get(channel.guild_id)
        if everyone is not None:
            perms = (perms & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for ow in channel.overwrites:
            if ow.type == 0 and ow.id in roles:
                allow |= ow.allow
                deny |= ow.deny
        perms = (perms & ~deny) | allow
        mine = by_id.get(user_id)
        if mine is not None and mine.type == 1:
            perms = (perms & ~mine.deny) | mine.allow
        if member is not None and self.is_timed_out(member):
            perms &= Perm.VIEW_CHANNEL | Perm.READ_MESSAGE_HISTORY
        if not perms & Perm.VIEW_CHANNEL:
            return 0
        return perms

    def top_role_position(self, guild_id: int, user_id: int) -> int:
        """Position of the member's highest role (0 if only @everyone)."""
        guild = self.guild(guild_id)
        member = guild.members.get(user_id)
        if member is None:
            return 0
        return max((guild.roles[r].position for r in member.roles if r in guild.roles), default=0)

    def outranks(self, guild_id: int, actor_id: int, target_id: int) -> bool:
        """Role hierarchy: the owner outranks all; otherwise the top role must be strictly higher."""
        guild = self.guild(guild_id)
        if target_id == guild.owner_id:
            return False
        if actor_id == guild.owner_id:
            return True
        return self.top_role_position(guild_id, actor_id) > self.top_role_position(guild_id, target_id)
