"""One line sent as several quick short messages ("you" / "are" / "an" / "idiot"), read whole.

Why: each piece alone is harmless to the model, so splitting a sentence across messages slips past
any per-message scorer, and a reader sees one line. A member's short messages in one channel, each
within ``gap`` of the one before, form a run; the run's text is scored as well as the new piece.

Privacy: the pieces live in memory only, never in the database: a run is dropped at the next message
or the service's next sweep (every few seconds) once ``gap`` has passed since its last piece, and
``forget`` drops a member's at once.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar

#: At most this many words make a piece: longer messages say something on their own.
MAX_WORDS = 4
#: A piece this long after the one before still continues the run (a sentence typed in bursts).
GAP = timedelta(seconds=30)
#: Pieces kept per run: enough for a sentence, and a bound on memory.
MAX_PIECES = 8
_WORDS = re.compile(r"\S+")
_LETTER = re.compile(r"[^\W\d_]")

RunKey = tuple[int, int, int]  # guild, channel, author


def is_piece(text: str) -> bool:
    """A short message with at least one letter ("idiot", "you are"), not an emoji or a number alone."""
    return bool(_LETTER.search(text)) and len(_WORDS.findall(text)) <= MAX_WORDS


@dataclass(frozen=True)
class Run:
    """A run of pieces that the newest message continued."""

    text: str  # every piece, in order, joined by spaces
    was_over: bool  # the run was already over the nudge cut-off before the newest piece


@dataclass
class FragmentRuns:
    """Each member's run of quick short messages per channel, in memory."""

    #: The line of a ``/privacy forgetme`` reply that counts what ``forget_member`` dropped.
    forget_key: ClassVar[str] = "recent_pieces"
    gap: timedelta = GAP
    _runs: dict[RunKey, deque[tuple[datetime, str]]] = field(default_factory=dict)
    _over: set[RunKey] = field(default_factory=set)

    def add(self, key: RunKey, at: datetime, text: str) -> Run | None:
        """Record one message; the run it continues when it is a piece after another piece, else None.

        A message that is no piece ends the member's run in that channel; so does a pause longer
        than ``gap``.
        """
        self.expire(at)  # this member's run too, after a pause longer than ``gap``
        if not is_piece(text):
            self._drop(key)
            return None
        run = self._runs.setdefault(key, deque(maxlen=MAX_PIECES))
        run.append((at, text.strip()))
        if len(run) < 2:
            return None
        return Run(" ".join(piece for _, piece in run), key in self._over)

    def record(self, key: RunKey, *, over: bool) -> None:
        """Remember whether the run as it now stands is over the nudge cut-off (for the next piece)."""
        if over and key in self._runs:
            self._over.add(key)

    def forget(self, guild_id: int, author_id: int) -> int:
        """Drop every run of one member in one guild (``/kind forgetme``); return how many pieces went."""
        keys = [k for k in self._runs if k[0] == guild_id and k[2] == author_id]
        pieces = sum(len(self._runs[k]) for k in keys)
        for key in keys:
            self._drop(key)
        return pieces

    async def forget_member(self, guild_id: int, member_id: int) -> int:
        """``forget`` for ``/privacy forgetme`` (the in-memory state protocol of the privacy service)."""
        return self.forget(guild_id, member_id)

    def __len__(self) -> int:
        return len(self._runs)

    def _drop(self, key: RunKey) -> None:
        self._runs.pop(key, None)
        self._over.discard(key)

    def expire(self, now: datetime) -> None:
        """Drop every run whose last piece is more than ``gap`` old."""
        for key in [k for k, run in self._runs.items() if now - run[-1][0] > self.gap]:
            self._drop(key)
