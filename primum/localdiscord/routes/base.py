"""What every REST route handler shares: the parsed request, the reply, the route table, a base class.

A resource module (``routes/messages.py`` ...) subclasses :class:`Resource`, lists its routes in
:meth:`Resource.routes`, and writes handlers ``async def name(self, req: Req) -> Any``: return a
JSON body (200), ``None`` (204) or a :class:`Reply`; raise :class:`~primum.localdiscord.errors.DiscordError`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from primum.localdiscord.errors import DiscordError, missing_permissions
from primum.localdiscord.models import JSON, Channel, Member, Message, RequestRecord, UploadedFile

if TYPE_CHECKING:
    from primum.localdiscord.server import LocalDiscord


@dataclass
class Req:
    """A parsed REST request handed to a handler."""

    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    files: list[UploadedFile]
    reason: str | None
    record: RequestRecord

    def int_param(self, name: str) -> int:
        """A snowflake path parameter (non-numeric ones are 404 like Discord)."""
        try:
            return int(self.params[name])
        except ValueError:
            raise DiscordError(404, 0, "404: Not Found") from None

    @property
    def body(self) -> JSON:
        """The JSON body as an object (empty if none)."""
        return self.json if isinstance(self.json, dict) else {}


@dataclass
class Reply:
    """A non-200 success reply (e.g. 201)."""

    status: int
    body: Any = None


Handler = Callable[[Req], Awaitable[Any]]
Route = tuple[str, str, Handler]


@dataclass
class RouteTable:
    """(method, template) → handler."""

    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)

    def add(self, method: str, template: str, handler: Handler) -> None:
        self.routes[(method, template)] = handler

    def add_all(self, routes: Iterable[Route]) -> None:
        """Add each ``(method, template, handler)``."""
        for method, template, handler in routes:
            self.add(method, template, handler)


class Resource:
    """One resource's handlers; ``s`` is the server (records, gateway), ``w`` its world."""

    def __init__(self, server: LocalDiscord) -> None:
        self.s = server
        self.w = server.world

    def routes(self) -> Iterable[Route]:
        """``(method, template, handler)`` for each route this resource answers."""
        raise NotImplementedError

    # ---- permission checks -----------------------------------------------------------------

    def require(self, channel_id: int, perms: int) -> None:
        """403 50013 unless the bot has all ``perms`` in the channel."""
        if self.w.channel_permissions(channel_id, self.s.bot_user_id) & perms != perms:
            raise missing_permissions()

    def require_guild(self, guild_id: int, perms: int) -> None:
        """403 50013 unless the bot has all ``perms`` guild-wide."""
        if self.w.guild_permissions(guild_id, self.s.bot_user_id) & perms != perms:
            raise missing_permissions()

    def require_outranks(self, guild_id: int, target_id: int) -> None:
        """403 50013 when the target is the owner or at/above the bot in the role hierarchy."""
        if not self.w.outranks(guild_id, self.s.bot_user_id, target_id):
            raise missing_permissions()

    # ---- path parameters → objects (404 with Discord's code when unknown) --------------------

    def channel(self, req: Req) -> Channel:
        """The ``{channel_id}`` channel."""
        return self.w.channel(req.int_param("channel_id"))

    def message(self, req: Req) -> Message:
        """The live ``{message_id}`` message of the ``{channel_id}`` channel."""
        return self.w.message(req.int_param("channel_id"), req.int_param("message_id"))

    def member(self, req: Req) -> Member:
        """The ``{user_id}`` member of the ``{guild_id}`` guild."""
        return self.w.member(req.int_param("guild_id"), req.int_param("user_id"))

    def message_json(self, msg: Message) -> JSON:
        """A message as REST returns it (with its interaction metadata)."""
        return self.s.events.message_json(msg)
