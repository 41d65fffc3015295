"""Guild members: listing and reading them, timeouts, nicknames, roles, and kicks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from primum.localdiscord.errors import form_error, missing_permissions
from primum.localdiscord.ids import Perm, parse_iso
from primum.localdiscord.payloads import member_payload

from .base import Req, Resource, Route

MAX_TIMEOUT = timedelta(days=28)
_MEMBER = "/guilds/{guild_id}/members/{user_id}"


class MemberRoutes(Resource):
    """``/guilds/{guild_id}/members...``."""

    def routes(self) -> Iterable[Route]:
        return [
            ("GET", "/guilds/{guild_id}/members", self.list_members),
            ("GET", _MEMBER, self.get_member),
            ("PATCH", _MEMBER, self.patch_member),
            ("DELETE", _MEMBER, self.kick),
            ("PUT", _MEMBER + "/roles/{role_id}", self.add_role),
            ("DELETE", _MEMBER + "/roles/{role_id}", self.remove_role),
        ]

    async def list_members(self, req: Req) -> Any:
        guild = self.w.guild(req.int_param("guild_id"))
        after = int(req.query.get("after", 0))
        limit = int(req.query.get("limit", 1))
        members = sorted((m for m in guild.members.values() if m.user_id > after), key=lambda m: m.user_id)
        return [member_payload(self.w, m) for m in members[:limit]]

    async def get_member(self, req: Req) -> Any:
        return member_payload(self.w, self.member(req))

    async def patch_member(self, req: Req) -> Any:
        guild_id = req.int_param("guild_id")
        member = self.member(req)
        guild = self.w.guild(guild_id)
        body = req.body
        is_self = member.user_id == self.s.bot_user_id
        if "communication_disabled_until" in body:
            self.require_guild(guild_id, Perm.MODERATE_MEMBERS)
            target_perms = self.w.guild_permissions(guild_id, member.user_id)
            if is_self or member.user_id == guild.owner_id or target_perms & Perm.ADMINISTRATOR:
                raise missing_permissions()
            self.require_outranks(guild_id, member.user_id)
            raw = body["communication_disabled_until"]
            until = parse_iso(raw) if raw else None
            if until is not None and until > self.w.now() + MAX_TIMEOUT + timedelta(seconds=5):
                raise form_error("communication_disabled_until", "COMMUNICATION_DISABLED_UNTIL_TOO_LARGE",
                                 "Timeout cannot be more than 28 days in the future.")
        if "nick" in body:
            if is_self:
                self.require_guild(guild_id, Perm.CHANGE_NICKNAME)
            else:
                self.require_guild(guild_id, Perm.MANAGE_NICKNAMES)
                self.require_outranks(guild_id, member.user_id)
        new_roles: list[int] | None = None
        if "roles" in body and body["roles"] is not None:
            self.require_guild(guild_id, Perm.MANAGE_ROLES)
            new_roles = [int(r) for r in body["roles"]]
            for rid in set(new_roles) ^ set(member.roles):
                self._check_assignable(guild_id, rid)
        # Everything is validated: apply atomically, like Discord.
        if "communication_disabled_until" in body:
            raw = body["communication_disabled_until"]
            member.communication_disabled_until = parse_iso(raw) if raw else None
        if "nick" in body:
            member.nick = body["nick"] or None
        if new_roles is not None:
            member.roles = list(dict.fromkeys(new_roles))
        self.s.events.member("GUILD_MEMBER_UPDATE", member)
        return member_payload(self.w, member)

    def _check_assignable(self, guild_id: int, role_id: int) -> None:
        guild = self.w.guild(guild_id)
        role = guild.roles.get(role_id)
        if role is None:
            raise form_error("roles", "UNKNOWN_ROLE", f"Role {role_id} does not exist")
        if role.managed or role.id == guild_id:
            raise missing_permissions()
        if self.w.top_role_position(guild_id, self.s.bot_user_id) <= role.position:
            raise missing_permissions()

    async def add_role(self, req: Req) -> Any:
        return self._change_role(req, add=True)

    async def remove_role(self, req: Req) -> Any:
        return self._change_role(req, add=False)

    def _change_role(self, req: Req, *, add: bool) -> None:
        guild_id = req.int_param("guild_id")
        member = self.member(req)
        role_id = req.int_param("role_id")
        self.w.role(guild_id, role_id)
        self.require_guild(guild_id, Perm.MANAGE_ROLES)
        self._check_assignable(guild_id, role_id)
        if add and role_id not in member.roles:
            member.roles.append(role_id)
        elif not add and role_id in member.roles:
            member.roles.remove(role_id)
        else:
            return None
        self.s.events.member("GUILD_MEMBER_UPDATE", member)
        return None

    async def kick(self, req: Req) -> Any:
        guild_id = req.int_param("guild_id")
        member = self.member(req)
        self.require_guild(guild_id, Perm.KICK_MEMBERS)
        self.require_outranks(guild_id, member.user_id)
        self.s.remove_member(guild_id, member.user_id)
        return None
