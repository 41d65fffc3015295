"""Messages: sending, reading history, editing, deleting (one or in bulk), pins and reactions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from primum.localdiscord.errors import DiscordError, form_error, not_in_dms
from primum.localdiscord.ids import Perm, iso, snowflake_time
from primum.localdiscord.message_bodies import ALLOWED_CREATE_FLAGS
from primum.localdiscord.models import ChannelType

from .base import Req, Resource, Route

BULK_DELETE_MAX_AGE = timedelta(days=14)
_MESSAGES = "/channels/{channel_id}/messages"
_MESSAGE = _MESSAGES + "/{message_id}"


class MessageRoutes(Resource):
    """``/channels/{channel_id}/messages...``, pins and the bot's own reactions."""

    def routes(self) -> Iterable[Route]:
        yield "GET", _MESSAGES, self.get_messages
        yield "POST", _MESSAGES, self.create_message
        yield "POST", _MESSAGES + "/bulk-delete", self.bulk_delete
        yield "GET", _MESSAGE, self.get_message
        yield "PATCH", _MESSAGE, self.edit_message
        yield "DELETE", _MESSAGE, self.delete_message
        for pins in ("/channels/{channel_id}/pins", "/channels/{channel_id}/messages/pins"):
            yield "PUT", pins + "/{message_id}", self.pin
            yield "DELETE", pins + "/{message_id}", self.unpin
            yield "GET", pins, self.get_pins
        yield "PUT", _MESSAGE + "/reactions/{emoji_name}/@me", self.react

    async def create_message(self, req: Req) -> Any:
        channel = self.channel(req)
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
        if body.get("flags") and int(body["flags"]) & ~ALLOWED_CREATE_FLAGS:
            raise form_error("flags", "MESSAGE_CREATE_FLAGS_INVALID", "Invalid flags for message create")
        bodies = self.s.bodies
        msg = bodies.new_message(channel, bot)
        bodies.reference(msg, body)
        perms = self.w.channel_permissions(channel.id, bot)
        bodies.apply(msg, body, req.files, creating=True, sender_perms=perms)
        bodies.store(msg)
        self.s.events.message("MESSAGE_CREATE", msg)
        return self.message_json(msg)

    async def get_messages(self, req: Req) -> Any:
        channel = self.channel(req)
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
        return [self.message_json(m) for m in msgs]

    async def get_message(self, req: Req) -> Any:
        msg = self.message(req)
        if msg.guild_id is not None:
            self.require(msg.channel_id, Perm.VIEW_CHANNEL | Perm.READ_MESSAGE_HISTORY)
        return self.message_json(msg)

    async def edit_message(self, req: Req) -> Any:
        msg = self.message(req)
        body = req.body
        if msg.author_id != self.s.bot_user_id:
            if set(body) - {"flags"}:
                raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
            self.require(msg.channel_id, Perm.MANAGE_MESSAGES)
        self.s.bodies.apply(msg, body, req.files, creating=False)
        msg.edited_at = self.w.now()
        self.s.events.message("MESSAGE_UPDATE", msg)
        return self.message_json(msg)

    async def delete_message(self, req: Req) -> Any:
        msg = self.message(req)
        if msg.author_id != self.s.bot_user_id:
            if msg.guild_id is None:
                raise not_in_dms()
            self.require(msg.channel_id, Perm.MANAGE_MESSAGES)
        msg.deleted = True
        self.s.events.message_delete(msg)
        return None

    async def bulk_delete(self, req: Req) -> Any:
        channel = self.channel(req)
        if channel.guild_id is None:
            raise not_in_dms()
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
            self.s.events.message_delete_bulk(channel.id, channel.guild_id, deleted)
        return None

    async def pin(self, req: Req) -> Any:
        return self._set_pinned(req, True)

    async def unpin(self, req: Req) -> Any:
        return self._set_pinned(req, False)

    def _set_pinned(self, req: Req, pinned: bool) -> None:
        msg = self.message(req)
        if msg.guild_id is not None:
            self.require(msg.channel_id, Perm.MANAGE_MESSAGES)
        if msg.pinned == pinned:
            return None
        msg.pinned = pinned
        self.s.pin_times[msg.id] = self.w.now()
        self.s.events.pins_update(msg)
        self.s.events.message("MESSAGE_UPDATE", msg)
        return None

    async def get_pins(self, req: Req) -> Any:
        channel = self.channel(req)
        pinned = sorted((m for m in self.w.channel_messages(channel.id) if m.pinned), key=lambda m: -m.id)
        if req.path.endswith("/messages/pins"):
            return {"items": [{"pinned_at": iso(self.s.pin_times.get(m.id, self.w.now())),
                               "message": self.message_json(m)} for m in pinned], "has_more": False}
        return [self.message_json(m) for m in pinned]

    async def react(self, req: Req) -> Any:
        msg = self.message(req)
        if msg.guild_id is not None:
            self.require(msg.channel_id, Perm.ADD_REACTIONS | Perm.READ_MESSAGE_HISTORY)
        self.s.reactions.setdefault(msg.id, []).append(req.params["emoji_name"])
        return None
