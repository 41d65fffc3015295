"""``LocalDiscord``: a loopback Discord (gateway v10 + REST) with a control API for tests and demos.

It runs on the caller's event loop on an ephemeral 127.0.0.1 port; the real discord.py client
talks to it over real sockets once pointed at it (see :mod:`primum.localdiscord.client`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote

from aiohttp import BodyPartReader, web

from . import commands as cmds
from .errors import ControlError, DiscordError
from .gateway import Gateway, Session, content_gate
from .ids import Intent, Perm, snowflake_time
from .models import (
    JSON,
    Attachment,
    Channel,
    ChannelType,
    Guild,
    Interaction,
    Member,
    Message,
    Overwrite,
    RequestRecord,
    Role,
    SpecViolation,
    UploadedFile,
    User,
)
from .payloads import (
    application_payload,
    attachment_payload,
    channel_payload,
    guild_create_payload,
    interaction_metadata,
    interaction_payload,
    member_payload,
    message_payload,
    ready_payload,
    role_payload,
    user_payload,
)
from .rest import Reply, Req, RestApi
from .spec import OpenApiSpec, PathMatcher
from .world import World

_log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_TOKEN = "localdiscord.bot.token"  # noqa: S105 - a fake token for a fake server
_UNAUTHENTICATED = re.compile(r"^/(interactions/[^/]+/[^/]+/callback|webhooks/[^/]+/[^/]+(/.*)?)$")


@dataclass
class _Failure:
    method: str
    path: re.Pattern[str]
    status: int
    code: int
    message: str
    retry_after: float | None
    is_global: bool
    times: int


@dataclass
class _Slow:
    method: str
    path: re.Pattern[str]
    delay_s: float
    times: int


#: Members with Nitro may post up to 4,000 characters (bots only 2,000).
USER_MAX_CONTENT = 4000


class LocalDiscord:
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
            self.spec: OpenApiSpec | None = None
        else:
            self.spec = OpenApiSpec.load(spec_path)
            if self.spec is None and validate:
                raise FileNotFoundError("Discord OpenAPI spec is required (set PRIMUM_DISCORD_OPENAPI)")
        self.gateway = Gateway(self, heartbeat_interval_ms)
        self.content_gate: Callable[[Session, Any], Any] = content_gate(self.bot_user_id)
        self.rest = RestApi(self)
        self._handlers = PathMatcher([tpl for _, tpl in self.rest.table.routes])

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
        self._failures: list[_Failure] = []
        self._slow: list[_Slow] = []
        self._request_mark = 0
        self._message_mark = 0
        self._runner: web.AppRunner | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> LocalDiscord:
        """Bind the port and start serving (on the running loop)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._handle_api)
        app.router.add_get("/ws", self.gateway.handle)
        app.router.add_get("/ws/", self.gateway.handle)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._serve_attachment)
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

    @property
    def http_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` must be set to."""
        return f"{self.http_url}/api/v10"

    @property
    def gateway_base(self) -> str:
        """What ``DiscordWebSocket.DEFAULT_GATEWAY`` must be set to (also the resume URL)."""
        return f"ws://{self.host}:{self.port}/ws"

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

    # ---- REST plumbing ---------------------------------------------------------------------

    async def _read_body(self, request: web.Request) -> tuple[Any, list[UploadedFile], bool]:
        ctype = request.content_type
        if ctype.startswith("multipart/"):
            payload: Any = None
            files: list[UploadedFile] = []
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if not isinstance(part, BodyPartReader):
                    continue
                data = await part.read()
                name = part.name or ""
                if name == "payload_json":
                    payload = json.loads(data)
                else:
                    files.append(UploadedFile(name, part.filename, part.headers.get("Content-Type"), bytes(data)))
            return payload, files, payload is not None
        raw = await request.read()
        if not raw:
            return None, [], False
        if ctype == "application/json":
            return json.loads(raw), [], True
        raise DiscordError(400, 50035, f"Unsupported Content-Type {ctype!r}")

    def _respond(self, status: int, body: Any, route: str | None, extra: Mapping[str, str] | None = None
                 ) -> web.Response:
        bucket = hashlib.md5((route or "?").encode(), usedforsecurity=False).hexdigest()[:16]
        headers = {
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "4",
            "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
            "X-RateLimit-Reset-After": "1.000",
            "X-RateLimit-Bucket": bucket,
        }
        headers.update(extra or {})
        if status == 204 or body is None:
            return web.Response(status=204, headers=headers)
        data = json.dumps(body, separators=(",", ":")).encode()
        return web.Response(status=status, body=data, content_type="application/json", headers=headers)

    def _take_failure(self, method: str, path: str) -> _Failure | None:
        for failure in self._failures:
            if failure.method in (method, "*") and failure.path.search(path):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    async def _handle_api(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        method = request.method
        query = dict(request.query)
        reason_raw = request.headers.get("X-Audit-Log-Reason")
        record = RequestRecord(len(self.requests), method, path, None, query, None, [],
                               unquote(reason_raw) if reason_raw else None, time.monotonic())
        self.requests.append(record)
        route: str | None = None
        extra: dict[str, str] = {}
        try:
            try:
                body, files, has_body = await self._read_body(request)
            except (ValueError, UnicodeDecodeError):
                raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None
            record.json, record.files = body, files
            found = self._handlers.match(path)
            route = found[0] if found else None
            if self.spec is not None:
                spec_route, problems = self.spec.check(method, path, query, body, has_body)
                route = spec_route or route
                for problem in problems:
                    violation = SpecViolation(method, path, spec_route, problem)
                    self.spec_violations.append(violation)
                    _log.warning("OpenAPI violation: %s", violation)
                if problems and self.strict:
                    raise DiscordError(400, 50035, "Invalid Form Body", {
                        "_spec": {"_errors": [{"code": "OPENAPI_VIOLATION", "message": p} for p in problems]}})
            record.route = route
            failure = self._take_failure(method, path)
            if failure is not None:
                status, result = failure.status, {"message": failure.message, "code": failure.code}
                if failure.status == 429:
                    result = {"message": "You are being rate limited.", "code": failure.code,
                              "retry_after": failure.retry_after or 0.05, "global": failure.is_global}
                    extra = {"Via": "1.1 google", "Retry-After": str(failure.retry_after or 0.05),
                             "X-RateLimit-Scope": "global" if failure.is_global else "user"}
                raise _Scripted(status, result, extra)
            if not _UNAUTHENTICATED.match(path) and request.headers.get("Authorization") != f"Bot {self.token}":
                raise DiscordError(401, 0, "401: Unauthorized")
            handler = self.rest.table.routes.get((method, found[0])) if found else None
            if handler is None or found is None:
                self.unhandled.append(f"{method} {path}")
                _log.warning("local Discord has no handler for %s %s", method, path)
                raise DiscordError(404, 0, "404: Not Found")
            req = Req(method, path, found[1], query, body, files, record.reason, record)
            result = await handler(req)
            status = 200
            if isinstance(result, Reply):
                status, result = result.status, result.body
            elif result is None:
                status = 204
        except _Scripted as scripted:
            status, result, extra = scripted.status, scripted.body, scripted.headers
        except DiscordError as err:
            status, result = err.status, err.body()
        except Exception as exc:  # a bug here must not look like a Discord 5xx (those are retried)
            self.internal_errors.append(f"{method} {path}: {exc!r}")
            _log.exception("local Discord crashed on %s %s", method, path)
            status, result = 400, {"message": f"localdiscord internal error: {exc!r}", "code": 0}
        record.status = status
        record.response = result
        delay = self._take_slow(method, path)
        if delay:
            await asyncio.sleep(delay)  # the request has taken effect; only the answer is late
        return self._respond(status, result, route, extra)

    def _take_slow(self, method: str, path: str) -> float:
        for slow in self._slow:
            if slow.method in (method, "*") and slow.path.search(path):
                slow.times -= 1
                if slow.times <= 0:
                    self._slow.remove(slow)
                return slow.delay_s
        return 0.0

    async def _serve_attachment(self, request: web.Request) -> web.Response:
        att = self.files.get(int(request.match_info["attachment_id"]))
        if att is None:
            raise web.HTTPNotFound()
        return web.Response(body=att.data, content_type=att.content_type or "application/octet-stream")

    # ---- seeding ---------------------------------------------------------------------------

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

    def _guild(self, guild_id: int | None) -> Guild:
        if guild_id is not None:
            return self.world.guild(guild_id)
        if not self.world.guilds:
            raise ControlError("no guild has been created")
        return next(iter(self.world.guilds.values()))

    @property
    def guild(self) -> Guild:
        """The first (usually only) guild."""
        return self._guild(None)

    @property
    def guild_id(self) -> int:
        """Id of the first guild."""
        return self.guild.id

    def create_role(self, name: str, *, permissions: int = 0, guild_id: int | None = None,
                    position: int | None = None, color: int = 0, hoist: bool = False,
                    mentionable: bool = False, bot_id: int | None = None) -> Role:
        """Add a role; without ``position`` it goes on top. ``bot_id`` makes it the bot's managed role."""
        guild = self._guild(guild_id)
        pos = position if position is not None else max(r.position for r in guild.roles.values()) + 1
        role = Role(self.world.snowflakes.next(), guild.id, name, permissions, pos, color, hoist, mentionable,
                    managed=bot_id is not None, bot_id=bot_id)
        guild.roles[role.id] = role
        self.gateway.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role_payload(role)},
                              intent=Intent.GUILDS)
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
        self.gateway.dispatch("CHANNEL_CREATE", channel_payload(self.world, channel), intent=Intent.GUILDS)
        return channel

    def add_member(self, user_id: int, *, guild_id: int | None = None, roles: Sequence[int] = (),
                   nick: str | None = None, joined_at: datetime | None = None, dispatch: bool = False) -> Member:
        """Make a user a member (silently; ``dispatch=True`` or :meth:`member_join` sends the event)."""
        guild = self._guild(guild_id)
        self.world.user(user_id)
        member = Member(user_id, guild.id, joined_at or self.world.now(), list(roles), nick)
        guild.members[user_id] = member
        if dispatch:
            data = {**member_payload(self.world, member), "guild_id": str(guild.id)}
            self.gateway.dispatch("GUILD_MEMBER_ADD", data, intent=Intent.GUILD_MEMBERS)
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
        self.gateway.dispatch("GUILD_MEMBER_REMOVE", {"guild_id": str(guild_id),
                                                      "user": user_payload(self.world.users[user_id])},
                              intent=Intent.GUILD_MEMBERS)

    # ---- people doing things ---------------------------------------------------------------

    def _action(self) -> None:
        self._request_mark = len(self.requests)
        self._message_mark = max(self.world.messages, default=0)

    def mark(self) -> int:
        """Set the "since" watermark for the wait helpers to now, and return the request index."""
        self._action()
        return self._request_mark

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
        self.rest.apply_message_body(msg, body, files, creating=True,
                                     sender_perms=self.world.channel_permissions(channel.id, user_id)
                                     if channel.guild_id else 0, max_content=USER_MAX_CONTENT)
        self.rest.store(msg)
        self.rest.emit_message("MESSAGE_CREATE", msg)
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
        msg = self.world.messages.get(message_id)
        if msg is None or msg.deleted:
            raise ControlError(f"no message {message_id}")
        self.rest.apply_message_body(msg, {"content": content}, [], creating=False, max_content=USER_MAX_CONTENT)
        msg.edited_at = self.world.now()
        self.rest.emit_message("MESSAGE_UPDATE", msg)
        return msg

    def user_deletes(self, message_id: int) -> None:
        """The author (or a human moderator) deletes a message (MESSAGE_DELETE)."""
        self._action()
        msg = self.world.messages.get(message_id)
        if msg is None or msg.deleted:
            raise ControlError(f"no message {message_id}")
        msg.deleted = True
        self.rest.emit_delete(msg)

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
        data = {**member_payload(self.world, member), "guild_id": str(guild.id)}
        self.gateway.dispatch("GUILD_MEMBER_ADD", data, intent=Intent.GUILD_MEMBERS)
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
        self.rest.emit_member_update(member)
        return member

    def close_dms(self, user_id: int) -> None:
        """Make DMs from the bot to this user fail with 403 50007."""
        self.world.user(user_id).dms_open = False

    def open_dms(self, user_id: int) -> None:
        """Undo :meth:`close_dms`."""
        self.world.user(user_id).dms_open = True

    # ---- interactions ----------------------------------------------------------------------

    def _default_channel(self) -> int:
        if self.default_channel_id is None:
            raise ControlError("no channel given and no default channel")
        return self.default_channel_id

    def _new_interaction(self, type_: int, user_id: int, channel_id: int, data: JSON | None,
                         message: Message | None = None, name: str | None = None) -> Interaction:
        self._action()
        channel = self.world.channel(channel_id)
        iid = self.world.snowflakes.next()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        msg_json = message_payload(self.world, message, interactions=self.interaction_metadata) if message else None
        payload = interaction_payload(self.world, interaction_id=iid, token=token, type_=type_,
                                      app_id=self.application_id, bot_id=self.bot_user_id, user_id=user_id,
                                      channel_id=channel.id, data=data, message=msg_json)
        extra: JSON = {}
        if message is not None:
            extra["interacted_message_id"] = str(message.id)
        self.interaction_metadata[iid] = interaction_metadata(
            self.world, interaction_id=iid, type_=type_, user_id=user_id, guild_id=channel.guild_id,
            name=name, extra=extra)
        rec = Interaction(iid, token, type_, user_id, channel.id, channel.guild_id, payload, time.monotonic())
        self.interactions[iid] = rec
        self.interactions_by_token[token] = rec
        self.gateway.dispatch("INTERACTION_CREATE", payload)
        return rec

    def _visible_commands(self, guild_id: int | None) -> list[JSON]:
        scoped = self.world.guilds[guild_id].commands if guild_id is not None else []
        return [*scoped, *self.global_commands]

    def _command_context(self, user_id: int, channel_id: int | None) -> tuple[Channel, int | None]:
        channel = self.world.channel(channel_id or self._default_channel())
        if channel.guild_id is not None and user_id not in self.world.guild(channel.guild_id).members:
            raise ControlError(f"user {user_id} is not a member")
        return channel, channel.guild_id

    def invoke_slash(self, user_id: int, command: str, options: Mapping[str, Any] | None = None, *,
                     channel_id: int | None = None) -> Interaction:
        """A user runs ``/command [group] [sub]`` with typed ``options`` (ids for users/roles/channels)."""
        channel, guild_id = self._command_context(user_id, channel_id)
        name, *path = command.strip().lstrip("/").split()
        cmd = cmds.find_command(self._visible_commands(guild_id), name, 1)
        cmds.check_visible(self.world, cmd, guild_id, user_id)
        schema, chain = cmds.walk_path(cmd, path)
        builder = cmds.OptionBuilder(self.world, guild_id, channel.id)
        leaf = builder.options(schema, options or {})
        data = self._command_data(cmd, cmds.nest(chain, leaf), builder, channel.id)
        return self._new_interaction(2, user_id, channel.id, data, name=" ".join([name, *path]))

    def _command_data(self, cmd: JSON, options: list[JSON], builder: cmds.OptionBuilder,
                      channel_id: int) -> JSON:
        data: JSON = {"id": cmd["id"], "name": cmd["name"], "type": cmd["type"]}
        if options:
            data["options"] = options
        for att_id, filename, blob, ctype in builder.attachments:
            att = Attachment(att_id, filename, ctype, blob,
                             url=f"{self.http_url}/attachments/{channel_id}/{att_id}/{filename}")
            self.files[att_id] = att
            builder.resolved.setdefault("attachments", {})[str(att_id)] = attachment_payload(att)
        if builder.resolved:
            data["resolved"] = builder.resolved
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return data

    def autocomplete(self, user_id: int, command: str, options: Mapping[str, Any], focused: str, *,
                     channel_id: int | None = None) -> Interaction:
        """The Discord client asks for choices while ``focused`` is being typed (value is partial)."""
        channel, guild_id = self._command_context(user_id, channel_id)
        name, *path = command.strip().lstrip("/").split()
        cmd = cmds.find_command(self._visible_commands(guild_id), name, 1)
        cmds.check_visible(self.world, cmd, guild_id, user_id)
        schema, chain = cmds.walk_path(cmd, path)
        target = next((o for o in schema if o["name"] == focused), None)
        if target is None or not target.get("autocomplete"):
            raise ControlError(f"option {focused!r} of /{command} has no autocomplete")
        builder = cmds.OptionBuilder(self.world, guild_id, channel.id)
        leaf = builder.options(schema, options, focused=focused)
        data = self._command_data(cmd, cmds.nest(chain, leaf), builder, channel.id)
        return self._new_interaction(4, user_id, channel.id, data)

    def invoke_user_command(self, user_id: int, name: str, target_id: int, *,
                            channel_id: int | None = None) -> Interaction:
        """A user picks an app from another member's context menu (Apps → ``name``)."""
        channel, guild_id = self._command_context(user_id, channel_id)
        cmd = cmds.find_command(self._visible_commands(guild_id), name, 2)
        cmds.check_visible(self.world, cmd, guild_id, user_id)
        builder = cmds.OptionBuilder(self.world, guild_id, channel.id)
        builder.value({"name": "target", "type": cmds.OptionType.USER}, target_id)
        data = self._command_data(cmd, [], builder, channel.id)
        data["target_id"] = str(target_id)
        return self._new_interaction(2, user_id, channel.id, data, name=name)

    def invoke_message_command(self, user_id: int, name: str, message_id: int) -> Interaction:
        """A user picks an app from a message's context menu."""
        target = self.world.messages.get(message_id)
        if target is None or target.deleted:
            raise ControlError(f"no message {message_id}")
        channel, guild_id = self._command_context(user_id, target.channel_id)
        cmd = cmds.find_command(self._visible_commands(guild_id), name, 3)
        cmds.check_visible(self.world, cmd, guild_id, user_id)
        data: JSON = {"id": cmd["id"], "name": cmd["name"], "type": 3, "target_id": str(message_id),
                      "resolved": {"messages": {str(message_id): message_payload(
                          self.world, target, interactions=self.interaction_metadata)}}}
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return self._new_interaction(2, user_id, channel.id, data, name=name)

    def _find_component(self, msg: Message, custom_id: str) -> JSON:
        def walk(node: Any) -> JSON | None:
            if isinstance(node, dict):
                if node.get("custom_id") == custom_id and node.get("type") != 1:
                    return node
                for value in node.values():
                    hit = walk(value)
                    if hit is not None:
                        return hit
            elif isinstance(node, list):
                for item in node:
                    hit = walk(item)
                    if hit is not None:
                        return hit
            return None

        found = walk(msg.components)
        if found is None:
            ids = re.findall(r"'custom_id': '([^']*)'", repr(msg.components))
            raise ControlError(f"message {msg.id} has no component {custom_id!r}; it has {ids}")
        if found.get("disabled"):
            raise ControlError(f"component {custom_id!r} is disabled")
        return found

    def _component_interaction(self, user_id: int, message_id: int, custom_id: str,
                               values: list[str] | None) -> Interaction:
        msg = self.world.messages.get(message_id)
        if msg is None or msg.deleted:
            raise ControlError(f"no message {message_id}")
        if msg.author_id != self.bot_user_id:
            raise ControlError("only the bot's own components can be used")
        if msg.ephemeral and msg.interaction_id is not None:
            owner = self.interactions[msg.interaction_id].user_id
            if owner != user_id:
                raise ControlError("that ephemeral message is only visible to its invoker")
        comp = self._find_component(msg, custom_id)
        data: JSON = {"custom_id": custom_id, "component_type": comp["type"]}
        if "id" in comp:
            data["id"] = comp["id"]
        if comp["type"] == 2:
            if values is not None:
                raise ControlError("buttons take no values")
            if comp.get("style") == 5 or "url" in comp:
                raise ControlError("link buttons do not create interactions")
        else:
            chosen = list(values or [])
            low, high = int(comp.get("min_values", 1)), int(comp.get("max_values", 1))
            if not low <= len(chosen) <= high:
                raise ControlError(f"select needs {low}..{high} values")
            if comp["type"] == 3:
                options = [o["value"] for o in comp.get("options", [])]
                bad = [v for v in chosen if v not in options]
                if bad:
                    raise ControlError(f"{bad} are not options of {custom_id!r}: {options}")
            data["values"] = chosen
        return self._new_interaction(3, user_id, msg.channel_id, data, message=msg)

    def click_button(self, user_id: int, message_id: int, custom_id: str) -> Interaction:
        """A user clicks a button the bot sent."""
        return self._component_interaction(user_id, message_id, custom_id, None)

    def choose(self, user_id: int, message_id: int, custom_id: str, values: Sequence[str]) -> Interaction:
        """A user picks ``values`` in a select menu the bot sent."""
        return self._component_interaction(user_id, message_id, custom_id, list(values))

    def submit_modal(self, interaction: Interaction | int, values: Mapping[str, str | Sequence[str]]
                     ) -> Interaction:
        """The user fills in and submits the modal the bot opened on ``interaction``."""
        rec = interaction if isinstance(interaction, Interaction) else self.interactions[interaction]
        modal = rec.modal
        if modal is None:
            raise ControlError(f"the bot did not answer interaction {rec.id} with a modal")
        remaining = dict(values)

        def field(comp: JSON) -> JSON:
            cid = comp.get("custom_id", "")
            out: JSON = {"type": comp["type"], "custom_id": cid}
            if "id" in comp:
                out["id"] = comp["id"]
            given = remaining.pop(cid, None)
            if comp["type"] == 4:
                text = "" if given is None else str(given)
                if comp.get("required", True) and not text:
                    raise ControlError(f"modal field {cid!r} is required")
                if text and len(text) < int(comp.get("min_length", 0)):
                    raise ControlError(f"modal field {cid!r} is shorter than {comp['min_length']}")
                if len(text) > int(comp.get("max_length", 4000)):
                    raise ControlError(f"modal field {cid!r} is longer than {comp['max_length']}")
                out["value"] = text
            else:
                out["values"] = [] if given is None else ([given] if isinstance(given, str) else list(given))
            return out

        rows: list[JSON] = []
        for comp in modal.get("components", []):
            if comp["type"] == 1:
                rows.append({"type": 1, "id": comp.get("id", 0), "components": [field(c) for c in comp["components"]]})
            elif comp["type"] == 18:
                rows.append({"type": 18, "id": comp.get("id", 0), "component": field(comp["component"])})
            elif comp["type"] == 10:
                rows.append({"type": 10, "id": comp.get("id", 0)})
        if remaining:
            raise ControlError(f"modal has no fields {sorted(remaining)}")
        data = {"custom_id": modal["custom_id"], "components": rows}
        source = self.rest._source_message(rec)
        return self._new_interaction(5, rec.user_id, rec.channel_id, data, message=source)

    # ---- gateway controls ------------------------------------------------------------------

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the bot's websocket (4000: resumable; discord.py reconnects and RESUMEs)."""
        await self.gateway.drop(code)

    async def send_reconnect(self) -> None:
        """Send op 7 RECONNECT."""
        await self.gateway.send_reconnect()

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION."""
        await self.gateway.invalidate(resumable)

    def fail_next(self, method: str, path_regex: str, status: int, code: int = 0, *,
                  message: str | None = None, retry_after: float | None = None, is_global: bool = False,
                  times: int = 1) -> None:
        """Make the next ``times`` matching requests fail (429 gets ``retry_after``, ``global`` and Via)."""
        self._failures.append(_Failure(method.upper(), re.compile(path_regex), status, code,
                                       message or f"{status}: scripted failure", retry_after, is_global, times))

    def slow_next(self, method: str, path_regex: str, delay_s: float, *, times: int = 1) -> None:
        """Answer the next ``times`` matching requests ``delay_s`` late, after they took effect.

        A client killed while waiting has sent something it never learnt about (a DM that exists
        although its sender never saw the reply): the case exactly-once delivery must handle.
        """
        self._slow.append(_Slow(method.upper(), re.compile(path_regex), delay_s, times))

    def clear_faults(self) -> None:
        """Forget every scripted failure and delay that has not fired yet."""
        self._failures.clear()
        self._slow.clear()

    # ---- views -----------------------------------------------------------------------------

    def messages(self, channel_id: int, *, include_deleted: bool = False,
                 include_ephemeral: bool = True) -> list[Message]:
        """Messages in a channel, oldest first."""
        return [m for m in self.world.messages.values() if m.channel_id == channel_id
                and (include_deleted or not m.deleted) and (include_ephemeral or not m.ephemeral)]

    def bot_messages(self, channel_id: int | None = None, *, include_deleted: bool = False) -> list[Message]:
        """What the bot posted (in one channel, or everywhere), oldest first."""
        return [m for m in self.world.messages.values() if m.author_id == self.bot_user_id
                and (channel_id is None or m.channel_id == channel_id) and (include_deleted or not m.deleted)]

    def dms_to(self, user_id: int) -> list[Message]:
        """DMs the bot sent to a user."""
        cid = self.world.dm_by_user.get(user_id)
        return [] if cid is None else self.bot_messages(cid)

    def interaction(self, interaction_id: int) -> Interaction:
        """An interaction record by id."""
        return self.interactions[interaction_id]

    def original_message(self, interaction: Interaction | int) -> Message | None:
        """The message the interaction's response created or updated (None for modal/autocomplete)."""
        rec = interaction if isinstance(interaction, Interaction) else self.interactions[interaction]
        return self.world.messages.get(rec.original_message_id) if rec.original_message_id else None

    def followups(self, interaction: Interaction | int) -> list[Message]:
        """Followup messages sent for an interaction (excluding the one that replaced a deferral)."""
        rec = interaction if isinstance(interaction, Interaction) else self.interactions[interaction]
        return [self.world.messages[i] for i in rec.followup_ids]

    def channel(self, channel_id: int) -> Channel:
        """A channel's current state."""
        return self.world.channel(channel_id)

    def slowmode(self, channel_id: int) -> int:
        """Current ``rate_limit_per_user`` of a channel."""
        return self.world.channel(channel_id).rate_limit_per_user

    def member(self, user_id: int, *, guild_id: int | None = None) -> Member | None:
        """A member's current state, or None if not (any more) in the guild."""
        return self._guild(guild_id).members.get(user_id)

    def timeout_until(self, user_id: int, *, guild_id: int | None = None) -> datetime | None:
        """When the member's timeout ends (None if not timed out)."""
        member = self.member(user_id, guild_id=guild_id)
        if member is None or not self.world.is_timed_out(member):
            return None
        return member.communication_disabled_until

    def role_names(self, user_id: int, *, guild_id: int | None = None) -> list[str]:
        """Names of a member's roles."""
        guild = self._guild(guild_id)
        member = guild.members.get(user_id)
        return [guild.roles[r].name for r in member.roles if r in guild.roles] if member else []

    def find_role(self, name: str, *, guild_id: int | None = None) -> Role:
        """A role by exact name."""
        for role in self._guild(guild_id).roles.values():
            if role.name == name:
                return role
        raise KeyError(name)

    def find_channel(self, name: str, *, guild_id: int | None = None) -> Channel:
        """A channel by name (with or without '#')."""
        for channel in self._guild(guild_id).channels.values():
            if channel.name == name.lstrip("#"):
                return channel
        raise KeyError(name)

    def requests_to(self, method: str, path_regex: str, *, since: int = 0) -> list[RequestRecord]:
        """Logged requests matching method and path regex."""
        pattern = re.compile(path_regex)
        return [r for r in self.requests[since:] if r.method == method.upper() and pattern.search(r.path)]

    def take_spec_violations(self) -> list[SpecViolation]:
        """Return and forget recorded violations (for tests that provoke one on purpose)."""
        out, self.spec_violations = self.spec_violations, []
        return out

    def problems(self) -> list[str]:
        """Everything that should fail a test: spec violations, unhandled routes, internal errors."""
        return ([f"OpenAPI violation: {v}" for v in self.spec_violations]
                + [f"unhandled route: {u}" for u in self.unhandled]
                + [f"localdiscord bug: {e}" for e in self.internal_errors])

    def assert_clean(self) -> None:
        """Raise AssertionError listing :meth:`problems`, if any."""
        found = self.problems()
        if found:
            raise AssertionError("local Discord saw problems:\n  " + "\n  ".join(found))

    # ---- waiting ---------------------------------------------------------------------------

    async def wait_for(
        self, predicate: Callable[[], T | None], timeout: float = 5.0, *, what: str | None = None  # noqa: ASYNC109
    ) -> T:
        """Poll ``predicate`` (server or bot-side state) until truthy; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what or predicate!r}")
            await asyncio.sleep(0.01)

    async def wait_request(self, method: str, path_regex: str, *, since: int | None = None,
                           timeout: float = 5.0) -> RequestRecord:  # noqa: ASYNC109
        """The first matching request (answered) since the last control action or ``since``."""
        start = self._request_mark if since is None else since

        def find() -> RequestRecord | None:
            return next((r for r in self.requests_to(method, path_regex, since=start) if r.status), None)

        return await self.wait_for(find, timeout, what=f"{method} {path_regex}")

    async def wait_interaction_response(
        self, interaction: Interaction | int, timeout: float = 5.0  # noqa: ASYNC109
    ) -> Interaction:
        """Wait until the bot acknowledged the interaction; return its record."""
        rec = interaction if isinstance(interaction, Interaction) else self.interactions[interaction]
        await self.wait_for(lambda: rec.acked, timeout, what=f"a response to interaction {rec.id}")
        return rec

    async def wait_message(self, channel_id: int | None = None, *, author_id: int | None = None,
                           predicate: Callable[[Message], bool] | None = None, since: int | None = None,
                           timeout: float = 5.0) -> Message:  # noqa: ASYNC109
        """The first new message (default: by the bot) in a channel since the last control action."""
        floor = self._message_mark if since is None else since
        author = self.bot_user_id if author_id is None else author_id

        def find() -> Message | None:
            for msg in list(self.world.messages.values()):
                if (msg.id > floor and not msg.deleted and msg.author_id == author
                        and (channel_id is None or msg.channel_id == channel_id)
                        and not msg.flags & 128 and (predicate is None or predicate(msg))):
                    return msg
            return None

        return await self.wait_for(find, timeout, what=f"a message in {channel_id}")

    async def wait_dm(self, user_id: int, *, timeout: float = 5.0) -> Message:  # noqa: ASYNC109
        """The first new DM from the bot to a user since the last control action."""
        await self.wait_for(lambda: user_id in self.world.dm_by_user, timeout, what=f"a DM channel with {user_id}")
        return await self.wait_message(self.world.dm_by_user[user_id], timeout=timeout)

    async def wait_connected(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until a session is connected and everything queued has been written to it."""

        def done() -> bool:
            return any(s.conn is not None and not s.conn.ws.closed and s.conn.sent_upto >= s.seq
                       for s in self.gateway.live_sessions())

        await self.wait_for(done, timeout, what="a gateway session")

    # ---- optional HTTP control -------------------------------------------------------------

    _CONTROL_ACTIONS = frozenset({
        "user_says", "user_dms_bot", "user_edits", "user_deletes", "member_join", "member_leave",
        "invoke_slash", "invoke_user_command", "invoke_message_command", "autocomplete", "click_button",
        "choose", "submit_modal", "drop_connection", "send_reconnect", "invalidate_session", "close_dms",
        "open_dms", "fail_next", "slow_next", "clear_faults",
    })

    async def _handle_control(self, request: web.Request) -> web.Response:
        action = request.match_info["action"]
        try:
            if action == "state" and request.method == "GET":
                return self._respond(200, _jsonable(self.summary()), "_control")
            if action not in self._CONTROL_ACTIONS or request.method != "POST":
                raise ControlError(f"unknown control action {action!r}")
            kwargs = await request.json() if request.can_read_body else {}
            result = getattr(self, action)(**kwargs)
            if isinstance(result, Awaitable):
                result = await result
            return self._respond(200, {"ok": True, "result": _jsonable(result)}, "_control")
        except (ControlError, DiscordError, TypeError, KeyError, ValueError) as exc:
            return self._respond(400, {"ok": False, "error": str(exc)}, "_control")

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


class _Scripted(Exception):
    def __init__(self, status: int, body: Any, headers: dict[str, str]) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers


def _guess_type(filename: str) -> str:
    lowered = filename.lower()
    for ext, ctype in ((".png", "image/png"), (".jpg", "image/jpeg"), (".jpeg", "image/jpeg"),
                       (".txt", "text/plain"), (".pdf", "application/pdf"), (".json", "application/json")):
        if lowered.endswith(ext):
            return ctype
    return "application/octet-stream"


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name not in ("data", "payload")}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool) and value > 2**53:
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value
