"""The local Discord's world (guilds, channels, members, messages) and what it records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

JSON = dict[str, Any]


class ChannelType:
    """Channel type numbers used here."""

    GUILD_TEXT = 0
    DM = 1
    GUILD_CATEGORY = 4
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12

    THREADS = (11, 12)


@dataclass
class User:
    """A Discord user; ``dms_open`` False makes DMs from the bot fail with 50007."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    avatar: str | None = None
    dms_open: bool = True

    @property
    def display_name(self) -> str:
        """Global name if set, else the username."""
        return self.global_name or self.username


@dataclass
class Role:
    """A guild role; position 0 is @everyone."""

    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None


@dataclass
class Overwrite:
    """A channel permission overwrite (type 0 role, 1 member)."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0


@dataclass
class Channel:
    """A guild channel, thread, or DM channel."""

    id: int
    type: int
    name: str | None = None
    guild_id: int | None = None
    position: int = 0
    topic: str | None = None
    nsfw: bool = False
    rate_limit_per_user: int = 0
    parent_id: int | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    recipient_ids: list[int] = field(default_factory=list)
    last_message_id: int | None = None
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    auto_archive_duration: int = 1440
    created_at: datetime | None = None


@dataclass
class Member:
    """A user's membership in a guild."""

    user_id: int
    guild_id: int
    joined_at: datetime
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    communication_disabled_until: datetime | None = None
    flags: int = 0
    pending: bool = False


@dataclass
class Attachment:
    """A file uploaded with a message; the bytes are kept so tests can inspect charts."""

    id: int
    filename: str
    content_type: str | None
    data: bytes
    description: str | None = None
    url: str = ""

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)


@dataclass
class Message:
    """A message in any channel, including ephemeral interaction responses."""

    id: int
    channel_id: int
    author_id: int
    content: str = ""
    guild_id: int | None = None
    type: int = 0
    embeds: list[JSON] = field(default_factory=list)
    components: list[JSON] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    mention_ids: list[int] = field(default_factory=list)
    mention_role_ids: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    reference_id: int | None = None
    flags: int = 0
    pinned: bool = False
    tts: bool = False
    edited_at: datetime | None = None
    deleted: bool = False
    webhook_id: int | None = None
    interaction_id: int | None = None
    nonce: str | int | None = None
    thread_id: int | None = None
    poll: JSON | None = None

    @property
    def ephemeral(self) -> bool:
        """Whether only the invoking user could see it (flag 64)."""
        return bool(self.flags & 64)


@dataclass
class Guild:
    """A guild with everything GUILD_CREATE needs."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    bans: dict[int, str | None] = field(default_factory=dict)
    commands: list[JSON] = field(default_factory=list)


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class RequestRecord:
    """One REST request the bot made, as the server saw it."""

    index: int
    method: str
    path: str
    route: str | None
    query: dict[str, str]
    json: Any
    files: list[UploadedFile]
    reason: str | None
    at: float
    status: int = 0
    response: Any = None


@dataclass
class SpecViolation:
    """A request that does not conform to Discord's OpenAPI description."""

    method: str
    path: str
    route: str | None
    problem: str

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.route or 'no route'}): {self.problem}"


@dataclass
class Callback:
    """One interaction callback (initial response) the bot sent."""

    type: int
    data: JSON
    at: float
    files: list[UploadedFile] = field(default_factory=list)

    @property
    def ephemeral(self) -> bool:
        """Flag 64 on the response data."""
        return bool(int(self.data.get("flags") or 0) & 64)

    @property
    def modal(self) -> JSON | None:
        """The modal payload when the bot answered with type 9."""
        return self.data if self.type == 9 else None

    @property
    def content(self) -> str | None:
        """Message content sent with the callback (types 4 and 7)."""
        return self.data.get("content")

    @property
    def embeds(self) -> list[JSON]:
        """Embeds sent with the callback."""
        return list(self.data.get("embeds") or [])

    @property
    def components(self) -> list[JSON]:
        """Components sent with the callback."""
        return list(self.data.get("components") or [])

    @property
    def filenames(self) -> list[str]:
        """Names of files uploaded with the callback."""
        return [f.filename or f.field for f in self.files]


@dataclass
class Interaction:
    """An interaction the control API created, and everything the bot answered to it."""

    id: int
    token: str
    type: int
    user_id: int
    channel_id: int
    guild_id: int | None
    payload: JSON
    created: float
    callbacks: list[Callback] = field(default_factory=list)
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    original_deleted: bool = False

    @property
    def acked(self) -> bool:
        """Whether an initial response was accepted."""
        return bool(self.callbacks)

    @property
    def response(self) -> Callback | None:
        """The initial response, if any."""
        return self.callbacks[0] if self.callbacks else None

    @property
    def response_type(self) -> int | None:
        """Type of the initial response (4 message, 5 deferred, 6, 7, 8 autocomplete, 9 modal)."""
        return self.callbacks[0].type if self.callbacks else None

    @property
    def modal(self) -> JSON | None:
        """The modal the bot opened in response, if any."""
        return self.callbacks[0].modal if self.callbacks else None

    @property
    def choices(self) -> list[JSON] | None:
        """Autocomplete choices, if the bot answered with type 8."""
        if self.callbacks and self.callbacks[0].type == 8:
            return list(self.callbacks[0].data.get("choices") or [])
        return None
