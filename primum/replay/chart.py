"""The replay's chart: channel heat over time, the ladder's thresholds, and a marker per action."""

from __future__ import annotations

from datetime import datetime

from matplotlib.figure import Figure

from primum.replay.report import LEVELS
from primum.replay.result import ReplayResult
from primum.reporting.charts import DRAWING_LOCK, PALETTE, png

#: action type -> (legend label, marker, colour)
MARKERS: dict[str, tuple[str, str, str]] = {
    "nudge": ("nudge", "o", PALETTE[0]),
    "hide": ("hidden", "X", PALETTE[5]),
    "heat_notice": ("notice", "s", PALETTE[2]),
    "thread_suggested": ("thread suggested", "P", PALETTE[6]),
    "slowmode": ("slowmode", "v", PALETTE[4]),
    "cooldown": ("cooldown (timeout)", "D", "#000000"),
    "mod_alert": ("moderators alerted", "*", PALETTE[5]),
    "threat_alert": ("likely threat: moderators alerted", "h", PALETTE[4]),
}


def heat_chart(result: ReplayResult) -> bytes:
    """A PNG of heat against minutes since the first message, with every action marked."""
    with DRAWING_LOCK:
        figure = Figure(figsize=(9, 4.2))
        axes = figure.add_subplot()

        def minutes(moment: datetime) -> float:
            return (moment - result.started_at).total_seconds() / 60

        def heat_at(moment: datetime) -> float:
            values = [value for at, value in result.heat if at <= moment]
            return values[-1] if values else 0.0

        if result.heat:
            xs = [minutes(at) for at, _ in result.heat]
            ys = [value for _, value in result.heat]
            axes.plot(xs, ys, color="#C0392B", linewidth=1.6, label="channel heat")
            axes.fill_between(xs, ys, color="#C0392B", alpha=0.12)
        for value, name in zip(result.thresholds, LEVELS, strict=False):
            axes.axhline(value, color="#7F8C8D", linewidth=0.7, linestyle="--")
            axes.annotate(f"{name} {value:g}", (1.0, value), xycoords=("axes fraction", "data"), fontsize=7,
                          color="#7F8C8D", va="bottom", ha="right")
        lifts = {a.fields.get("action_id"): a.at for a in result.actions_of("slowmode_lifted")}
        for slowmode in result.actions_of("slowmode"):
            end = lifts.get(slowmode.fields.get("action_id"))
            if end is not None:
                axes.axvspan(minutes(slowmode.at), minutes(end), color=PALETTE[4], alpha=0.08)
        top = max([value for _, value in result.heat] + list(result.thresholds[:2]) + [1.0])
        stacked: dict[float, int] = {}  # several actions at one moment stand one above the other

        def place(moment: datetime) -> float:
            key = round(minutes(moment), 2)
            stacked[key] = stacked.get(key, -1) + 1
            return heat_at(moment) + stacked[key] * 0.045 * top

        for kind, (label, marker, colour) in MARKERS.items():
            found = result.actions_of(kind)
            if found:
                axes.scatter([minutes(a.at) for a in found], [place(a.at) for a in found], marker=marker,
                             s=70 if marker == "*" else 38, color=colour, label=f"{label} ×{len(found)}",
                             zorder=3, edgecolors="white", linewidths=0.6)
        if result.messages:
            axes.plot([minutes(p.at) for p in result.messages], [0.0] * len(result.messages), "|",
                      color="#555555", markersize=7, label="message")
        axes.set_xlabel("minutes since the first message")
        axes.set_ylabel("channel heat")
        axes.set_ylim(-0.05 * top, top * 1.2)
        axes.set_title(f"Replay of {result.history.name} in #{result.channel} ({result.scorer})", fontsize=10)
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        return png(figure, dpi=110, bbox_inches="tight")
