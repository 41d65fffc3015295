"""The Discord side of be-kind as the service sees it: the port, its three failures, and one retry loop.

The cog implements :class:`KindnessPort` with discord.py; the tests with a fake. Every call may
fail in one of three ways: the author's DMs are closed (:class:`DmClosed`), a transient failure
worth retrying (:class:`DeliveryFailed`), or a refusal retrying cannot fix (:class:`DeliveryRefused`).
:func:`retrying` is the one retry loop for the calls whose failure leaves a fallback value.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from primum.storage.kindness import NudgeRecord

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Delivery retries inside one attempt (seconds between tries); the sweep retries after that.
DELIVERY_RETRY_DELAYS_S: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)


class DmClosed(Exception):
    """The author does not accept DMs from this server (Discord error 50007)."""


class DeliveryFailed(Exception):
    """A transient failure (429 that outlived discord.py's retries, 5xx, dropped connection)."""


class DeliveryRefused(Exception):
    """Discord will not allow it (missing permission, channel gone); retrying will not help."""


@dataclass(frozen=True)
class Place:
    """How a message's location is shown to people (names and the jump link)."""

    guild_name: str
    channel_name: str
    jump_url: str


class KindnessPort(Protocol):
    """The Discord side effects be-kind needs; the cog implements it with discord.py."""

    def place(self, guild_id: int, channel_id: int, message_id: int) -> Place:
        """Names and jump link for a message (from the cache; never fails)."""
        ...

    async def send_nudge_dm(self, nudge: NudgeRecord, content: str) -> None:
        """DM the author with the nudge and its buttons; raise DmClosed, DeliveryFailed or DeliveryRefused."""
        ...

    async def send_nudge_note(self, nudge: NudgeRecord, content: str) -> None:
        """Reply in the channel without mentioning anyone, deleting itself after a minute."""
        ...

    async def find_sent_nudge(self, nudge: NudgeRecord) -> str | None:
        """Look for this nudge among Primum's recent DMs to the author ('dm') or its channel notes
        ('channel'); None when it is in neither. Raise DeliveryFailed when Discord cannot be asked."""
        ...

    async def delete_message(self, channel_id: int, message_id: int) -> bool:
        """Delete a message; False when it is already gone; raise DeliveryRefused or DeliveryFailed."""
        ...

    async def send_dm(self, user_id: int, content: str, attachment: str | None = None) -> bool:
        """DM someone (``attachment`` becomes a text file); False when their DMs are closed."""
        ...

    async def find_dm(self, user_id: int, after: datetime, content: str) -> bool:
        """Whether Primum DMed ``content`` to the user since ``after`` (a send a crash may have hidden).
        Raise DeliveryFailed when Discord cannot be asked."""
        ...

    async def post_modlog(self, guild_id: int, content: str) -> tuple[int, int] | None:
        """Post in the guild's mod-log; return (channel id, message id), or None when there is none."""
        ...

    async def find_modlog_post(self, guild_id: int, after: datetime, marker: str) -> tuple[int, int] | None:
        """Primum's mod-log post since ``after`` whose text contains ``marker``, as (channel id, message id)."""
        ...

    async def edit_modlog(self, channel_id: int, message_id: int, content: str) -> None:
        """Replace a mod-log post's content (to redact expired text)."""
        ...


async def retrying(call: Callable[[], Awaitable[T]], failed: T, delays_s: Sequence[float]) -> T:
    """``call()``, retried after each delay on a transient failure; ``failed`` when it never succeeds."""
    for delay in (*delays_s, None):
        try:
            return await call()
        except DeliveryFailed as error:
            if delay is None:
                log.warning("giving up after retries: %s", error)
                return failed
            await asyncio.sleep(delay)
        except DeliveryRefused as error:
            log.warning("refused: %s", error)
            return failed
    return failed  # pragma: no cover
