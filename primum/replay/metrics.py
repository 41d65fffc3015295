"""How a replay compares with what a conversation expected, and the calibration table over many.

Definitions (the README and the benchmark print the same):

- a **civil message** is one marked ``"expect": "ok"``, or an unmarked one in a conversation whose
  meta says ``civil: true``; it counts as *nudged* when Primum nudged or hid it;
- an **uncivil message** is one marked ``"expect": "nudge"``; it counts as *caught* when Primum
  nudged or hid it, or when its author was nudged (or hidden) for an earlier message at most one
  nudge window before it (``kindness.nudge_window_minutes``): that nudge covers it, because Primum
  sends at most one nudge per author per window by design;
- **de-escalation** is any notice, slowmode, cooldown, moderator alert or thread suggestion (an
  alert about one likely threat, ``threat_alert``, is about a message, not the channel, and is not
  counted here but on a row of its own, below); a civil conversation is *slowed down* by a slowmode
  or a cooldown (a timeout);
- an escalating thread (one with a message marked ``"deescalate": true``) is **de-escalated in
  time** when the first de-escalation step came at or before that message;
- a civil conversation with a **threat alert** is one in which the moderators were told a message
  may be a threat: not de-escalation, but an action on a member all the same, so it is counted
  on its own row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from primum.replay.history import HistoryMessage, Meta
from primum.replay.result import DEESCALATION_TYPES, SANCTION_TYPES, ReplayResult

CAUGHT_BY = ("nudge", "hide")


@dataclass(frozen=True)
class Verdict:
    """One conversation against its expectations."""

    name: str
    kind: str
    civil: bool | None
    split: str
    civil_messages: int
    civil_nudged: tuple[int, ...]
    uncivil_messages: int
    uncivil_caught: int
    uncivil_missed: tuple[int, ...]
    deescalation: dict[str, int]
    first_step_at: int | None  # message index of the first de-escalation step
    deescalate_at: int | None  # message index by which it was expected
    in_time: bool | None  # None: no de-escalation was expected
    threat_alerts: int = 0  # moderator alerts about one likely threat

    @property
    def any_deescalation(self) -> bool:
        """Any notice, slowmode, cooldown, alert or thread suggestion."""
        return sum(self.deescalation.values()) > 0

    @property
    def sanctioned(self) -> bool:
        """A slowmode or a member timed out."""
        return any(self.deescalation.get(kind, 0) for kind in SANCTION_TYPES)


def is_civil(message: HistoryMessage, meta: Meta) -> bool:
    """A civil message: marked ``ok``, or unmarked in a conversation whose meta says it is civil."""
    return message.expect == "ok" or (message.expect is None and meta.civil is True)


def judge(result: ReplayResult) -> Verdict:
    """Compare one replay with the expectations written into its history."""
    meta = result.history.meta
    acted: dict[int, list[str]] = {}
    for action in result.actions:
        if action.type in CAUGHT_BY and action.message_index is not None:
            acted.setdefault(action.message_index, []).append(action.type)
    window = timedelta(seconds=result.nudge_window_s)
    civil: list[int] = []
    civil_nudged: list[int] = []
    uncivil = caught = 0
    missed: list[int] = []
    for played in result.messages:
        expect = played.message.expect
        if is_civil(played.message, meta):
            civil.append(played.index)
            if played.index in acted:
                civil_nudged.append(played.index)
        elif expect == "nudge":
            uncivil += 1
            covered = played.index in acted or any(
                earlier.message.author_key == played.message.author_key and earlier.index in acted
                and played.at - earlier.at <= window
                for earlier in result.messages[: played.index]
            )
            if covered:
                caught += 1
            else:
                missed.append(played.index)
    counts = {kind: len(result.actions_of(kind)) for kind in DEESCALATION_TYPES}
    first = result.first_deescalation()
    first_at = first.message_index if first is not None else None
    expected_at = next((p.index for p in result.messages if p.message.deescalate), None)
    in_time = None if expected_at is None else first_at is not None and first_at <= expected_at
    return Verdict(
        name=result.history.name, kind=meta.kind or "unspecified", civil=meta.civil, split=meta.split,
        civil_messages=len(civil), civil_nudged=tuple(civil_nudged), uncivil_messages=uncivil,
        uncivil_caught=caught, uncivil_missed=tuple(missed), deescalation=counts, first_step_at=first_at,
        deescalate_at=expected_at, in_time=in_time, threat_alerts=len(result.actions_of("threat_alert")),
    )


@dataclass
class Table:
    """The calibration table over many conversations (one split)."""

    verdicts: list[Verdict] = field(default_factory=list)

    def rows(self, *, per_kind: bool = True) -> list[tuple[str, str]]:
        """(measure, value) rows as the issue's table shows them; ``per_kind`` False leaves out the
        civil rate per conversation kind (for narrow columns, one per batch)."""
        civil_total = sum(v.civil_messages for v in self.verdicts)
        civil_hit = sum(len(v.civil_nudged) for v in self.verdicts)
        by_kind: dict[str, list[int]] = {}
        for verdict in self.verdicts:
            cell = by_kind.setdefault(verdict.kind, [0, 0])
            cell[0] += len(verdict.civil_nudged)
            cell[1] += verdict.civil_messages
        kinds = ", ".join(f"{kind} {_pct(hit, total)}" for kind, (hit, total) in sorted(by_kind.items()) if total)
        civil_convos = [v for v in self.verdicts if v.civil is True]
        escalations = [v for v in self.verdicts if v.in_time is not None]
        uncivil = sum(v.uncivil_messages for v in self.verdicts)
        caught = sum(v.uncivil_caught for v in self.verdicts)
        slowed = [v for v in civil_convos if v.sanctioned]
        timeouts = sum(v.deescalation.get("cooldown", 0) for v in civil_convos)
        return [
            ("civil messages nudged",
             f"{_pct(civil_hit, civil_total)} ({civil_hit} of {civil_total}{'; ' + kinds if per_kind else ''})"),
            ("civil conversations with any de-escalation action",
             f"{sum(v.any_deescalation for v in civil_convos)} of {len(civil_convos)}"),
            ("civil conversations slowed down or with a member timed out",
             f"{len(slowed)} of {len(civil_convos)} ({timeouts} timeouts)"),
            ("civil conversations with a possible-threat alert to the moderators",
             f"{sum(v.threat_alerts > 0 for v in civil_convos)} of {len(civil_convos)}"),
            ("escalating threads de-escalated by the expected message",
             f"{sum(bool(v.in_time) for v in escalations)} of {len(escalations)}"),
            ("uncivil messages nudged (counting the per-author window)",
             f"{_pct(caught, uncivil)} ({caught} of {uncivil})"),
        ]


def table(verdicts: Iterable[Verdict]) -> Table:
    """A table over these verdicts."""
    return Table(list(verdicts))


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "n/a"
