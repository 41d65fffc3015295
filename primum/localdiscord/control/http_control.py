"""The optional HTTP control API (``/_control/{action}``) for driving the world from another process."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable
from datetime import datetime
from typing import Any

from aiohttp import web

from primum.localdiscord.errors import ControlError, DiscordError
from primum.localdiscord.models import JSON
from primum.localdiscord.routes.pipeline import respond

from .base import ControlBase

#: The control methods a POST may call, by name, with the JSON body as keyword arguments.
CONTROL_ACTIONS = frozenset({
    "user_says", "user_dms_bot", "user_edits", "user_deletes", "member_join", "member_leave",
    "invoke_slash", "invoke_user_command", "invoke_message_command", "autocomplete", "click_button",
    "choose", "submit_modal", "drop_connection", "send_reconnect", "invalidate_session", "close_dms",
    "open_dms", "fail_next", "slow_next", "clear_faults",
})


class HttpControl(ControlBase):
    """``GET /_control/state`` and ``POST /_control/{action}``."""

    async def _handle_control(self, request: web.Request) -> web.Response:
        action = request.match_info["action"]
        try:
            if action == "state" and request.method == "GET":
                return respond(200, jsonable(self.summary()), "_control")
            if action not in CONTROL_ACTIONS or request.method != "POST":
                raise ControlError(f"unknown control action {action!r}")
            kwargs = await request.json() if request.can_read_body else {}
            result = getattr(self, action)(**kwargs)
            if isinstance(result, Awaitable):
                result = await result
            return respond(200, {"ok": True, "result": jsonable(result)}, "_control")
        except (ControlError, DiscordError, TypeError, KeyError, ValueError) as exc:
            return respond(400, {"ok": False, "error": str(exc)}, "_control")

    def summary(self) -> JSON:
        """A compact description of the world (for --interactive and debugging)."""
        guild = self.guild if self.world.guilds else None
        return {
            "http": self.http_url,
            "connected": self.gateway.connected,
            "guild": None if guild is None else {
                "id": str(guild.id), "name": guild.name,
                "channels": {c.name: str(c.id) for c in guild.channels.values()},
                "members": {self.world.users[m].display_name: str(m) for m in guild.members},
                "roles": {r.name: str(r.id) for r in guild.roles.values()},
            },
            "commands": [c["name"] for c in [*self.global_commands,
                                             *(guild.commands if guild else [])]],
            "requests": len(self.requests),
            "spec_violations": [str(v) for v in self.spec_violations],
        }


def jsonable(value: Any) -> Any:
    """A control result as JSON: dataclasses as objects (without raw bytes/payloads), big ids as strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name not in ("data", "payload")}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool) and value > 2**53:
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value
