"""Application commands: registering (global and per guild) and listing the bot's commands."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from primum.localdiscord.errors import DiscordError, form_error
from primum.localdiscord.models import JSON

from .base import Reply, Req, Resource, Route


class ApplicationCommandRoutes(Resource):
    """``/applications/{application_id}[/guilds/{guild_id}]/commands``."""

    def routes(self) -> Iterable[Route]:
        for scope in ("/applications/{application_id}", "/applications/{application_id}/guilds/{guild_id}"):
            yield "PUT", scope + "/commands", self.put_commands
            yield "GET", scope + "/commands", self.get_commands
            yield "POST", scope + "/commands", self.post_command

    def _command_scope(self, req: Req) -> tuple[int | None, list[JSON]]:
        if req.int_param("application_id") != self.s.application_id:
            raise DiscordError(403, 50001, "Missing Access")
        if "guild_id" in req.params:
            guild = self.w.guild(req.int_param("guild_id"))
            return guild.id, guild.commands
        return None, self.s.global_commands

    def _normalise_command(self, raw: JSON, guild_id: int | None, existing: list[JSON]) -> JSON:
        type_ = int(raw.get("type") or 1)
        name = str(raw["name"])
        if type_ == 1 and not re.fullmatch(r"[-_\w]{1,32}", name):
            raise form_error("name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        old = next((c for c in existing if c["name"] == name and c["type"] == type_), None)
        cmd: JSON = {
            "id": old["id"] if old else str(self.w.snowflakes.next()),
            "application_id": str(self.s.application_id),
            "version": str(self.w.snowflakes.next()),
            "type": type_,
            "name": name,
            "name_localizations": raw.get("name_localizations"),
            "description": raw.get("description", "") if type_ == 1 else "",
            "description_localizations": raw.get("description_localizations"),
            "options": raw.get("options") or [],
            "default_member_permissions": raw.get("default_member_permissions"),
            "dm_permission": raw.get("dm_permission", True),
            "nsfw": bool(raw.get("nsfw", False)),
            "contexts": raw.get("contexts"),
            "integration_types": raw.get("integration_types") or [0],
        }
        if guild_id is not None:
            cmd["guild_id"] = str(guild_id)
        return cmd

    async def put_commands(self, req: Req) -> Any:
        guild_id, existing = self._command_scope(req)
        raws = req.json if isinstance(req.json, list) else []
        names = [(int(r.get("type") or 1), r.get("name")) for r in raws]
        if len(names) != len(set(names)):
            raise form_error("_", "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
        new = [self._normalise_command(r, guild_id, existing) for r in raws]
        existing[:] = new
        self.s.commands_synced.append(guild_id)
        return new

    async def post_command(self, req: Req) -> Any:
        guild_id, existing = self._command_scope(req)
        cmd = self._normalise_command(req.body, guild_id, existing)
        existing[:] = [c for c in existing if c["id"] != cmd["id"]] + [cmd]
        return Reply(201, cmd)

    async def get_commands(self, req: Req) -> Any:
        _, existing = self._command_scope(req)
        return existing
