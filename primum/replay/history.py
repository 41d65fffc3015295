"""A channel history to replay: who said what, when, in reply to what, and what was expected.

Both input formats (DiscordChatExporter's JSON and Primum's JSONL) load into these dataclasses;
the runner and the benchmark see nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

#: What a calibration message expects from be-kind: a nudge, no nudge, or either is fine.
EXPECTATIONS = ("nudge", "ok", "either")
SPLITS = ("calibration", "dev")


class HistoryError(ValueError):
    """A history file that cannot be replayed; the message names the line or the message and field."""


@dataclass(frozen=True)
class Meta:
    """What a calibration conversation is about (all optional for an owner's own history).

    ``civil`` True means no member deserves a slowmode, cooldown or timeout.
    """

    id: str = ""
    kind: str = ""
    civil: bool | None = None
    split: str = ""
    note: str = ""


@dataclass(frozen=True)
class HistoryMessage:
    """One message of the history, in order.

    Attributes:
        index: 0-based position among the messages.
        author_key: who wrote it, unique within the history (a Discord id or a JSONL author name).
        author_name: the name shown for the author.
        text: the message text ("" for an attachment-only message).
        after_s: seconds after the previous message (0 for the first).
        reply_to: index of the message this one replies to, or None.
        mentions: author keys of members mentioned by the message.
        is_bot: written by a bot (Primum ignores those, as it would live).
        expect: "nudge", "ok" or "either" for calibration messages, else None.
        deescalate: de-escalation (at least a notice) should have started by this message.
        source: where it came from, for messages ("line 7", "messages[3]").
    """

    index: int
    author_key: str
    author_name: str
    text: str
    after_s: float
    reply_to: int | None = None
    mentions: tuple[str, ...] = ()
    is_bot: bool = False
    expect: str | None = None
    deescalate: bool = False
    source: str = ""


@dataclass(frozen=True)
class History:
    """A whole history: its messages, where it came from and (for exports) its channel and start."""

    messages: tuple[HistoryMessage, ...]
    path: Path
    format: str  # "jsonl" or "discordchatexporter"
    meta: Meta = field(default_factory=Meta)
    channel_name: str | None = None
    started_at: datetime | None = None
    skipped: int = 0  # system messages (joins, pins…) that were not replayed
    people: dict[str, str] = field(default_factory=dict)  # mentioned members who never spoke, too

    @property
    def name(self) -> str:
        """The conversation id, else the file name."""
        return self.meta.id or self.path.stem

    def members(self) -> dict[str, str]:
        """Key -> shown name of everyone to create in the server: the authors, then anyone mentioned."""
        found: dict[str, str] = {}
        for message in self.messages:
            found.setdefault(message.author_key, message.author_name)
        for key, name in self.people.items():
            found.setdefault(key, name)
        return found

    @property
    def duration_s(self) -> float:
        """Seconds from the first message to the last."""
        return sum(message.after_s for message in self.messages)
