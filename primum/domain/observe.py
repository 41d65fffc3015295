"""Observe mode: Primum decides as usual but only tells the moderators what it would have done.

Per server and per channel. A channel's own setting wins (a thread inherits its channel's),
then the server's; with neither set, a server is observed until its trial ends (new servers
start in observe mode for a few days). Moderators answer each report Correct / Wrong; the
answers are labelled examples for ``primum calibrate --from-db``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

MODE_KEY = "observe.mode"  # "on" / "off", scope '' (server) or 'channel:<id>'
UNTIL_KEY = "observe.until"  # ISO time: a new server's trial observe period ends
TEXT_KEY = "observe.keep_text"  # owners opt in to keeping message text with reports

#: What a report may say Primum would have done (mirrors the CHECK in migration 0006).
ACTIONS = ("nudge", "hide", "notice", "slowmode", "thread", "cooldown", "alert")
#: Actions about one message's score, which calibrate can use (channel steps are about a conversation).
MESSAGE_ACTIONS = ("nudge", "hide")


class ObserveError(ValueError):
    """An owner typed something observe mode cannot use; the message says what is allowed."""


class Verdict(StrEnum):
    """A moderator's answer to one report."""

    CORRECT = "correct"
    WRONG = "wrong"


def parse_mode(text: str) -> bool | None:
    """``on`` → True, ``off`` → False, ``default`` → None (inherit)."""
    cleaned = text.strip().lower()
    if cleaned in {"on", "true", "yes", "observe"}:
        return True
    if cleaned in {"off", "false", "no", "act"}:
        return False
    if cleaned in {"default", "inherit", "unset", ""}:
        return None
    raise ObserveError(f"{text!r} is not a mode; use on, off or default")


def stored_mode(value: object) -> bool | None:
    """A stored ``on``/``off`` value (anything else: unset)."""
    if value == "on":
        return True
    if value == "off":
        return False
    return None


def observing(
    guild_mode: bool | None, channel_modes: Sequence[bool | None], until: datetime | None, now: datetime
) -> bool:
    """Whether a message in this channel is only observed.

    ``channel_modes`` follows the channel chain (the channel, then its parents): the first set
    value wins, then the server's explicit mode, then the trial period (``until`` in the future).
    """
    for mode in channel_modes:
        if mode is not None:
            return mode
    if guild_mode is not None:
        return guild_mode
    return until is not None and now < until


@dataclass(frozen=True)
class LabelledExample:
    """A moderator's verdict as a calibration row: the stored score and 1 = unkind, 0 = civil."""

    score: float
    label: int
    category: str | None
    model_version: str


def examples(reports: Iterable[tuple[str, float, str | None, str | None, str]]) -> list[LabelledExample]:
    """Calibration rows from (action, score, category, verdict, model_version) of answered reports.

    A "correct" would-nudge or would-hide says the message was unkind; "wrong" says it was civil.
    Channel steps (notice, slowmode, …) judge a conversation, not one score, and are left out.
    """
    rows = []
    for action, score, category, verdict, version in reports:
        if action not in MESSAGE_ACTIONS or verdict not in {Verdict.CORRECT, Verdict.WRONG}:
            continue
        rows.append(LabelledExample(score, 1 if verdict == Verdict.CORRECT else 0, category, version))
    return rows
