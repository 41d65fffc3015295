"""Discord's rules for a message body, shared by every path that creates or edits a message.

A bot's ``POST /channels/{id}/messages``, an interaction response, a webhook followup and a
member posting through the control API all go through :meth:`MessageBodies.apply`: content
length, embeds, components, uploaded files, mentions, replies, flags, polls.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .errors import DiscordError, form_error
from .ids import Perm, iso
from .models import JSON, Attachment, Channel, Message, UploadedFile
from .payloads import ATTACHMENT_SIZE_LIMIT

if TYPE_CHECKING:
    from .server import LocalDiscord

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
#: SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS and IS_VOICE_MESSAGE: the flags a plain create may set.
ALLOWED_CREATE_FLAGS = 4 | 4096 | 32768
#: Bots may send 2,000 characters; members with Nitro may send 4,000.
BOT_MAX_CONTENT = 2000
USER_MAX_CONTENT = 4000
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = ATTACHMENT_SIZE_LIMIT
MAX_EMBED_TEXT = 6000


class MessageBodies:
    """Builds, validates and stores messages in the server's world."""

    def __init__(self, server: LocalDiscord) -> None:
        self.s = server
        self.w = server.world

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

    def apply(self, msg: Message, body: JSON, files: list[UploadedFile], *, creating: bool,
              sender_perms: int = Perm.ALL, max_content: int = BOT_MAX_CONTENT) -> None:
        """Apply a create/edit body to ``msg``: content, embeds, components, files, mentions."""
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
                msg.embeds = _embeds(list(body.get("embeds") or []), msg.attachments)
        if "components" in body:
            msg.components = _components_with_ids(list(body.get("components") or []))
        if "flags" in body and body["flags"] is not None:
            requested = int(body["flags"])
            if creating:  # EPHEMERAL (64) is added by the interaction paths, never by a plain create
                msg.flags = requested & ALLOWED_CREATE_FLAGS
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

    def reference(self, msg: Message, body: JSON) -> None:
        """Make ``msg`` a reply to ``message_reference`` (400 if it names no message here)."""
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

    def attachment(self, channel_id: int, att_id: int, filename: str, content_type: str | None, data: bytes,
                   description: str | None = None) -> Attachment:
        """Keep an uploaded file, served at ``/attachments/{channel}/{id}/{filename}``."""
        att = Attachment(id=att_id, filename=filename, content_type=content_type, data=data,
                         description=description,
                         url=f"{self.s.http_url}/attachments/{channel_id}/{att_id}/{filename}")
        self.s.files[att_id] = att
        return att

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
            filename = str(info.get("filename") or f.filename or "unknown")
            out.append(self.attachment(channel_id, self.w.snowflakes.next(), filename, f.content_type, f.data,
                                       info.get("description")))
        if len(out) > MAX_ATTACHMENTS:
            raise form_error("attachments", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
        for att in out:
            if att.size > MAX_ATTACHMENT_BYTES:
                raise DiscordError(413, 40005, "Request entity too large")
        return out

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


def _embeds(embeds: list[JSON], attachments: list[Attachment]) -> list[JSON]:
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
    if total > MAX_EMBED_TEXT:
        raise form_error("embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
    return out


def _components_with_ids(components: list[JSON]) -> list[JSON]:
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
