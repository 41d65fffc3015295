"""What a replay found: each message with its score, and everything Primum did, in order.

Plain dataclasses (no discord, no I/O) shared by the runner, the report and the benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from primum.replay.history import History, HistoryMessage

#: Event types that are Primum acting on the conversation (the rest are bookkeeping).
ACTION_TYPES = ("nudge", "hide", "heat_notice", "slowmode", "cooldown", "mod_alert", "thread_suggested",
                "threat_alert")
#: Event types that count as de-escalation (a channel or member step, not a private nudge).
DEESCALATION_TYPES = ("heat_notice", "slowmode", "cooldown", "mod_alert", "thread_suggested")
#: Event types that slow a channel down or time a member out.
SANCTION_TYPES = ("slowmode", "cooldown")
#: Events that say nothing about the conversation.
QUIET_TYPES = frozenset({"ready", "command"})


@dataclass
class PlayedMessage:
    """One history message as Primum saw it.

    ``held`` says why Discord would not have let the member post it at that moment (a timeout or
    slowmode Primum had set); the replay posts it anyway, because it was posted in the history.
    """

    message: HistoryMessage
    at: datetime
    score: float | None = None
    categories: dict[str, float] = field(default_factory=dict)
    nudged: bool = False
    held: str | None = None

    @property
    def index(self) -> int:
        """Position in the history."""
        return self.message.index


@dataclass(frozen=True)
class Action:
    """One thing Primum did (an event), tied to the message that set it off when there was one."""

    type: str
    at: datetime
    message_index: int | None
    fields: dict[str, Any]


@dataclass(frozen=True)
class BotPost:
    """Something Primum said or changed on Discord (a notice, a DM, a slowmode, a timeout)."""

    at: datetime
    message_index: int | None
    text: str


@dataclass
class ReplayResult:
    """The whole replay of one history."""

    history: History
    channel: str
    scorer: str
    started_at: datetime
    nudge_window_s: float
    messages: list[PlayedMessage] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    posts: list[BotPost] = field(default_factory=list)
    heat: list[tuple[datetime, float]] = field(default_factory=list)
    thresholds: tuple[float, ...] = ()
    names: dict[int, str] = field(default_factory=dict)
    message_ids: dict[int, int] = field(default_factory=dict)  # Discord message id -> history index

    def actions_of(self, *types: str) -> list[Action]:
        """Actions of the given types, in order."""
        return [action for action in self.actions if action.type in types]

    def counts(self) -> dict[str, int]:
        """How many of each action type."""
        found: dict[str, int] = {}
        for action in self.actions:
            found[action.type] = found.get(action.type, 0) + 1
        return found

    def first_deescalation(self) -> Action | None:
        """The first notice, slowmode, cooldown, alert or thread suggestion."""
        steps = self.actions_of(*DEESCALATION_TYPES)
        return steps[0] if steps else None
