"""Guilds: the guild's roles and channels, and bans (with deletion of the banned user's recent messages)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from primum.localdiscord.errors import form_error, missing_permissions, unknown
from primum.localdiscord.ids import Perm, snowflake_time
from primum.localdiscord.models import ChannelType, Guild
from primum.localdiscord.payloads import channel_payload, role_payload, user_payload

from .base import Req, Resource, Route

MAX_BAN_DELETE_SECONDS = 604800


class GuildRoutes(Resource):
    """``/guilds/{guild_id}/roles``, ``/channels`` and ``/bans``."""

    def routes(self) -> Iterable[Route]:
        return [
            ("GET", "/guilds/{guild_id}/roles", self.get_roles),
            ("GET", "/guilds/{guild_id}/channels", self.get_guild_channels),
            ("GET", "/guilds/{guild_id}/bans", self.get_bans),
            ("GET", "/guilds/{guild_id}/bans/{user_id}", self.get_ban),
            ("PUT", "/guilds/{guild_id}/bans/{user_id}", self.ban),
            ("DELETE", "/guilds/{guild_id}/bans/{user_id}", self.unban),
        ]

    def _guild(self, req: Req) -> Guild:
        return self.w.guild(req.int_param("guild_id"))

    async def get_roles(self, req: Req) -> Any:
        return [role_payload(r) for r in self._guild(req).roles.values()]

    async def get_guild_channels(self, req: Req) -> Any:
        guild = self._guild(req)
        return [channel_payload(self.w, c) for c in guild.channels.values() if c.type not in ChannelType.THREADS]

    async def get_bans(self, req: Req) -> Any:
        guild = self._guild(req)
        self.require_guild(guild.id, Perm.BAN_MEMBERS)
        return [{"user": user_payload(self.w.users[u]), "reason": r} for u, r in guild.bans.items()]

    async def get_ban(self, req: Req) -> Any:
        guild = self._guild(req)
        self.require_guild(guild.id, Perm.BAN_MEMBERS)
        user_id = req.int_param("user_id")
        if user_id not in guild.bans:
            raise unknown("Ban")
        return {"user": user_payload(self.w.users[user_id]), "reason": guild.bans[user_id]}

    async def ban(self, req: Req) -> Any:
        guild = self._guild(req)
        user_id = req.int_param("user_id")
        self.w.user(user_id)
        self.require_guild(guild.id, Perm.BAN_MEMBERS)
        if user_id == self.s.bot_user_id:
            raise missing_permissions()
        if user_id in guild.members or user_id == guild.owner_id:
            self.require_outranks(guild.id, user_id)
        seconds = req.body.get("delete_message_seconds", req.query.get("delete_message_seconds", 0))
        seconds = int(seconds or 0)
        if not 0 <= seconds <= MAX_BAN_DELETE_SECONDS:
            raise form_error("delete_message_seconds", "NUMBER_TYPE_MAX", "Must be at most 604800.")
        guild.bans[user_id] = req.reason
        if user_id in guild.members:
            self.s.remove_member(guild.id, user_id)
        self.s.events.ban("GUILD_BAN_ADD", guild.id, user_id)
        if seconds:
            self._delete_recent_messages(guild, user_id, timedelta(seconds=seconds))
        return None

    def _delete_recent_messages(self, guild: Guild, user_id: int, window: timedelta) -> None:
        cutoff = self.w.now() - window
        by_channel: dict[int, list[str]] = {}
        for msg in self.w.messages.values():
            if (msg.guild_id == guild.id and msg.author_id == user_id and not msg.deleted
                    and snowflake_time(msg.id) >= cutoff):
                msg.deleted = True
                by_channel.setdefault(msg.channel_id, []).append(str(msg.id))
        for cid, ids in by_channel.items():
            self.s.events.message_delete_bulk(cid, guild.id, ids)

    async def unban(self, req: Req) -> Any:
        guild = self._guild(req)
        user_id = req.int_param("user_id")
        self.require_guild(guild.id, Perm.BAN_MEMBERS)
        if user_id not in guild.bans:
            raise unknown("Ban")
        del guild.bans[user_id]
        self.s.events.ban("GUILD_BAN_REMOVE", guild.id, user_id)
        return None
