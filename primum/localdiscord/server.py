"""``LocalDiscord``: a loopback Discord (gateway v10 + REST) with a control API for tests and demos.

It runs on the caller's event loop on an ephemeral 127.0.0.1 port; the real discord.py client
talks to it over real sockets once pointed at it (see :mod:`primum.localdiscord.client`).

The REST API lives in :mod:`.routes` (one module per resource), the gateway in :mod:`.gateway`,
and the control API in :mod:`.control` (one mixin per group of methods); this module wires them
together and answers what the gateway asks of its host (READY, GUILD_CREATE, member chunks).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from aiohttp import web

from .control.app_commands import AppCommands
from .control.components import Components
from .control.disruptions import Disruptions
from .control.http_control import HttpControl
from .control.people import People
from .control.waiting import Waiting
from .faults import FaultPlan
from .gateway import Gateway, content_gate
from .gateway_events import GatewayEvents
from .message_bodies import MessageBodies
from .models import JSON, Attachment, Interaction, RequestRecord, SpecViolation, User
from .payloads import member_payload
from .routes import build_route_table
from .routes.pipeline import RestPipeline
from .session_payloads import application_payload, guild_create_payload, ready_payload
from .spec import OpenApiSpec
from .world import World

_log = logging.getLogger(__name__)

DEFAULT_TOKEN = "localdiscord.bot.token"  # noqa: S105 - a fake token for a fake server


class LocalDiscord(People, AppCommands, Components, Disruptions, Waiting, HttpControl):
    """The loopback Discord server, its world, its records and its control API."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_name: str = "Primum",
        heartbeat_interval_ms: int = 41250,
        spec_path: str | Path | None = None,
        validate: bool | None = None,
        strict: bool = True,
        interaction_deadline: float = 3.0,
        now: Callable[[], datetime] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.strict = strict
        self.interaction_deadline = interaction_deadline
        self.world = World(now) if now else World()
        w = self.world
        self.application_id = w.snowflakes.next()
        self.bot_user_id = self.application_id
        w.users[self.bot_user_id] = User(self.bot_user_id, bot_name.lower(), bot_name, bot=True)
        owner = self.create_user("app_owner", global_name="App Owner")
        self.app_owner_id = owner.id
        if validate is False:
            self.spec = None
        else:
            self.spec = OpenApiSpec.load(spec_path)
            if self.spec is None and validate:
                raise FileNotFoundError("Discord OpenAPI spec is required (set PRIMUM_DISCORD_OPENAPI)")
        self.gateway = Gateway(self, heartbeat_interval_ms)
        self.content_gate = content_gate(self.bot_user_id)
        self.bodies = MessageBodies(self)
        self.events = GatewayEvents(self)
        self.faults = FaultPlan()
        self.rest = RestPipeline(self, build_route_table(self))

        self.requests: list[RequestRecord] = []
        self.spec_violations: list[SpecViolation] = []
        self.unhandled: list[str] = []
        self.internal_errors: list[str] = []
        self.global_commands: list[JSON] = []
        self.commands_synced: list[int | None] = []
        self.interactions: dict[int, Interaction] = {}
        self.interactions_by_token: dict[str, Interaction] = {}
        self.interaction_metadata: dict[int, JSON] = {}
        self.files: dict[int, Attachment] = {}
        self.pin_times: dict[int, datetime] = {}
        self.reactions: dict[int, list[str]] = {}
        self.default_channel_id: int | None = None
        self._request_mark = 0
        self._message_mark = 0
        self._runner: web.AppRunner | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> LocalDiscord:
        """Bind the port and start serving (on the running loop)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/v10/{tail:.*}", self.rest.handle_api)
        app.router.add_get("/ws", self.gateway.handle)
        app.router.add_get("/ws/", self.gateway.handle)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self.rest.serve_attachment)
        app.router.add_route("*", "/_control/{action}", self._handle_control)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self.gateway.url = self.gateway_base
        _log.info("local Discord listening on %s", self.http_url)
        return self

    async def stop(self) -> None:
        """Close websockets and the listener."""
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LocalDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- gateway host protocol -------------------------------------------------------------

    def ready_data(self, session_id: str, resume_url: str) -> JSON:
        """READY for a new session."""
        guilds = [g.id for g in self.world.guilds.values() if self.bot_user_id in g.members]
        return ready_payload(bot=self.world.users[self.bot_user_id], app_id=self.application_id,
                             guild_ids=guilds, session_id=session_id, resume_url=resume_url)

    def guild_create_payloads(self) -> list[JSON]:
        """GUILD_CREATE for each guild the bot is in."""
        return [guild_create_payload(self.world, g, self.bot_user_id)
                for g in self.world.guilds.values() if self.bot_user_id in g.members]

    def member_chunks(self, request: JSON) -> list[JSON]:
        """Answer op 8 with one GUILD_MEMBERS_CHUNK per guild."""
        raw = request.get("guild_id")
        ids = raw if isinstance(raw, list) else [raw]
        out = []
        for gid in ids:
            guild = self.world.guilds.get(int(gid or 0))
            if guild is None:
                continue
            members = list(guild.members.values())
            query = str(request.get("query") or "").lower()
            if request.get("user_ids"):
                wanted = {int(u) for u in request["user_ids"]}
                members = [m for m in members if m.user_id in wanted]
            elif query:
                members = [m for m in members if self.world.users[m.user_id].username.lower().startswith(query)]
            limit = int(request.get("limit") or 0)
            if limit:
                members = members[:limit]
            chunk: JSON = {"guild_id": str(guild.id), "members": [member_payload(self.world, m) for m in members],
                           "chunk_index": 0, "chunk_count": 1, "not_found": []}
            if request.get("nonce"):
                chunk["nonce"] = request["nonce"]
            out.append(chunk)
        return out

    def application_json(self) -> JSON:
        """GET /oauth2/applications/@me."""
        return application_payload(self.application_id, self.world.users[self.bot_user_id],
                                   self.world.users[self.app_owner_id])


__all__ = ["DEFAULT_TOKEN", "LocalDiscord"]
