"""What ``/kind stats`` shows: a short summary per channel, and weekly outcomes as a chart."""

from __future__ import annotations

from primum import display
from primum.reporting.charts import stacked_bars
from primum.services.kindness_records import StatsView


def summary(view: StatsView, names: dict[int, str]) -> str:
    total = view.stats.total
    rate = f"{total.revision_rate:.0%}" if total.revision_rate is not None else "n/a"
    lines = [
        f"**Be-kind since {display.timestamp(view.since, 'D')}**: {total.nudges} nudge(s); revised {total.revised}, "
        f"withdrawn {total.withdrawn}, kept {total.kept}, open {total.open}; revision rate {rate}; "
        f"{total.reports} reported as a mistake ({view.open_reports} awaiting review); {view.hides} hidden.",
    ]
    for channel_id, cell in sorted(view.stats.by_channel.items(), key=lambda item: -item[1].nudges)[:10]:
        channel_rate = f"{cell.revision_rate:.0%}" if cell.revision_rate is not None else "n/a"
        lines.append(
            f"• {names.get(channel_id, str(channel_id))}: {cell.nudges} nudge(s), revised {cell.revised}, "
            f"withdrawn {cell.withdrawn}, kept {cell.kept}, reports {cell.reports}, rate {channel_rate}"
        )
    return "\n".join(lines)


def draw_stats(view: StatsView) -> bytes:
    """Weekly outcomes as stacked bars with the revision rate as a line."""
    weeks = list(view.stats.by_week)
    cells = [view.stats.by_week[w] for w in weeks]
    return stacked_bars(
        "Be-kind nudges per week and what came of them",
        [f"{w:%b %d}" for w in weeks],
        {
            "revised": [c.revised for c in cells],
            "withdrawn": [c.withdrawn for c in cells],
            "kept": [c.kept for c in cells],
            "open": [c.open for c in cells],
        },
        ylabel="nudges",
        line=("revision rate", [c.revision_rate for c in cells]),
        line_label="revised or withdrawn (%)",
        empty_text="No nudges yet",
    )
