"""Channels: reading and changing a channel (slowmode, overwrites), typing, and threads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from primum.localdiscord.errors import DiscordError, form_error, not_in_dms
from primum.localdiscord.ids import Perm
from primum.localdiscord.models import Channel, ChannelType, Message, Overwrite
from primum.localdiscord.payloads import channel_payload

from .base import Reply, Req, Resource, Route

MAX_SLOWMODE = 21600


class ChannelRoutes(Resource):
    """``/channels/{channel_id}``, its permission overwrites, typing and threads."""

    def routes(self) -> Iterable[Route]:
        return [
            ("GET", "/channels/{channel_id}", self.get_channel),
            ("PATCH", "/channels/{channel_id}", self.patch_channel),
            ("PUT", "/channels/{channel_id}/permissions/{overwrite_id}", self.put_overwrite),
            ("DELETE", "/channels/{channel_id}/permissions/{overwrite_id}", self.delete_overwrite),
            ("POST", "/channels/{channel_id}/typing", self.typing),
            ("POST", "/channels/{channel_id}/threads", self.create_thread),
            ("POST", "/channels/{channel_id}/messages/{message_id}/threads", self.create_thread),
        ]

    async def get_channel(self, req: Req) -> Any:
        channel = self.channel(req)
        if channel.guild_id is not None:
            self.require(channel.id, Perm.VIEW_CHANNEL)
        return channel_payload(self.w, channel)

    async def patch_channel(self, req: Req) -> Any:
        channel = self.channel(req)
        body = req.body
        if channel.guild_id is None:
            raise not_in_dms()
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
        self.s.events.channel_update(channel)
        return channel_payload(self.w, channel)

    async def put_overwrite(self, req: Req) -> Any:
        channel = self._overwritable(req)
        target = req.int_param("overwrite_id")
        body = req.body
        channel.overwrites = [o for o in channel.overwrites if o.id != target]
        channel.overwrites.append(
            Overwrite(target, int(body.get("type") or 0), int(body.get("allow") or 0), int(body.get("deny") or 0))
        )
        self.s.events.channel_update(channel)
        return None

    async def delete_overwrite(self, req: Req) -> Any:
        channel = self._overwritable(req)
        target = req.int_param("overwrite_id")
        channel.overwrites = [o for o in channel.overwrites if o.id != target]
        self.s.events.channel_update(channel)
        return None

    def _overwritable(self, req: Req) -> Channel:
        channel = self.channel(req)
        self.require(channel.id, Perm.MANAGE_ROLES)
        return channel

    async def typing(self, req: Req) -> Any:
        self.channel(req)
        return None

    async def create_thread(self, req: Req) -> Any:
        parent = self.channel(req)
        if parent.guild_id is None or parent.type != ChannelType.GUILD_TEXT:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        body = req.body
        starter: Message | None = None
        if "message_id" in req.params:
            starter = self.message(req)
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
        self.s.events.channel("THREAD_CREATE", thread, newly_created=True)
        return Reply(201, channel_payload(self.w, thread))
