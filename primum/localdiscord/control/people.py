"""What people do: post, edit and delete messages, DM the bot, join and leave, and a human admin's changes.

Each action checks what Discord's client would check first (a timed-out member cannot post,
slowmode holds, a banned user cannot rejoin) and raises :class:`ControlError` where it would refuse.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from primum.localdiscord.errors import ControlError
from primum.localdiscord.ids import Perm, snowflake_time
from primum.localdiscord.message_bodies import USER_MAX_CONTENT
from primum.localdiscord.models import JSON, Channel, ChannelType, Member, Message, UploadedFile

from .world_building import WorldBuilding

_CONTENT_TYPES = ((".png", "image/png"), (".jpg", "image/jpeg"), (".jpeg", "image/jpeg"), (".txt", "text/plain"),
                  (".pdf", "application/pdf"), (".json", "application/json"))


class People(WorldBuilding):
    """Members and users acting in the world (each call moves the wait helpers' watermark)."""

    def user_says(self, user_id: int, channel_id: int | None = None, content: str = "", *,
                  reply_to: int | None = None, mentions: Sequence[int] = (), role_mentions: Sequence[int] = (),
                  embeds: Sequence[JSON] = (), attachments: Sequence[tuple[str, bytes]] = (),
                  force: bool = False) -> Message:
        """A user posts a message; a user who could not post (perms, timeout, slowmode) raises ControlError."""
        self._action()
        channel = self.world.channel(channel_id or self._default_channel())
        user = self.world.user(user_id)
        if channel.guild_id is not None:
            member = self.world.guild(channel.guild_id).members.get(user_id)
            if member is None:
                raise ControlError(f"{user.username} is not a member of the guild")
            perms = self.world.channel_permissions(channel.id, user_id)
            send = Perm.SEND_MESSAGES_IN_THREADS if channel.type in ChannelType.THREADS else Perm.SEND_MESSAGES
            if not force:
                if self.world.is_timed_out(member):
                    raise ControlError(f"{user.username} is timed out")
                if perms & (Perm.VIEW_CHANNEL | send) != Perm.VIEW_CHANNEL | send:
                    raise ControlError(f"{user.username} cannot send messages in #{channel.name}")
                self._check_slowmode(channel, user_id, perms)
        elif user_id not in channel.recipient_ids:
            raise ControlError("user is not a recipient of this DM")
        text = content
        for uid in mentions:
            if f"<@{uid}>" not in text:
                text = f"{text} <@{uid}>".strip()
        for rid in role_mentions:
            if f"<@&{rid}>" not in text:
                text = f"{text} <@&{rid}>".strip()
        msg = Message(self.world.snowflakes.next(), channel.id, user_id, guild_id=channel.guild_id)
        if reply_to is not None:
            target = self.world.message(channel.id, reply_to)
            msg.reference_id, msg.type = target.id, 19
        files = [UploadedFile(f"files[{i}]", name, _guess_type(name), data) for i, (name, data) in
                 enumerate(attachments)]
        body: JSON = {"content": text, "embeds": list(embeds),
                      "attachments": [{"id": i, "filename": n} for i, (n, _) in enumerate(attachments)]}
        self.bodies.apply(msg, body, files, creating=True,
                          sender_perms=self.world.channel_permissions(channel.id, user_id)
                          if channel.guild_id else 0, max_content=USER_MAX_CONTENT)
        self.bodies.store(msg)
        self.events.message("MESSAGE_CREATE", msg)
        return msg

    def _check_slowmode(self, channel: Channel, user_id: int, perms: int) -> None:
        if not channel.rate_limit_per_user or perms & (Perm.MANAGE_MESSAGES | Perm.MANAGE_CHANNELS):
            return
        mine = [m for m in self.world.channel_messages(channel.id) if m.author_id == user_id]
        if mine:
            elapsed = (self.world.now() - snowflake_time(mine[-1].id)).total_seconds()
            if elapsed < channel.rate_limit_per_user:
                raise ControlError(f"slowmode: wait {channel.rate_limit_per_user - elapsed:.0f}s more")

    def user_dms_bot(self, user_id: int, content: str) -> Message:
        """A user writes to the bot in DMs."""
        return self.user_says(user_id, self.dm_channel(user_id).id, content)

    def user_edits(self, message_id: int, content: str) -> Message:
        """The author edits their message (MESSAGE_UPDATE)."""
        self._action()
        msg = self._live_message(message_id)
        self.bodies.apply(msg, {"content": content}, [], creating=False, max_content=USER_MAX_CONTENT)
        msg.edited_at = self.world.now()
        self.events.message("MESSAGE_UPDATE", msg)
        return msg

    def user_deletes(self, message_id: int) -> None:
        """The author (or a human moderator) deletes a message (MESSAGE_DELETE)."""
        self._action()
        msg = self._live_message(message_id)
        msg.deleted = True
        self.events.message_delete(msg)

    def member_join(self, user_id: int, *, guild_id: int | None = None, pending: bool = False) -> Member:
        """A user joins the guild (GUILD_MEMBER_ADD); banned users cannot."""
        self._action()
        guild = self._guild(guild_id)
        if user_id in guild.bans:
            raise ControlError("user is banned")
        if user_id in guild.members:
            raise ControlError("user is already a member")
        member = self.add_member(user_id, guild_id=guild.id, dispatch=False)
        member.pending = pending
        self.events.member("GUILD_MEMBER_ADD", member)
        return member

    def member_leave(self, user_id: int, *, guild_id: int | None = None) -> None:
        """A member leaves (GUILD_MEMBER_REMOVE)."""
        self._action()
        guild = self._guild(guild_id)
        if user_id not in guild.members:
            raise ControlError("user is not a member")
        self.remove_member(guild.id, user_id)

    def update_member(self, user_id: int, *, guild_id: int | None = None, roles: Sequence[int] | None = None,
                      nick: str | None = None, timeout_until: datetime | None = None,
                      clear_timeout: bool = False) -> Member:
        """Someone other than the bot (a human admin) changes a member (GUILD_MEMBER_UPDATE)."""
        self._action()
        member = self.world.member(self._guild(guild_id).id, user_id)
        if roles is not None:
            member.roles = list(roles)
        if nick is not None:
            member.nick = nick
        if timeout_until is not None or clear_timeout:
            member.communication_disabled_until = timeout_until
        self.events.member("GUILD_MEMBER_UPDATE", member)
        return member

    def close_dms(self, user_id: int) -> None:
        """Make DMs from the bot to this user fail with 403 50007."""
        self.world.user(user_id).dms_open = False

    def open_dms(self, user_id: int) -> None:
        """Undo :meth:`close_dms`."""
        self.world.user(user_id).dms_open = True


def _guess_type(filename: str) -> str:
    lowered = filename.lower()
    for ext, ctype in _CONTENT_TYPES:
        if lowered.endswith(ext):
            return ctype
    return "application/octet-stream"
