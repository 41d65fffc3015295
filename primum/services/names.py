"""Remember the names Primum sees (channels, moderators) so that reports can show names, not ids.

The names cog reports what it sees in Discord; reports (offline ``primum report`` and the
in-Discord weekly report) read the names back with :meth:`NameBook.names`. Only moderators'
display names are kept, never other members'; ``/privacy forget`` removes a member's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from primum.runtime.clock import Clock
from primum.storage.database import Database
from primum.storage.names import CHANNEL, MEMBER, KnownNames, NameRepository, known_names


def with_live_names(known: KnownNames, *, channels: Mapping[int, str], members: Mapping[int, str]) -> KnownNames:
    """Remembered names overlaid with the ones Discord shows now (the live name wins)."""
    return KnownNames(channels={**known.channels, **channels}, members={**known.members, **members})


@dataclass
class NameBook:
    """What the bot saw, written through to ``known_names``; unchanged names cost no row change."""

    db: Database
    clock: Clock

    def __post_init__(self) -> None:
        self.repo = NameRepository(self.db)

    async def saw_channels(self, guild_id: int, channels: Iterable[tuple[int, str]]) -> None:
        """Channels (id, name) as they are now."""
        await self.repo.remember(guild_id, CHANNEL, channels, self.clock.now())

    async def saw_moderators(self, guild_id: int, moderators: Iterable[tuple[int, str]]) -> None:
        """Moderators (id, display name) as they are now; the cog decides who is a moderator."""
        await self.repo.remember(guild_id, MEMBER, moderators, self.clock.now())

    async def names(self, guild_id: int | None) -> KnownNames:
        """The remembered names of one guild (or every guild)."""
        return await known_names(self.db, guild_id)
