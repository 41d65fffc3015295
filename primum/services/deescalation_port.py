"""The Discord side of de-escalation as the service sees it, and what an action returns.

The cog implements :class:`DeescalationPort` with discord.py and maps Discord's errors to the three
exceptions here; the service and its parts only ever see these (tests use a fake port).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class ActionRefused(Exception):
    """Discord (or a rule we know it enforces) will not allow this; retrying will not help."""


class TargetGone(Exception):
    """The channel or member no longer exists (or has left)."""


class ActionFailed(Exception):
    """A transient failure (5xx, network); the action may succeed later."""


class DeescalationPort(Protocol):
    """The Discord side effects de-escalation needs; the cog implements it with discord.py."""

    async def post(self, guild_id: int, channel_id: int, text: str) -> int | None:
        """Post a message in a channel; return its id (None if it could not be sent)."""
        ...

    async def current_slowmode(self, guild_id: int, channel_id: int) -> int | None:
        """The channel's rate_limit_per_user now; None when the channel is gone."""
        ...

    async def set_slowmode(self, guild_id: int, channel_id: int, seconds: int, reason: str) -> None:
        """Set rate_limit_per_user; raise ActionRefused, TargetGone or ActionFailed."""
        ...

    async def timeout_refusal(self, guild_id: int, user_id: int) -> str | None:
        """Why this member cannot be timed out (owner, administrator, above the bot), or None."""
        ...

    async def timeout_member(self, guild_id: int, user_id: int, until: datetime | None, reason: str) -> None:
        """Time a member out until ``until`` (None lifts it); raise ActionRefused, TargetGone or ActionFailed."""
        ...

    async def timed_out_until(self, guild_id: int, user_id: int) -> datetime | None:
        """The member's current timeout end (None: not timed out); raise TargetGone if not a member."""
        ...

    async def alert_moderators(self, guild_id: int, channel_id: int | None, text: str) -> bool:
        """Post an alert where moderators see it; False when there is nowhere to post."""
        ...


#: How a part of the service reaches the port (the cog sets it after the service is built).
PortGetter = Callable[[], DeescalationPort]


@dataclass(frozen=True)
class ActionResult:
    """What happened to a requested action (for command replies and tests)."""

    ok: bool
    message: str
    action_id: int | None = None
    until: datetime | None = None
