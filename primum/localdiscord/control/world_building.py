"""Building the world: users, guilds, roles, channels, memberships and DM channels."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from primum.localdiscord.ids import Perm
from primum.localdiscord.models import Channel, ChannelType, Guild, Member, Overwrite, Role, User

from .base import ControlBase


class WorldBuilding(ControlBase):
    """Seeding methods (usually called before the bot connects, so GUILD_CREATE carries everything)."""

    def create_user(self, username: str, *, global_name: str | None = None, bot: bool = False,
                    dms_open: bool = True) -> User:
        """Add a user (not yet in any guild)."""
        user = User(self.world.snowflakes.next(), username, global_name, bot=bot, dms_open=dms_open)
        self.world.users[user.id] = user
        return user

    def create_guild(self, name: str, *, owner_id: int,
                     everyone_permissions: int = Perm.EVERYONE_DEFAULT) -> Guild:
        """Add a guild with its @everyone role and the owner as first member; the bot is not yet in it."""
        gid = self.world.snowflakes.next()
        guild = Guild(gid, name, owner_id)
        guild.roles[gid] = Role(gid, gid, "@everyone", everyone_permissions, position=0)
        self.world.guilds[gid] = guild
        self.add_member(owner_id, guild_id=gid)
        return guild

    def create_role(self, name: str, *, permissions: int = 0, guild_id: int | None = None,
                    position: int | None = None, color: int = 0, hoist: bool = False,
                    mentionable: bool = False, bot_id: int | None = None) -> Role:
        """Add a role; without ``position`` it goes on top. ``bot_id`` makes it the bot's managed role."""
        guild = self._guild(guild_id)
        pos = position if position is not None else max(r.position for r in guild.roles.values()) + 1
        role = Role(self.world.snowflakes.next(), guild.id, name, permissions, pos, color, hoist, mentionable,
                    managed=bot_id is not None, bot_id=bot_id)
        guild.roles[role.id] = role
        self.events.role_create(role)
        return role

    def create_channel(self, name: str, *, guild_id: int | None = None, type: int = ChannelType.GUILD_TEXT,
                       topic: str | None = None, parent_id: int | None = None, private: bool = False,
                       allow_roles: Sequence[int] = (), overwrites: Sequence[Overwrite] = (),
                       rate_limit_per_user: int = 0) -> Channel:
        """Add a channel; ``private`` hides it from @everyone and opens it to ``allow_roles``."""
        guild = self._guild(guild_id)
        ows = list(overwrites)
        if private:
            ows.append(Overwrite(guild.id, 0, deny=Perm.VIEW_CHANNEL))
            view = Perm.VIEW_CHANNEL | Perm.SEND_MESSAGES | Perm.READ_MESSAGE_HISTORY
            ows += [Overwrite(r, 0, allow=view) for r in allow_roles]
        position = sum(1 for c in guild.channels.values() if c.type == type)
        channel = Channel(self.world.snowflakes.next(), type, name, guild.id, position, topic,
                          rate_limit_per_user=rate_limit_per_user, parent_id=parent_id, overwrites=ows)
        guild.channels[channel.id] = channel
        self.world.channels[channel.id] = channel
        if self.default_channel_id is None and type == ChannelType.GUILD_TEXT:
            self.default_channel_id = channel.id
        self.events.channel("CHANNEL_CREATE", channel)
        return channel

    def add_member(self, user_id: int, *, guild_id: int | None = None, roles: Sequence[int] = (),
                   nick: str | None = None, joined_at: datetime | None = None, dispatch: bool = False) -> Member:
        """Make a user a member (silently; ``dispatch=True`` or :meth:`member_join` sends the event)."""
        guild = self._guild(guild_id)
        self.world.user(user_id)
        member = Member(user_id, guild.id, joined_at or self.world.now(), list(roles), nick)
        guild.members[user_id] = member
        if dispatch:
            self.events.member("GUILD_MEMBER_ADD", member)
        return member

    def dm_channel(self, user_id: int) -> Channel:
        """The bot's DM channel with a user (created on first use)."""
        cid = self.world.dm_by_user.get(user_id)
        if cid is None:
            channel = Channel(self.world.snowflakes.next(), ChannelType.DM, recipient_ids=[user_id])
            self.world.channels[channel.id] = channel
            self.world.dm_by_user[user_id] = channel.id
            return channel
        return self.world.channels[cid]

    def remove_member(self, guild_id: int, user_id: int) -> None:
        """Remove a member and send GUILD_MEMBER_REMOVE."""
        guild = self.world.guild(guild_id)
        guild.members.pop(user_id, None)
        self.events.member_remove(guild_id, user_id)
