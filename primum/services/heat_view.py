"""What ``/heat`` shows: a channel's heat now, its hottest members, the last minutes as a chart.

:class:`HeatView` is filled by ``DeescalationService.heat_view``; :func:`describe` writes the text
and :func:`render_chart` draws the PNG (CPU work: call it in a thread).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from primum import display
from primum.storage.deescalation import LogEntry

#: De-escalation log actions shown as markers on the /heat chart, as ladder steps.
STEP_MARKERS = {"heat_notice": "notice", "slowmode": "slowmode", "thread_suggested": "thread",
                "cooldown": "cooldown", "mod_alert": "alert"}

LEVEL_NAMES = ("calm", "warm", "hot", "heated", "boiling")


@dataclass(frozen=True)
class HeatView:
    """What /heat shows."""

    guild_id: int
    channel_id: int
    heat: float
    level: int
    thresholds: tuple[float, ...]
    members: list[tuple[int, float]]
    curve: list[tuple[datetime, float]]
    slowmode_until: datetime | None
    #: Ladder steps taken in the window, oldest first: (when, "notice" | "slowmode" | ...), for chart markers.
    steps: list[tuple[datetime, str]] = field(default_factory=list)

    @property
    def level_name(self) -> str:
        """calm, warm, hot, heated or boiling."""
        return LEVEL_NAMES[max(0, min(self.level, len(LEVEL_NAMES) - 1))]


def step_markers(entries: Iterable[LogEntry], channel_id: int, since: datetime) -> list[tuple[datetime, str]]:
    """The ladder steps taken in one channel since ``since``, oldest first, as chart markers."""
    return sorted((entry.at, STEP_MARKERS[entry.action]) for entry in entries
                  if entry.channel_id == channel_id and entry.action in STEP_MARKERS and entry.at >= since)


def describe(view: HeatView, names: Mapping[int, str] | None = None) -> str:
    """The /heat text: level, number, thresholds, hottest members and any running slowmode."""
    names = names or {}
    lines = [f"Heat in <#{view.channel_id}>: **{view.heat:.2f}** ({view.level_name})"]
    notice, slowmode, thread, alert = (*view.thresholds, 0.0, 0.0, 0.0, 0.0)[:4]
    lines.append(f"Thresholds: notice {notice:g} · slowmode {slowmode:g} · thread {thread:g} · alert {alert:g}")
    if view.members:
        hottest = ", ".join(f"{names.get(member, f'<@{member}>')} {heat:.2f}" for member, heat in view.members)
        lines.append(f"Hottest: {hottest}")
    if view.slowmode_until is not None:
        lines.append(f"Primum's slowmode lifts {display.when_and_relative(view.slowmode_until)}")
    return "\n".join(lines)


def render_chart(view: HeatView) -> bytes:
    """A small PNG of the heat curve with the thresholds (CPU work: call it in a thread)."""
    from primum.reporting.charts import heat_curve  # matplotlib loads only when a chart is asked for

    return heat_curve(view.curve, view.thresholds, view.steps, title=f"Channel heat: {view.heat:.2f} "
                      f"({view.level_name})")
