"""The demo's transcript: members' messages and the bot's actions as a person reads them, as they happen."""

from __future__ import annotations

import re
import textwrap
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

from primum.localdiscord.models import ChannelType

if TYPE_CHECKING:
    from primum.demo.stack import Stack
    from primum.localdiscord import Message
    from primum.localdiscord.models import RequestRecord
    from primum.runtime.events import Event

#: The longest bot message the transcript shows before it shortens it (at a word, with "…").
MESSAGE_WIDTH = 400
_MENTION = re.compile(r"<(#|@&|@!?)(\d{5,20})>")
_DISCORD_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")


class Transcript:
    """Prints members' messages and the bot's actions as they happen, readably."""

    def __init__(self, stack: Stack, out: TextIO) -> None:
        self._stack = stack
        self._out = out
        self._next_request = 0
        self._started = time.monotonic()

    def name(self, user_id: int) -> str:
        """A member's display name."""
        user = self._stack.server.world.users.get(user_id)
        return user.display_name if user is not None else str(user_id)

    def where(self, channel_id: int) -> str:
        """``#channel`` or ``DM to NAME``."""
        channel = self._stack.server.world.channels.get(channel_id)
        if channel is None:
            return f"<#{channel_id}>"
        if channel.type == ChannelType.DM:
            others = [uid for uid in channel.recipient_ids if uid != self._stack.server.bot_user_id]
            return f"DM to {self.name(others[0])}" if others else "DM"
        return f"#{channel.name}"

    def elapsed(self) -> float:
        """Seconds since the transcript started (the stamp on every line)."""
        return time.monotonic() - self._started

    def stamp_of(self, moment: datetime | str) -> str:
        """When a wall-clock moment (an event's ``expires_at``) falls, on the transcript's own clock."""
        when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
        seconds = self.elapsed() + (when - datetime.now(UTC)).total_seconds()
        return f"[{seconds:6.2f}s]"

    def line(self, text: str) -> None:
        """Write one stamped line."""
        self._out.write(f"[{self.elapsed():6.2f}s] {text}\n")
        self._out.flush()

    def member_said(self, message: Message, *, verb: str = "") -> None:
        """A member's message (the demo's own input)."""
        tag = f" ({verb})" if verb else ""
        self.line(f"{self.where(message.channel_id)}  {self.name(message.author_id)}{tag}: {message.content}")

    def event(self, event: Event) -> None:
        """A bot event (nudge, slowmode, …) as a compact line."""
        # Ids are in the events file; the transcript keeps what a person reads.
        fields = {k: v for k, v in event.items() if k not in {"type", "t", "source"} and not k.endswith("_id")}
        shown = ", ".join(f"{k}={v}" for k, v in fields.items() if not isinstance(v, list | dict))
        self.line(f"  ★ event {event['type']}" + (f" ({shown})" if shown else ""))

    def follow(self, event: Event) -> None:
        """An ``EventSink`` listener: the bot's actions up to now, then the event."""
        self.pump()
        self.event(event)

    def pump(self) -> None:
        """Describe the bot's REST calls made since the last pump."""
        requests = self._stack.server.requests
        while self._next_request < len(requests):
            record = requests[self._next_request]
            self._next_request += 1
            text = self._describe(record)
            if text:
                self.line(f"  ↳ Primum {text}")

    def _describe(self, record: RequestRecord) -> str | None:
        body = record.json if isinstance(record.json, dict) else {}
        params = _route_params(record)
        if record.status >= 400:
            return f"got {record.status} for {record.method} {record.route or record.path}"
        if record.method == "POST" and record.route == "/channels/{channel_id}/messages":
            return f"→ {self.where(int(params['channel_id']))}: {self._message_text(body, record)}"
        if record.method == "POST" and record.route and record.route.startswith("/interactions/"):
            data = body.get("data") or {}
            kind = body.get("type")
            if kind == 9:
                return f"opened a form: {data.get('title', '')}"
            if kind in (4, 7):
                private = " (only you can see this)" if int(data.get("flags", 0) or 0) & 64 else ""
                return f"answered{private}: {self._message_text(data, record)}"
            return None
        if record.method == "POST" and record.route and record.route.startswith("/webhooks/"):
            private = " (private)" if int(body.get("flags", 0) or 0) & 64 else ""
            return f"followed up{private}: {self._message_text(body, record)}"
        if record.method == "PATCH" and record.route and "/messages/@original" in record.route:
            return f"updated its answer: {self._message_text(body, record)}"
        if record.method == "PATCH" and record.route == "/channels/{channel_id}" and "rate_limit_per_user" in body:
            seconds = body["rate_limit_per_user"]
            where = self.where(int(params['channel_id']))
            return f"set slowmode on {where} to {seconds}s" if seconds else f"lifted slowmode on {where}"
        if record.method == "DELETE" and record.route == "/channels/{channel_id}/messages/{message_id}":
            return f"removed a message in {self.where(int(params['channel_id']))}"
        if record.method == "PATCH" and record.route == "/guilds/{guild_id}/members/{user_id}":
            if "communication_disabled_until" in body:
                until = body["communication_disabled_until"]
                who = self.name(int(params['user_id']))
                return f"timed out {who} until {until}" if until else f"lifted the timeout of {who}"
            return None
        if record.route == "/guilds/{guild_id}/members/{user_id}/roles/{role_id}":
            role = self._stack.server.world.guild(int(params['guild_id'])).roles.get(int(params['role_id']))
            verb = "gave" if record.method == "PUT" else "removed"
            return f"{verb} role {role.name if role else params['role_id']} {'to' if verb == 'gave' else 'from'} " \
                   f"{self.name(int(params['user_id']))}"
        if record.method == "PUT" and record.route == "/guilds/{guild_id}/bans/{user_id}":
            return f"banned {self.name(int(params['user_id']))}"
        if record.method == "DELETE" and record.route == "/guilds/{guild_id}/members/{user_id}":
            return f"removed {self.name(int(params['user_id']))} from the server"
        if record.method == "POST" and record.route and record.route.endswith("/threads"):
            return f"opened a thread: {body.get('name', '')}"
        if record.method == "PUT" and record.route and record.route.endswith("/pins/{message_id}"):
            return "pinned a message"
        return None

    def _message_text(self, body: Mapping[str, Any], record: RequestRecord) -> str:
        text = str(body.get("content") or "").replace("\n", " ⏎ ")
        embeds = body.get("embeds") or []
        for embed in embeds:
            title = embed.get("title") or ""
            description = str(embed.get("description") or "").replace("\n", " ⏎ ")
            text += f" [{title}] {description}".rstrip()
        buttons: list[str] = [
            str(child["label"]) for row in body.get("components") or [] for child in row.get("components") or []
            if child.get("label")
        ]
        if buttons:
            text += "  buttons: " + " | ".join(f"[{label}]" for label in buttons)
        files = [str(upload.filename) for upload in record.files]
        if files:
            text += "  files: " + ", ".join(files)
        return shorten(self.readable(readable_timestamps(text.strip())))

    def readable(self, text: str) -> str:
        """``<#id>``, ``<@id>`` and ``<@&id>`` as the names a Discord client shows."""
        def show(match: re.Match[str]) -> str:
            kind, raw = match.group(1), int(match.group(2))
            if kind == "#":
                return self.where(raw)
            if kind == "@&":
                for guild in self._stack.server.world.guilds.values():
                    if raw in guild.roles:
                        return f"@{guild.roles[raw].name}"
                return match.group(0)
            return f"@{self.name(raw)}"

        return _MENTION.sub(show, text)


def shorten(text: str, width: int = MESSAGE_WIDTH) -> str:
    """``text`` cut at a word boundary with "…" when longer than ``width`` (never mid-word)."""
    if len(text) <= width:
        return text
    return textwrap.shorten(text, width=width, placeholder=" …", break_long_words=False) or text[: width - 1] + "…"


def readable_timestamps(text: str, now: datetime | None = None) -> str:
    """Discord's ``<t:UNIX:STYLE>`` markup as a person's client would show it (UTC, to the second; "R": "in 15 s")."""
    def show(match: re.Match[str]) -> str:
        when = datetime.fromtimestamp(int(match.group(1)), UTC)
        if match.group(2) != "R":
            return f"{when:%H:%M:%S} UTC"
        seconds = round((when - (now or datetime.now(UTC))).total_seconds())
        return f"in {seconds} s" if seconds >= 0 else f"{-seconds} s ago"

    return _DISCORD_TIMESTAMP.sub(show, text)


def _route_params(record: RequestRecord) -> dict[str, str]:
    """``{channel_id: "123", …}`` from the matched route template and the request path."""
    if record.route is None:
        return {}
    template = record.route.strip("/").split("/")
    path = record.path.strip("/").split("/")[-len(template):]
    return {t[1:-1]: p for t, p in zip(template, path, strict=False) if t.startswith("{")}
