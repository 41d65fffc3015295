"""REST handlers for the routes a moderation bot uses, with Discord's rules and side effects.

Each mutation updates the world and dispatches the gateway event Discord would send, so the
bot's discord.py cache changes exactly as it would in production.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from .errors import DiscordError, form_error, missing_permissions, unknown
from .ids import Intent, Perm, iso, parse_iso, snowflake_time
from .models import (
    JSON,
    Attachment,
    Callback,
    Channel,
    ChannelType,
    Interaction,
    Member,
    Message,
    Overwrite,
    RequestRecord,
    UploadedFile,
)
from .payloads import channel_payload, member_payload, message_payload, role_payload, user_payload

if TYPE_CHECKING:
    from .server import LocalDiscord

MAX_TIMEOUT = timedelta(days=28)
MAX_SLOWMODE = 21600
BULK_DELETE_MAX_AGE = timedelta(days=14)
_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
_ALLOWED_CREATE_FLAGS = 4 | 4096 | 32768


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


@dataclass
class RouteTable:
    """(method, template) → handler."""

    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)

    def add(self, method: str, template: str, handler: Handler) -> None:
        self.routes[(method, template)] = handler


class RestApi:
    """The REST surface; ``server`` supplies the world, the gateway and the records."""

    def __init__(self, server: LocalDiscord) -> None:
        self.s = server
        self.w = server.world
        t = self.table = RouteTable()
        t.add("GET", "/users/@me", self.get_me)
        t.add("GET", "/users/{user_id}", self.get_user)
        t.add("GET", "/oauth2/applications/@me", self.get_application)
        t.add("GET", "/gateway", self.get_gateway)
        t.add("GET", "/gateway/bot", self.get_gateway_bot)
        t.add("POST", "/users/@me/channels", self.create_dm)
        for scope in ("/applications/{application_id}", "/applications/{application_id}/guilds/{guild_id}"):
            t.add("PUT", scope + "/commands", self.put_commands)
            t.add("GET", scope + "/commands", self.get_commands)
            t.add("POST", scope + "/commands", self.post_command)
        t.add("GET", "/channels/{channel_id}", self.get_channel)
        t.add("PATCH", "/channels/{channel_id}", self.patch_channel)
        t.add("PUT", "/channels/{channel_id}/permissions/{overwrite_id}", self.put_overwrite)
        t.add("DELETE", "/channels/{channel_id}/permissions/{overwrite_id}", self.delete_overwrite)
        t.add("POST", "/channels/{channel_id}/typing", self.typing)
        t.add("GET", "/channels/{channel_id}/messages", self.get_messages)
        t.add("POST", "/channels/{channel_id}/messages", self.create_message)
        t.add("POST", "/channels/{channel_id}/messages/bulk-delete", self.bulk_delete)
        t.add("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message)
        t.add("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message)
        t.add("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message)
        for pins in ("/channels/{channel_id}/pins", "/channels/{channel_id}/messages/pins"):
            t.add("PUT", pins + "/{message_id}", self.pin)
            t.add("DELETE", pins + "/{message_id}", self.unpin)
            t.add("GET", pins, self.get_pins)
        t.add("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me", self.react)
        t.add("POST", "/channels/{channel_id}/threads", self.create_thread)
        t.add("POST", "/channels/{channel_id}/messages/{message_id}/threads", self.create_thread)
        t.add("GET", "/guilds/{guild_id}/roles", self.get_roles)
        t.add("GET", "/guilds/{guild_id}/channels", self.get_guild_channels)
        t.add("GET", "/guilds/{guild_id}/members", self.list_members)
        t.add("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member)
        t.add("PATCH", "/guilds/{guild_id}/members/{user_id}", self.patch_member)
        t.add("DELETE", "/guilds/{guild_id}/members/{user_id}", self.kick)
        t.add("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", self.add_role)
        t.add("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", self.remove_role)
        t.add("GET", "/guilds/{guild_id}/bans", self.get_bans)
        t.add("GET", "/guilds/{guild_id}/bans/{user_id}", self.get_ban)
        t.add("PUT", "/guilds/{guild_id}/bans/{user_id}", self.ban)
        t.add("DELETE", "/guilds/{guild_id}/bans/{user_id}", self.unban)
        t.add("POST", "/interactions/{interaction_id}/{interaction_token}/callback", self.callback)
        hook = "/webhooks/{webhook_id}/{webhook_token}"
        t.add("POST", hook, self.followup)
        for target in ("/messages/@original", "/messages/{message_id}"):
            t.add("GET", hook + target, self.get_webhook_message)
            t.add("PATCH", hook + target, self.edit_webhook_message)
            t.add("DELETE", hook + target, self.delete_webhook_message)

    # ---- helpers ---------------------------------------------------------------------------

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

    def _msg_json(self, msg: Message, *, gateway: bool = False) -> JSON:
        return message_payload(self.w, msg, gateway=gateway, interactions=self.s.interaction_metadata)

    def emit_message(self, event: str, msg: Message) -> None:
        """MESSAGE_CREATE/UPDATE for a stored message (ephemeral ones are never dispatched)."""
        if msg.ephemeral:
            return
        intent = Intent.GUILD_MESSAGES if msg.guild_id is not None else Intent.DIRECT_MESSAGES
        self.s.gateway.dispatch(event, self._msg_json(msg, gateway=True), intent=intent,
                                transform=self.s.content_gate)

    def emit_delete(self, msg: Message) -> None:
        """MESSAGE_DELETE for a message."""
        if msg.ephemeral:
            return
        data: JSON = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
        if msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
        intent = Intent.GUILD_MESSAGES if msg.guild_id is not None else Intent.DIRECT_MESSAGES
        self.s.gateway.dispatch("MESSAGE_DELETE", data, intent=intent)

    def emit_member_update(self, member: Member) -> None:
        """GUILD_MEMBER_UPDATE after roles, nick or timeout change."""
        data = member_payload(self.w, member)
        data["guild_id"] = str(member.guild_id)
        self.s.gateway.dispatch("GUILD_MEMBER_UPDATE", data, intent=Intent.GUILD_MEMBERS)

    def emit_channel_update(self, channel: Channel) -> None:
        """CHANNEL_UPDATE (or THREAD_UPDATE)."""
        event = "THREAD_UPDATE" if channel.type in ChannelType.THREADS else "CHANNEL_UPDATE"
        self.s.gateway.dispatch(event, channel_payload(self.w, channel), intent=Intent.GUILDS)

    def _components_with_ids(self, components: list[JSON]) -> list[JSON]:
        counter = iter(range(1, 10_000))

        def walk(node: Any) -> Any:
            if isinstance(node, dict):
                out = {k: walk(v) for k, v in node.items()}
                if "type" in out and "id" not in out:
                    out["id"] = next(counter)
                return out
            if isinstance(node, list):
                return [walk(x) for x in node]
            return node

        return [walk(c) for c in components]

    def _attachments(self, channel_id: int, body: JSON, files: list[UploadedFile],
                     keep: list[Attachment]) -> list[Attachment]:
        meta = {str(a.get("id")): a for a in body.get("attachments") or [] if isinstance(a, dict)}
        out: list[Attachment] = []
        kept_ids = set(meta)
        out += [a for a in keep if str(a.id) in kept_ids]
        for f in files:
            m = re.fullmatch(r"files\[(\d+)\]", f.field) or re.fullmatch(r"file(\d*)", f.field)
            index = m.group(1) if m and m.group(1) else "0"
            info = meta.get(index, {})
            att_id = self.w.snowflakes.next()
            filename = str(info.get("filename") or f.filename or "unknown")
            att = Attachment(id=att_id, filename=filename, content_type=f.content_type, data=f.data,
                             description=info.get("description"),
                             url=f"{self.s.http_url}/attachments/{channel_id}/{att_id}/{filename}")
            self.s.files[att_id] = att
            out.append(att)
        if len(out) > 10:
            raise form_error("attachments", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
        for att in out:
            if att.size > 10 * 1024 * 1024:
                raise DiscordError(413, 40005, "Request entity too large")
        return out

    def _embeds(self, embeds: list[JSON], attachments: list[Attachment]) -> list[JSON]:
        by_name = {a.filename: a for a in attachments}
        out = []
        for raw in embeds:
            embed = {"type": "rich", **raw}
            for key in ("image", "thumbnail"):
                media = embed.get(key)
                if isinstance(media, dict) and str(media.get("url", "")).startswith("attachment://"):
                    att = by_name.get(media["url"][len("attachment://"):])
                    if att is not None:
                        embed[key] = {**media, "url": att.url, "proxy_url": att.url}
            out.append(embed)
        total = sum(len(str(e.get("title") or "")) + len(str(e.get("description") or "")) for e in out)
        if total > 6000:
            raise form_error("embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
        return out

    def apply_message_body(self, msg: Message, body: JSON, files: list[UploadedFile], *, creating: bool,
                           sender_perms: int = Perm.ALL, max_content: int = 2000) -> None:
        """Apply a create/edit body to ``msg``: content, embeds, components, files, mentions.

        Bots may send 2,000 characters; members with Nitro may send 4,000 (``max_content``).
        """
        if "content" in body:
            content = body["content"] or ""
            if len(content) > max_content:
                raise form_error("content", "BASE_TYPE_MAX_LENGTH", f"Must be {max_content} or fewer in length.")
            msg.content = content
        if "embeds" in body or files or "attachments" in body:
            keep = msg.attachments if not creating else []
            if files or "attachments" in body:
                msg.attachments = self._attachments(msg.channel_id, body, files, keep)
            if "embeds" in body:
                msg.embeds = self._embeds(list(body.get("embeds") or []), msg.attachments)
        if "components" in body:
            msg.components = self._components_with_ids(list(body.get("components") or []))
        if "flags" in body and body["flags"] is not None:
            requested = int(body["flags"])
            if creating:  # EPHEMERAL (64) is added by the interaction paths, never by a plain create
                msg.flags = requested & _ALLOWED_CREATE_FLAGS
            else:  # only SUPPRESS_EMBEDS can be toggled on edit
                msg.flags = (msg.flags & ~4) | (requested & 4)
        if creating:
            msg.tts = bool(body.get("tts"))
            msg.nonce = body.get("nonce")
            if body.get("poll"):
                msg.poll = {**body["poll"], "expiry": iso(self.w.now() + timedelta(hours=24)),
                            "results": {"is_finalized": False, "answer_counts": []}}
        self._mentions(msg, body, creating=creating, sender_perms=sender_perms)
        if creating and not (msg.content or msg.embeds or msg.attachments or msg.components
                             or body.get("sticker_ids") or msg.poll):
            raise DiscordError(400, 50006, "Cannot send an empty message")

    def _mentions(self, msg: Message, body: JSON, *, creating: bool, sender_perms: int) -> None:
        allowed = body.get("allowed_mentions")
        if not creating and "allowed_mentions" not in body and "content" not in body:
            return
        parse = ["users", "roles", "everyone"] if allowed is None else list(allowed.get("parse") or [])
        allowed_users = {int(u) for u in (allowed or {}).get("users") or []}
        allowed_roles = {int(r) for r in (allowed or {}).get("roles") or []}
        users = [int(u) for u in _USER_MENTION.findall(msg.content)]
        msg.mention_ids = [u for u in dict.fromkeys(users)
                           if u in self.w.users and ("users" in parse or u in allowed_users)]
        roles = [int(r) for r in _ROLE_MENTION.findall(msg.content)]
        msg.mention_role_ids = [r for r in dict.fromkeys(roles) if "roles" in parse or r in allowed_roles]
        msg.mention_everyone = (
            ("@everyone" in msg.content or "@here" in msg.content)
            and "everyone" in parse and bool(sender_perms & Perm.MENTION_EVERYONE)
        )
        if creating and msg.reference_id is not None:
            replied = self.w.messages.get(msg.reference_id)
            ping = allowed is None or bool(allowed.get("replied_user"))
            if replied is not None and ping and replied.author_id not in msg.mention_ids:
                msg.mention_ids.append(replied.author_id)

    def _reference(self, msg: Message, body: JSON) -> None:
        ref = body.get("message_reference")
        if not ref:
            return
        if ref.get("type", 0) != 0:
            raise form_error("message_reference.type", "UNSUPPORTED", "Only reply references are supported here")
        target = self.w.messages.get(int(ref["message_id"]))
        channel_id = int(ref.get("channel_id") or msg.channel_id)
        if target is None or target.deleted or target.channel_id != channel_id or channel_id != msg.channel_id:
            if ref.get("fail_if_not_exists", True) is False:
                return
            raise form_error("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
        msg.reference_id = target.id
        msg.type = 19

    def new_message(self, channel: Channel, author_id: int) -> Message:
        """An empty message shell in ``channel``."""
        return Message(id=self.w.snowflakes.next(), channel_id=channel.id, author_id=author_id,
                       guild_id=channel.guild_id)

    def store(self, msg: Message) -> None:
        """Keep a message and update the channel's last_message_id."""
        self.w.messages[msg.id] = msg
        channel = self.w.channels.get(msg.channel_id)
        if channel is not None and not msg.ephemeral:
            channel.last_message_id = msg.id

    # ---- login & gateway discovery ---------------------------------------------------------

    async def get_me(self, req: Req) -> Any:
        bot = self.w.users[self.s.bot_user_id]
        return {**user_payload(bot), "verified": True, "mfa_enabled": False, "email": None,
                "locale": "en-US"}

    async def get_user(self, req: Req) -> Any:
        return user_payload(self.w.user(req.int_param("user_id")))

    async def get_application(self, req: Req) -> Any:
        return self.s.application_json()

    async def get_gateway(self, req: Req) -> Any:
        return {"url": self.s.gateway_base}

    async def get_gateway_bot(self, req: Req) -> Any:
        return {
            "url": self.s.gateway_base,
            "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
        }

    async def create_dm(self, req: Req) -> Any:
        user_id = int(req.body.get("recipient_id", 0))
        self.w.user(user_id)
        return channel_payload(self.w, self.s.dm_channel(user_id))

    # ---- application commands --------------------------------------------------------------

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

    # ---- channels --------------------------------------------------------------------------

    async def get_channel(self, req: Req) -> Any:
        channel = self.w.channel(req.int_param("channel_id"))
        if channel.guild_id is not None:
            self.require(channel.id, Perm.VIEW_CHANNEL)
        return channel_payload(self.w, channel)

    async def patch_channel(self, req: Req) -> Any:
        channel = self.w.channel(req.int_param("channel_id"))
        body = req.body
        if channel.guild_id is None:
            raise DiscordError(403, 50003, "Cannot execute action on a DM channel")
        needed = Perm.MANAGE_THREADS if channel.type in ChannelType.THREADS else Perm.MANAGE_CHANNELS
        if channel.type in ChannelType.THREADS and channel.owner_id == self.s.bot_user_id:
            needed = Perm.VIEW_CHANNEL
        self.require(channel.id, needed)
        if "rate_limit_per_user" in body:
            value = body["rate_limit_per_user"]
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_SLOWMODE:
                raise form_error("rate_limit_per_user", "NUMBER_TYPE_MAX",
                                 f"int value should be less than or equal to {MAX_SLOWMODE}.")
            channel.rate_limit_per_user = value
        if body.get("name"):
            channel.name = str(body["name"])[:100]
        if "topic" in body:
            channel.topic = body["topic"]
        if "nsfw" in body:
            channel.nsfw = bool(body["nsfw"])
        for flag in ("archived", "locked"):
            if flag in body and channel.type in ChannelType.THREADS:
                setattr(channel, flag, bool(body[flag]))
        if "permission_overwrites" in body:
            self.require(channel.id, Perm.MANAGE_ROLES)
            channel.overwrites = [
                Overwrite(int(o["id"]), int(o.get("type", 0)), int(o.get("allow") or 0), int(o.get("deny") or 0))
                for o in body["permission_overwrites"] or []
            ]
        self.emit_channel_update(channel)
        return channel_payload(self.w, channel)

    async def put_overwrite(self, req: Req) -> Any:
        channel = self.w.channel(req.int_param("channel_id"))
        self.require(channel.id, Perm.MANAGE_ROLES)
        target = req.int_param("overwrite_id")
        body = req.body
        channel.overwrites = [o for o in channel.overwrites if o.id != target]
        channel.overwrites.append(
            Overwrite(target, int(body.get("type") or 0), int(body.get("allow") or 0), int(body.get("deny") or 0))
        )
        self.emit_channel_update(channel)
        return None

    async def delete_overwrite(self, req: Req) -> Any:
        channel = self.w.channel(req.int_param("channel_id"))
        self.require(channel.id, Perm.MANAGE_ROLES)
        target = req.int_param("overwrite_id")
        channel.overwrites = [o for o in channel.overwrites if o.id != target]
        self.emit_channel_update(channel)
        return None

    async def typing(self, req: Req) -> Any:
        self.w.channel(req.int_param("channel_id"))
        return None

    async def create_thread(self, req: Req) -> Any:
        parent = self.w.channel(req.int_param("channel_id"))
        if parent.guild_id is None or parent.type != ChannelType.GUILD_TEXT:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        body = req.body
        starter: Message | None = None
        if "message_id" in req.params:
            starter = self.w.message(parent.id, req.int_param("message_id"))
            if starter.thread_id is not None:
                raise DiscordError(400, 160004, "A thread has already been created for this message")
            type_ = ChannelType.PUBLIC_THREAD
        else:
            type_ = int(body.get("type") or ChannelType.PRIVATE_THREAD)
        perm = Perm.CREATE_PUBLIC_THREADS if type_ == ChannelType.PUBLIC_THREAD else Perm.CREATE_PRIVATE_THREADS
        self.require(parent.id, perm | Perm.VIEW_CHANNEL)
        thread = Channel(
            id=starter.id if starter else self.w.snowflakes.next(),
            type=type_, name=str(body.get("name") or "thread")[:100], guild_id=parent.guild_id,
            parent_id=parent.id, owner_id=self.s.bot_user_id,
            auto_archive_duration=int(body.get("auto_archive_duration") or 1440),
            rate_limit_per_user=int(body.get("rate_limit_per_user") or 0), created_at=self.w.now(),
        )
        self.w.channels[thread.id] = thread
        self.w.guild(parent.guild_id).channels[thread.id] = thread
        if starter is not None:
            starter.thread_id = thread.id
        data = {**channel_payload(self.w, thread), "newly_created": True}
        self.s.gateway.dispatch("THREAD_CREATE", data, intent=Intent.GUILDS)
        return Reply(201, channel_payload(self.w, thread))

    # ---- messages --------------------------------------------------------------------------

    async def create_message(self, req: Req) -> Any:
        channel = self.w.channel(req.int_param("channel_id"))
        bot = self.s.bot_user_id
        if channel.type == ChannelType.DM:
            other = next((u for u in channel.recipient_ids if u != bot), None)
            user = self.w.users.get(other) if other is not None else None
            if user is None or user.bot or not user.dms_open:
                raise DiscordError(403, 50007, "Cannot send messages to this user")
        else:
            send = Perm.SEND_MESSAGES_IN_THREADS if channel.type in ChannelType.THREADS else Perm.SEND_MESSAGES
            self.require(channel.id, Perm.VIEW_CHANNEL | send | (Perm.ATTACH_FILES if req.files else 0))
            if channel.type in ChannelType.THREADS and channel.locked:
                raise DiscordError(400, 50083, "Thread is archived")
        body = req.body
        if body.get("flags") and int(body["flags"]) & ~_ALLOWED_CREATE_FLAGS:
            raise form_error("flags", "MESSAGE_CREATE_FLAGS_INVALID", "Invalid flags for message create")
        msg = self.new_message(channel, bot)
        self._reference(msg, body)
        perms = self.w.channel_permissions(channel.id, bot)
        self.apply_message_body(msg, body, req.files, creating=True, sender_perms=perms)
        self.store(msg)
        self.emit_message("MESSAGE_CREATE", msg)
        return self._msg_json(msg)

    async def get_messages(self, req: Req) -> Any:
        channel = self.w.channel(req.int_param("channel_id"))
        if channel.guild_id is not None:
            self.require(channel.id, Perm.VIEW_CHANNEL | Perm.READ_MESSAGE_HISTORY)
        limit = int(req.query.get("limit", 50))
        msgs = [m for m in self.w.channel_messages(channel.id) if not m.ephemeral]
        if "before" in req.query:
            msgs = [m for m in msgs if m.id < int(req.query["before"])]
        if "after" in req.query:
            msgs = [m for m in msgs if m.id > int(req.query["after"])][:limit]
        if "around" in req.query:
            pivot = int(req.query["around"])
            older = [m for m in msgs if m.id <= pivot][-((limit + 1) // 2):]
            newer = [m for m in msgs if m.id > pivot][: limit // 2]
            msgs = older + newer
        msgs = sorted(msgs, key=lambda m: m.id, reverse=True)[:limit]
        return [self._msg_json(m) for m in msgs]

    async def get_message(self, req: Req) -> Any:
        msg = self.w.message(req.int_param("channel_id"), req.int_param("message_id"))
        if msg.guild_id is not None:
            self.require(msg.channel_id, Perm.VIEW_CHANNEL | Perm.READ_MESSAGE_HISTORY)
        return self._msg_json(msg)

    async def edit_message(self, req: Req) -> Any:
        msg = self.w.message(req.int_param("channel_id"), req.int_param("message_id"))
        body = req.body
        if msg.author_id != self.s.bot_user_id:
            if set(body) - {"flags"}:
                raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
            self.require(msg.channel_id, Perm.MANAGE_MESSAGES)
        self.apply_message_body(msg, body, req.files, creating=False)
        msg.edited_at = self.w.now()
        self.emit_message("MESSAGE_UPDATE", msg)
        return self._msg_json(msg)

    async def delete_message(self, req: Req) -> Any:
        msg = self.w.message(req.int_param("channel_id"), req.int_param("message_id"))
        if msg.author_id != self.s.bot_user_id:
            if msg.guild_id is None:
                raise DiscordError(403, 50003, "Cannot execute action on a DM channel")
            self.require(msg.channel_id, Perm.MANAGE_MESSAGES)
        msg.deleted = True
        self.emit_delete(msg)
        return None

    async def bulk_delete(self, req: Req) -> Any:
        channel = self.w.channel(req.int_param("channel_id"))
        if channel.guild_id is None:
            raise DiscordError(403, 50003, "Cannot execute action on a DM channel")
        self.require(channel.id, Perm.MANAGE_MESSAGES)
        ids = [int(i) for i in req.body.get("messages") or []]
        if not 2 <= len(ids) <= 100:
            raise form_error("messages", "BASE_TYPE_BAD_LENGTH", "Must be between 2 and 100 in length.")
        oldest_ok = self.w.now() - BULK_DELETE_MAX_AGE
        if any(snowflake_time(i) < oldest_ok for i in ids):
            raise DiscordError(400, 50034, "You can only bulk delete messages that are under 14 days old.")
        deleted = []
        for mid in dict.fromkeys(ids):
            msg = self.w.messages.get(mid)
            if msg is not None and not msg.deleted and msg.channel_id == channel.id:
                msg.deleted = True
                deleted.append(str(mid))
        if deleted:
            self.s.gateway.dispatch("MESSAGE_DELETE_BULK", {"ids": deleted, "channel_id": str(channel.id),
                                                            "guild_id": str(channel.guild_id)},
                                    intent=Intent.GUILD_MESSAGES)
        return None

    async def pin(self, req: Req) -> Any:
        return self._set_pinned(req, True)

    async def unpin(self, req: Req) -> Any:
        return self._set_pinned(req, False)

    def _set_pinned(self, req: Req, pinned: bool) -> None:
        msg = self.w.message(req.int_param("channel_id"), req.int_param("message_id"))
        if msg.guild_id is not None:
            self.require(msg.channel_id, Perm.MANAGE_MESSAGES)
        if msg.pinned == pinned:
            return None
        msg.pinned = pinned
        self.s.pin_times[msg.id] = self.w.now()
        data: JSON = {"channel_id": str(msg.channel_id), "last_pin_timestamp": iso(self.w.now())}
        if msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
        self.s.gateway.dispatch("CHANNEL_PINS_UPDATE", data, intent=Intent.GUILDS)
        self.emit_message("MESSAGE_UPDATE", msg)
        return None

    async def get_pins(self, req: Req) -> Any:
        channel = self.w.channel(req.int_param("channel_id"))
        pinned = sorted((m for m in self.w.channel_messages(channel.id) if m.pinned), key=lambda m: -m.id)
        if req.path.endswith("/messages/pins"):
            return {"items": [{"pinned_at": iso(self.s.pin_times.get(m.id, self.w.now())),
                               "message": self._msg_json(m)} for m in pinned], "has_more": False}
        return [self._msg_json(m) for m in pinned]

    async def react(self, req: Req) -> Any:
        msg = self.w.message(req.int_param("channel_id"), req.int_param("message_id"))
        if msg.guild_id is not None:
            self.require(msg.channel_id, Perm.ADD_REACTIONS | Perm.READ_MESSAGE_HISTORY)
        self.s.reactions.setdefault(msg.id, []).append(req.params["emoji_name"])
        return None

    # ---- guilds & members ------------------------------------------------------------------

    async def get_roles(self, req: Req) -> Any:
        return [role_payload(r) for r in self.w.guild(req.int_param("guild_id")).roles.values()]

    async def get_guild_channels(self, req: Req) -> Any:
        guild = self.w.guild(req.int_param("guild_id"))
        return [channel_payload(self.w, c) for c in guild.channels.values() if c.type not in ChannelType.THREADS]

    async def list_members(self, req: Req) -> Any:
        guild = self.w.guild(req.int_param("guild_id"))
        after = int(req.query.get("after", 0))
        limit = int(req.query.get("limit", 1))
        members = sorted((m for m in guild.members.values() if m.user_id > after), key=lambda m: m.user_id)
        return [member_payload(self.w, m) for m in members[:limit]]

    async def get_member(self, req: Req) -> Any:
        return member_payload(self.w, self.w.member(req.int_param("guild_id"), req.int_param("user_id")))

    async def patch_member(self, req: Req) -> Any:
        guild_id = req.int_param("guild_id")
        member = self.w.member(guild_id, req.int_param("user_id"))
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
        self.emit_member_update(member)
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
        member = self.w.member(guild_id, req.int_param("user_id"))
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
        self.emit_member_update(member)
        return None

    async def kick(self, req: Req) -> Any:
        guild_id = req.int_param("guild_id")
        member = self.w.member(guild_id, req.int_param("user_id"))
        self.require_guild(guild_id, Perm.KICK_MEMBERS)
        self.require_outranks(guild_id, member.user_id)
        self.s.remove_member(guild_id, member.user_id)
        return None

    async def get_bans(self, req: Req) -> Any:
        guild = self.w.guild(req.int_param("guild_id"))
        self.require_guild(guild.id, Perm.BAN_MEMBERS)
        return [{"user": user_payload(self.w.users[u]), "reason": r} for u, r in guild.bans.items()]

    async def get_ban(self, req: Req) -> Any:
        guild = self.w.guild(req.int_param("guild_id"))
        self.require_guild(guild.id, Perm.BAN_MEMBERS)
        user_id = req.int_param("user_id")
        if user_id not in guild.bans:
            raise unknown("Ban")
        return {"user": user_payload(self.w.users[user_id]), "reason": guild.bans[user_id]}

    async def ban(self, req: Req) -> Any:
        guild = self.w.guild(req.int_param("guild_id"))
        user_id = req.int_param("user_id")
        self.w.user(user_id)
        self.require_guild(guild.id, Perm.BAN_MEMBERS)
        if user_id == self.s.bot_user_id:
            raise missing_permissions()
        if user_id in guild.members or user_id == guild.owner_id:
            self.require_outranks(guild.id, user_id)
        seconds = req.body.get("delete_message_seconds", req.query.get("delete_message_seconds", 0))
        seconds = int(seconds or 0)
        if not 0 <= seconds <= 604800:
            raise form_error("delete_message_seconds", "NUMBER_TYPE_MAX", "Must be at most 604800.")
        guild.bans[user_id] = req.reason
        if user_id in guild.members:
            self.s.remove_member(guild.id, user_id)
        self.s.gateway.dispatch("GUILD_BAN_ADD", {"guild_id": str(guild.id),
                                                  "user": user_payload(self.w.users[user_id])},
                                intent=Intent.GUILD_MODERATION)
        if seconds:
            cutoff = self.w.now() - timedelta(seconds=seconds)
            by_channel: dict[int, list[str]] = {}
            for msg in self.w.messages.values():
                if (msg.guild_id == guild.id and msg.author_id == user_id and not msg.deleted
                        and snowflake_time(msg.id) >= cutoff):
                    msg.deleted = True
                    by_channel.setdefault(msg.channel_id, []).append(str(msg.id))
            for cid, ids in by_channel.items():
                self.s.gateway.dispatch("MESSAGE_DELETE_BULK", {"ids": ids, "channel_id": str(cid),
                                                                "guild_id": str(guild.id)},
                                        intent=Intent.GUILD_MESSAGES)
        return None

    async def unban(self, req: Req) -> Any:
        guild = self.w.guild(req.int_param("guild_id"))
        user_id = req.int_param("user_id")
        self.require_guild(guild.id, Perm.BAN_MEMBERS)
        if user_id not in guild.bans:
            raise unknown("Ban")
        del guild.bans[user_id]
        self.s.gateway.dispatch("GUILD_BAN_REMOVE", {"guild_id": str(guild.id),
                                                     "user": user_payload(self.w.users[user_id])},
                                intent=Intent.GUILD_MODERATION)
        return None

    # ---- interactions ----------------------------------------------------------------------

    def _interaction_for(self, req: Req) -> Interaction:
        rec = self.s.interactions.get(req.int_param("interaction_id"))
        if rec is None or rec.token != req.params["interaction_token"]:
            raise unknown("interaction")
        return rec

    _CALLBACK_TYPES: ClassVar[dict[int, set[int]]] = {1: {1}, 2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}

    async def callback(self, req: Req) -> Any:
        rec = self._interaction_for(req)
        if rec.acked:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        if time.monotonic() - rec.created > self.s.interaction_deadline:
            raise unknown("interaction")
        body = req.body
        type_ = int(body.get("type", 0))
        if type_ not in self._CALLBACK_TYPES.get(rec.type, set()):
            raise form_error("type", "INTERACTION_CALLBACK_TYPE_INVALID",
                             f"Callback type {type_} is not valid for interaction type {rec.type}")
        data: JSON = body.get("data") or {}
        message: Message | None = None
        if type_ in (4, 5):
            channel = self.w.channel(rec.channel_id)
            message = self.new_message(channel, self.s.bot_user_id)
            message.webhook_id = self.s.application_id
            message.interaction_id = rec.id
            message.type = 20 if rec.type == 2 else 0
            flags = int(data.get("flags") or 0)
            if type_ == 4:
                self.apply_message_body(message, {**data, "flags": flags & ~64}, req.files, creating=True)
            else:
                message.flags = 128
            message.flags |= flags & 64
            self.store(message)
            rec.original_message_id = message.id
            self.emit_message("MESSAGE_CREATE", message)
        elif type_ in (6, 7):
            source = self._source_message(rec)
            rec.original_message_id = source.id if source else None
            if type_ == 7 and source is not None:
                self.apply_message_body(source, data, req.files, creating=False)
                source.edited_at = self.w.now()
                self.emit_message("MESSAGE_UPDATE", source)
                message = source
        elif type_ == 8:
            choices = data.get("choices") or []
            if len(choices) > 25:
                raise form_error("data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        elif type_ == 9:
            for key in ("custom_id", "title", "components"):
                if not data.get(key):
                    raise form_error(f"data.{key}", "BASE_TYPE_REQUIRED", "This field is required")
        rec.callbacks.append(Callback(type=type_, data=data, at=time.monotonic(), files=list(req.files)))
        if req.query.get("with_response", "").lower() not in ("1", "true"):
            return None
        resource: JSON = {"type": type_}
        if message is not None:
            resource["message"] = self._msg_json(message)
        return {
            "interaction": {
                "id": str(rec.id),
                "type": rec.type,
                "response_message_id": str(message.id) if message else None,
                "response_message_loading": type_ == 5,
                "response_message_ephemeral": bool(message and message.ephemeral),
            },
            "resource": resource,
        }

    def _source_message(self, rec: Interaction) -> Message | None:
        raw = rec.payload.get("message")
        return self.w.messages.get(int(raw["id"])) if raw else None

    def _webhook_interaction(self, req: Req) -> Interaction:
        if req.int_param("webhook_id") != self.s.application_id:
            raise unknown("Webhook")
        rec = self.s.interactions_by_token.get(req.params["webhook_token"])
        if rec is None or not rec.acked:
            raise unknown("Webhook")
        return rec

    async def followup(self, req: Req) -> Any:
        rec = self._webhook_interaction(req)
        body = req.body
        original = self.w.messages.get(rec.original_message_id) if rec.original_message_id else None
        if original is not None and original.flags & 128 and not original.deleted:
            # The first followup after a deferral replaces the "thinking" message.
            self.apply_message_body(original, {k: v for k, v in body.items() if k != "flags"}, req.files,
                                    creating=False)
            original.flags &= ~128
            self.emit_message("MESSAGE_UPDATE", original)
            return self._msg_json(original)
        channel = self.w.channel(rec.channel_id)
        msg = self.new_message(channel, self.s.bot_user_id)
        msg.webhook_id = self.s.application_id
        msg.interaction_id = rec.id
        flags = int(body.get("flags") or 0)
        self.apply_message_body(msg, {**body, "flags": flags & ~64}, req.files, creating=True)
        msg.flags |= flags & 64
        self.store(msg)
        rec.followup_ids.append(msg.id)
        self.emit_message("MESSAGE_CREATE", msg)
        return self._msg_json(msg)

    def _webhook_message(self, req: Req) -> tuple[Interaction, Message]:
        rec = self._webhook_interaction(req)
        raw = req.params.get("message_id")
        mid = rec.original_message_id if raw is None else int(raw)
        allowed = {rec.original_message_id, *rec.followup_ids}
        msg = self.w.messages.get(mid) if mid is not None else None
        if msg is None or msg.deleted or mid not in allowed:
            raise unknown("Message")
        return rec, msg

    async def get_webhook_message(self, req: Req) -> Any:
        return self._msg_json(self._webhook_message(req)[1])

    async def edit_webhook_message(self, req: Req) -> Any:
        _, msg = self._webhook_message(req)
        self.apply_message_body(msg, {k: v for k, v in req.body.items() if k != "flags"}, req.files,
                                creating=False)
        if msg.flags & 128:
            msg.flags &= ~128
        else:
            msg.edited_at = self.w.now()
        self.emit_message("MESSAGE_UPDATE", msg)
        return self._msg_json(msg)

    async def delete_webhook_message(self, req: Req) -> Any:
        rec, msg = self._webhook_message(req)
        msg.deleted = True
        if msg.id == rec.original_message_id:
            rec.original_deleted = True
        self.emit_delete(msg)
        return None
