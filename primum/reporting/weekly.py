"""The owners' weekly report as PNG charts (matplotlib, Agg): the same images in Discord and offline.

Five charts, one file each:

* ``nudges_by_week.png``     be-kind nudges per week and the share revised by their authors;
* ``heat_by_channel.png``    de-escalation steps per channel (notices, slowmodes, cooldowns...);
* ``actions_by_kind.png``    moderation cases by kind, in ladder order (lightest first);
* ``actions_by_moderator.png`` cases by who acted (Primum or a moderator);
* ``appeals.png``            appeals by outcome (open, upheld, overturned).

A feature that is not installed (its table is absent) gives a chart that says "no data" instead
of an error. Drawing is CPU work: the bot calls :func:`render_report` through ``asyncio.to_thread``.
Only the object-oriented API is used (no pyplot global state) and drawing takes
:data:`primum.reporting.charts.DRAWING_LOCK`, shared by every chart in Primum.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from primum.domain.cases import ACTION_LADDER, OTHER_RECORDS, CaseKind, kind_label
from primum.domain.nudge_stats import NudgeFact, StatsCell, week_start
from primum.domain.policy import Outcome
from primum.reporting.charts import DRAWING_LOCK, PALETTE, png
from primum.storage.database import Database
from primum.storage.names import KnownNames, known_names
from primum.storage.report_rows import ReportRows, report_rows

CHART_FILES = ("nudges_by_week.png", "heat_by_channel.png", "actions_by_kind.png", "actions_by_moderator.png",
               "appeals.png")
NO_SOURCE = "no data (feature not installed)"
NO_ROWS = "no data in this period"


@dataclass(frozen=True)
class WeekNudges:
    """Nudges in one week and what their authors did (the same counts as ``/kind stats``)."""

    week: datetime
    cell: StatsCell

    @property
    def nudges(self) -> int:
        """Nudges sent this week."""
        return self.cell.nudges

    @property
    def revised(self) -> int:
        """Revised or withdrawn: the author changed course (the numerator of the revision rate)."""
        return self.cell.revised + self.cell.withdrawn

    @property
    def resolved(self) -> int:
        """Nudges whose outcome is known."""
        return self.cell.resolved

    @property
    def revision_rate(self) -> float | None:
        """:attr:`StatsCell.revision_rate`, the one definition Primum uses everywhere."""
        return self.cell.revision_rate


def nudges_by_week(rows: list[tuple[datetime, str | None]]) -> list[WeekNudges]:
    """Group nudges by ISO week (oldest first); open nudges count as nudges, not as resolved."""
    weeks: dict[datetime, StatsCell] = {}
    for created_at, outcome in rows:
        fact = NudgeFact(0, created_at, Outcome(outcome) if outcome in _OUTCOMES else None, False)
        weeks.setdefault(week_start(created_at), StatsCell()).add(fact)
    return [WeekNudges(week, cell) for week, cell in sorted(weeks.items())]


_OUTCOMES = {str(o) for o in Outcome}

#: De-escalation log actions as ladder steps, in ladder order; lifts, refusals and config are not steps.
LADDER_STEPS = ("notice", "slowmode", "thread", "cooldown", "alert")
_STEP_OF = {"heat_notice": "notice", "notice": "notice", "slowmode": "slowmode", "thread_suggested": "thread",
            "thread": "thread", "cooldown": "cooldown", "mod_alert": "alert", "alert": "alert"}


def heat_by_channel(rows: list[tuple[int, str]]) -> dict[int, Counter[str]]:
    """De-escalation steps per channel, by ladder step (lifts and settings changes are left out)."""
    found: dict[int, Counter[str]] = {}
    for channel_id, action in rows:
        step = _STEP_OF.get(action)
        if step is not None:
            found.setdefault(channel_id, Counter())[step] += 1
    return found


def channel_label(channel_id: int, names: Mapping[int, str]) -> str:
    """``#name`` when the channel's name is known, else its id."""
    return f"#{names[channel_id]}" if channel_id in names else f"channel {channel_id}"


def actor_label(actor_id: int | None, names: Mapping[int, str]) -> str:
    """Primum for its own actions, a moderator's display name when known, else their id."""
    if actor_id is None:
        return "Primum"
    return names.get(actor_id, f"moderator {actor_id}")


def _figure(title: str) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(8, 4.5), dpi=100)
    axes = figure.add_subplot()
    axes.set_title(title)
    return figure, axes


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    figure.tight_layout()
    return png(figure)


def _no_data(title: str, why: str) -> bytes:
    figure, axes = _figure(title)
    axes.text(0.5, 0.5, why, ha="center", va="center", fontsize=14, color="#666666")
    axes.set_axis_off()
    return _png(figure)


def _bars(title: str, counts: Mapping[str, int], ylabel: str, color: str = PALETTE[0]) -> bytes:
    figure, axes = _figure(title)
    labels = list(counts)
    values = [counts[label] for label in labels]
    bars = axes.bar(range(len(labels)), values, color=color)
    axes.bar_label(bars, padding=2, fontsize=9)
    axes.set_xticks(range(len(labels)), labels, rotation=20, ha="right")
    axes.set_ylabel(ylabel)
    axes.set_ylim(0, max(values, default=0) * 1.15 + 1)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def draw_nudges(rows: list[tuple[datetime, str | None]] | None) -> bytes:
    """Nudges per week (bars, with counts) and the revision rate (line, right axis, with "revised/resolved")."""
    title = "Be-kind nudges by week, and how often authors changed course"
    if rows is None:
        return _no_data(title, NO_SOURCE)
    weeks = nudges_by_week(rows)
    if not weeks:
        return _no_data(title, NO_ROWS)
    figure, axes = _figure(title)
    labels = [f"week of\n{w.week:%d %b}" for w in weeks]
    xs = list(range(len(weeks)))
    bars = axes.bar(xs, [w.nudges for w in weeks], color=PALETTE[0], width=0.6, label="nudges (bars, left axis)")
    axes.bar_label(bars, padding=2, fontsize=9)
    axes.set_xticks(xs, labels, fontsize=8)
    axes.set_ylabel("nudges")
    axes.set_ylim(0, max(w.nudges for w in weeks) * 1.25 + 1)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top"]].set_visible(False)
    rate_axes = axes.twinx()
    points = [(x, w) for x, w in zip(xs, weeks, strict=True) if w.revision_rate is not None]
    rate_axes.plot([x for x, _ in points], [100 * (w.revision_rate or 0) for _, w in points], color=PALETTE[4],
                   marker="o", linewidth=2, label="revised or withdrawn, % of resolved (line, right axis)")
    for x, week in points:  # "1/1" beside the point: a rate of one nudge must not read as a trend
        rate_axes.annotate(f"{week.revised}/{week.resolved}", (x, 100 * (week.revision_rate or 0)),
                           textcoords="offset points", xytext=(8, 6), fontsize=8, color=PALETTE[4],
                           bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"})
    rate_axes.set_ylim(0, 115)
    rate_axes.set_yticks([0, 25, 50, 75, 100])
    rate_axes.set_ylabel("revised or withdrawn (% of resolved)")
    rate_axes.spines[["top"]].set_visible(False)
    handles, names = axes.get_legend_handles_labels()
    more, more_names = rate_axes.get_legend_handles_labels()
    axes.legend(handles + more, names + more_names, fontsize=8, frameon=False, loc="upper center",
                bbox_to_anchor=(0.5, -0.2), ncol=2)
    return _png(figure)


def draw_heat(rows: list[tuple[int, str]] | None, channel_names: Mapping[int, str] | None = None) -> bytes:
    """De-escalation steps per channel, stacked by ladder step (in ladder order), with totals."""
    title = "De-escalation steps by channel"
    if rows is None:
        return _no_data(title, NO_SOURCE)
    per_channel = heat_by_channel(rows)
    if not per_channel:
        return _no_data(title, NO_ROWS)
    names = channel_names or {}
    channels = sorted(per_channel, key=lambda c: -sum(per_channel[c].values()))[:12]
    steps = [step for step in LADDER_STEPS if any(per_channel[c][step] for c in channels)]
    figure, axes = _figure(title)
    left = [0] * len(channels)
    labels = [channel_label(c, names) for c in channels]
    for step in steps:
        values = [per_channel[c][step] for c in channels]
        axes.barh(labels, values, left=left, color=PALETTE[LADDER_STEPS.index(step)], label=step)
        left = [a + b for a, b in zip(left, values, strict=True)]
    for y, total in enumerate(left):
        axes.text(total, y, f" {total}", va="center", fontsize=9)
    axes.set_xlim(0, max(left) * 1.15 + 1)
    axes.invert_yaxis()
    axes.legend(title="ladder step", fontsize=8, title_fontsize=8, frameon=False, loc="lower right")
    axes.set_xlabel("steps taken")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def actions_by_kind(rows: list[tuple[datetime, str, int | None]]) -> list[tuple[str, int, bool]]:
    """``(kind, cases, is a ladder step)`` in ladder order, lightest action first, then other records.

    The order is :data:`~primum.domain.cases.ACTION_LADDER` (note, warn, hide, purge, slowmode,
    cooldown, kick, ban), then :data:`~primum.domain.cases.OTHER_RECORDS` (lift, unban,
    verification, forget), which are not steps against anyone; an unknown kind comes last.
    """
    counts = Counter(kind for _, kind, _ in rows)
    ladder = [(str(kind), counts.pop(str(kind)), True) for kind in ACTION_LADDER if counts.get(str(kind))]
    other = [(str(kind), counts.pop(str(kind)), False) for kind in OTHER_RECORDS if counts.get(str(kind))]
    return ladder + other + [(kind, n, False) for kind, n in sorted(counts.items())]


def draw_actions_by_kind(rows: list[tuple[datetime, str, int | None]] | None) -> bytes:
    """Cases by kind in ladder order (lightest first), steps against members apart from other records."""
    title = "Moderation actions by kind (lightest first)"
    if rows is None:
        return _no_data(title, NO_SOURCE)
    if not rows:
        return _no_data(title, NO_ROWS)
    ordered = actions_by_kind(rows)
    figure, axes = _figure(title)
    xs = list(range(len(ordered)))
    for is_step, color, label in ((True, PALETTE[0], "actions, lightest to heaviest"),
                                  (False, PALETTE[3], "other records (lifted, unbanned, verified, forgotten)")):
        picked = [(x, n) for x, (_, n, step) in zip(xs, ordered, strict=True) if step is is_step]
        if picked:
            bars = axes.bar([x for x, _ in picked], [n for _, n in picked], color=color, label=label)
            axes.bar_label(bars, padding=2, fontsize=9)
    axes.set_xticks(xs, [_kind_name(kind) for kind, _, _ in ordered], rotation=20, ha="right")
    axes.set_ylabel("cases")
    axes.set_ylim(0, max(n for _, n, _ in ordered) * 1.3 + 1)  # room for the legend above the bars
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(fontsize=8, frameon=False, loc="upper right")
    return _png(figure)


def _kind_name(kind: str) -> str:
    try:
        return kind_label(CaseKind(kind))
    except ValueError:
        return kind


def draw_actions_by_moderator(
    rows: list[tuple[datetime, str, int | None]] | None, names: Mapping[int, str] | None = None
) -> bytes:
    """Cases by who acted; Primum's automatic actions are their own bar."""
    title = "Moderation actions by moderator"
    if rows is None:
        return _no_data(title, NO_SOURCE)
    if not rows:
        return _no_data(title, NO_ROWS)
    counts = Counter(actor_label(actor, names or {}) for _, _, actor in rows)
    return _bars(title, dict(counts.most_common(15)), "cases", PALETTE[1])


def draw_appeals(rows: list[tuple[datetime, str]] | None) -> bytes:
    """Appeals by outcome."""
    title = "Appeals and their outcomes"
    if rows is None:
        return _no_data(title, NO_SOURCE)
    if not rows:
        return _no_data(title, NO_ROWS)
    counts = Counter(status for _, status in rows)
    ordered = {status: counts.get(status, 0) for status in ("open", "upheld", "overturned")}
    return _bars(title, ordered, "appeals", PALETTE[4])


def render_report(
    rows: ReportRows, *, names: Mapping[int, str] | None = None, channel_names: Mapping[int, str] | None = None
) -> dict[str, bytes]:
    """All five charts as ``{file name: PNG bytes}`` (CPU work: call it off the event loop)."""
    with DRAWING_LOCK:
        return {
            "nudges_by_week.png": draw_nudges(rows.nudges),
            "heat_by_channel.png": draw_heat(rows.heat, channel_names),
            "actions_by_kind.png": draw_actions_by_kind(rows.actions),
            "actions_by_moderator.png": draw_actions_by_moderator(rows.actions, names),
            "appeals.png": draw_appeals(rows.appeals),
        }


async def load_rows(db: Database, guild_id: int | None, since: datetime | None) -> ReportRows:
    """The report's rows from the database (tolerating absent features)."""
    return await report_rows(db, guild_id, since)


async def load_names(db: Database, guild_id: int | None) -> KnownNames:
    """The channel and moderator names Primum remembered (none in a database from before them)."""
    return await known_names(db, guild_id)


def write_report(charts: Mapping[str, bytes], out_dir: Path) -> list[Path]:
    """Write the PNGs into ``out_dir`` (created if needed) and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, image in charts.items():
        path = out_dir / name
        path.write_bytes(image)
        written.append(path)
    return written
