"""The owners' weekly report as PNG charts (matplotlib, Agg): the same images in Discord and offline.

Five charts, one file each:

* ``nudges_by_week.png``     be-kind nudges per week and the share revised by their authors;
* ``heat_by_channel.png``    de-escalation steps per channel (notices, slowmodes, cooldowns...);
* ``actions_by_kind.png``    moderation cases by kind;
* ``actions_by_moderator.png`` cases by who acted (Primum or a moderator);
* ``appeals.png``            appeals by outcome (open, upheld, overturned).

A feature that is not installed (its table is absent) gives a chart that says "no data" instead
of an error. Drawing is CPU work: the bot calls :func:`render_report` through ``asyncio.to_thread``.
Only the object-oriented API is used (no pyplot global state) and drawing takes
:data:`primum.charts.DRAWING_LOCK`, shared by every chart in Primum.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from primum.charts import DRAWING_LOCK, PALETTE, png
from primum.storage.cases import ReportRows, report_rows
from primum.storage.database import Database

CHART_FILES = ("nudges_by_week.png", "heat_by_channel.png", "actions_by_kind.png", "actions_by_moderator.png",
               "appeals.png")
NO_SOURCE = "no data (feature not installed)"
NO_ROWS = "no data in this period"


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 UTC of the week ``moment`` falls in."""
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class WeekNudges:
    """Nudges in one week and how many of the resolved ones were revised."""

    week: datetime
    nudges: int
    revised: int
    resolved: int

    @property
    def revision_rate(self) -> float | None:
        """Revised / resolved, or None when nothing resolved yet."""
        return self.revised / self.resolved if self.resolved else None


def nudges_by_week(rows: list[tuple[datetime, str | None]]) -> list[WeekNudges]:
    """Group nudges by ISO week (oldest first); open nudges count as nudges, not as resolved."""
    weeks: dict[datetime, list[int]] = {}
    for created_at, outcome in rows:
        slot = weeks.setdefault(week_start(created_at), [0, 0, 0])
        slot[0] += 1
        if outcome is not None:
            slot[2] += 1
            if outcome == "revised":
                slot[1] += 1
    return [WeekNudges(week, n, rev, res) for week, (n, rev, res) in sorted(weeks.items())]


def heat_by_channel(rows: list[tuple[int, str]]) -> dict[int, Counter[str]]:
    """De-escalation steps per channel, by step."""
    found: dict[int, Counter[str]] = {}
    for channel_id, action in rows:
        found.setdefault(channel_id, Counter())[action] += 1
    return found


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
    axes.bar(range(len(labels)), values, color=color)
    axes.set_xticks(range(len(labels)), labels, rotation=20, ha="right")
    axes.set_ylabel(ylabel)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    return _png(figure)


def draw_nudges(rows: list[tuple[datetime, str | None]] | None) -> bytes:
    """Nudges per week (bars) and revision rate (line, right axis)."""
    title = "Be-kind nudges and revision rate by week"
    if rows is None:
        return _no_data(title, NO_SOURCE)
    weeks = nudges_by_week(rows)
    if not weeks:
        return _no_data(title, NO_ROWS)
    figure, axes = _figure(title)
    labels = [w.week.strftime("%d %b") for w in weeks]
    xs = range(len(weeks))
    axes.bar(xs, [w.nudges for w in weeks], color=PALETTE[0], label="nudges")
    axes.set_xticks(xs, labels)
    axes.set_ylabel("nudges")
    rate_axes = axes.twinx()
    rates = [w.revision_rate for w in weeks]
    rate_axes.plot([x for x, r in zip(xs, rates, strict=True) if r is not None],
                   [100 * r for r in rates if r is not None], color=PALETTE[2], marker="o", label="revised %")
    rate_axes.set_ylim(0, 100)
    rate_axes.set_ylabel("revised (% of resolved)")
    return _png(figure)


def draw_heat(rows: list[tuple[int, str]] | None, channel_names: Mapping[int, str] | None = None) -> bytes:
    """De-escalation steps per channel, stacked by step."""
    title = "Heat by channel (de-escalation steps)"
    if rows is None:
        return _no_data(title, NO_SOURCE)
    per_channel = heat_by_channel(rows)
    if not per_channel:
        return _no_data(title, NO_ROWS)
    names = channel_names or {}
    channels = sorted(per_channel, key=lambda c: -sum(per_channel[c].values()))[:12]
    steps = sorted({step for counter in per_channel.values() for step in counter})
    figure, axes = _figure(title)
    left = [0] * len(channels)
    labels = [f"#{names[c]}" if c in names else str(c) for c in channels]
    for i, step in enumerate(steps):
        values = [per_channel[c][step] for c in channels]
        axes.barh(labels, values, left=left, color=PALETTE[i % len(PALETTE)], label=step)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.invert_yaxis()
    axes.legend(fontsize=8)
    axes.set_xlabel("steps")
    return _png(figure)


def draw_actions_by_kind(rows: list[tuple[datetime, str, int | None]] | None) -> bytes:
    """Cases by kind."""
    title = "Moderation actions by kind"
    if rows is None:
        return _no_data(title, NO_SOURCE)
    if not rows:
        return _no_data(title, NO_ROWS)
    return _bars(title, dict(Counter(kind for _, kind, _ in rows).most_common()), "cases")


def draw_actions_by_moderator(
    rows: list[tuple[datetime, str, int | None]] | None, names: Mapping[int, str] | None = None
) -> bytes:
    """Cases by who acted; Primum's automatic actions are their own bar."""
    title = "Moderation actions by moderator"
    if rows is None:
        return _no_data(title, NO_SOURCE)
    if not rows:
        return _no_data(title, NO_ROWS)
    who = names or {}
    counts = Counter("Primum" if actor is None else who.get(actor, str(actor)) for _, _, actor in rows)
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


def write_report(charts: Mapping[str, bytes], out_dir: Path) -> list[Path]:
    """Write the PNGs into ``out_dir`` (created if needed) and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, image in charts.items():
        path = out_dir / name
        path.write_bytes(image)
        written.append(path)
    return written
