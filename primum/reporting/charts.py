"""Small PNG charts for slash-command answers, drawn with matplotlib's Agg backend.

Drawing takes tens of milliseconds of CPU, so callers run it off the event loop:
``png = await render_async(stacked_bars, ...)``. Only the object-oriented API is used (no
``pyplot`` global state), and one lock serialises drawing, because matplotlib is not promised to
be thread-safe.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, ParamSpec

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

P = ParamSpec("P")

#: Every chart in Primum (here, the owners' report, the /heat chart) draws under this one lock.
DRAWING_LOCK = threading.Lock()

#: Colour-blind-safe palette (Okabe–Ito), in the order series are drawn.
PALETTE = ("#0072B2", "#009E73", "#E69F00", "#999999", "#D55E00", "#CC79A7", "#56B4E9")


async def render_async(draw: Callable[P, bytes], *args: P.args, **kwargs: P.kwargs) -> bytes:
    """Run a chart function in a worker thread, so the gateway heartbeat never waits on matplotlib."""
    return await asyncio.to_thread(draw, *args, **kwargs)


def png(figure: Figure, **savefig: Any) -> bytes:
    """Render ``figure`` with the Agg canvas to PNG bytes (``savefig`` options pass through)."""
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)
    figure.savefig(buffer, format="png", **savefig)
    return buffer.getvalue()


def _png(figure: Figure) -> bytes:
    return png(figure, dpi=110, bbox_inches="tight")


def stacked_bars(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    ylabel: str = "",
    line: tuple[str, Sequence[float | None]] | None = None,
    line_label: str = "",
    empty_text: str = "No data yet",
) -> bytes:
    """Stacked bars per label (e.g. outcomes per week) with an optional rate line on a 0–100 % axis."""
    with DRAWING_LOCK:
        figure = Figure(figsize=(7.5, 3.8))
        axes = figure.add_subplot()
        axes.set_title(title, fontsize=11)
        if not labels:
            axes.text(0.5, 0.5, empty_text, ha="center", va="center", transform=axes.transAxes, color="#666666")
            axes.set_axis_off()
            return _png(figure)
        positions = list(range(len(labels)))
        bottom = [0.0] * len(labels)
        for index, (name, values) in enumerate(series.items()):
            heights = [float(v) for v in values]
            axes.bar(positions, heights, bottom=bottom, label=name, color=PALETTE[index % len(PALETTE)], width=0.7)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        # The total under each label: a rate over one nudge must not read as a trend, and no line covers it.
        shown = [f"{label}\nn = {total:g}" for label, total in zip(labels, bottom, strict=True)]
        axes.set_ylim(0, max(bottom, default=0) * 1.2 + 1)
        axes.set_xticks(positions, shown, rotation=30 if len(labels) > 6 else 0, fontsize=8)
        axes.set_ylabel(ylabel)
        axes.spines[["top", "right"]].set_visible(False)
        handles, names = axes.get_legend_handles_labels()
        if line is not None:
            twin = axes.twinx()
            points = [(p, v * 100) for p, v in zip(positions, line[1], strict=True) if v is not None]
            if points:
                xs, ys = zip(*points, strict=True)
                twin.plot(xs, ys, color="#D55E00", marker="o", linewidth=1.8, label=f"{line[0]} (line, right axis)")
            twin.set_ylim(0, 115)
            twin.set_yticks([0, 25, 50, 75, 100])
            twin.set_ylabel(line_label or line[0])
            twin.spines[["top"]].set_visible(False)
            more_handles, more_names = twin.get_legend_handles_labels()
            handles, names = handles + more_handles, names + more_names
        # Below the plot, so it never covers a bar or the line.
        axes.legend(handles, names, fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.14),
                    ncol=min(5, len(names)))
        return _png(figure)


#: Threshold and marker names on the /heat chart, in ladder order.
HEAT_LEVELS = ("notice", "slowmode", "thread", "alert")
STEP_COLOURS = {"notice": PALETTE[0], "slowmode": PALETTE[1], "thread": PALETTE[2], "cooldown": PALETTE[3],
                "alert": PALETTE[4]}


def heat_curve(
    curve: Sequence[tuple[datetime, float]], thresholds: Sequence[float], steps: Sequence[tuple[datetime, str]],
    *, title: str,
) -> bytes:
    """The /heat chart: heat over the last minutes (x runs from 30 minutes ago to now), thresholds, and markers.

    Threshold names sit at the right edge, outside the plot, so they never cross the curve; each
    ladder step taken (a notice, a slowmode...) is a dashed line with its name.
    """
    with DRAWING_LOCK:
        figure = Figure(figsize=(7, 3))
        axes = figure.add_subplot()
        end = curve[-1][0] if curve else None

        def ago(moment: datetime) -> float:
            assert end is not None
            return (end - moment).total_seconds() / 60

        if curve:
            xs = [ago(moment) for moment, _ in curve]
            ys = [value for _, value in curve]
            axes.plot(xs, ys, color="#c0392b", linewidth=1.8, label="heat")
            axes.fill_between(xs, ys, color="#c0392b", alpha=0.15)
            axes.set_xlim(max(xs), 0)  # minutes ago: 30 on the left, now on the right
        peak = max([value for _, value in curve] + [1.0])
        # Thresholds up to the first one above the curve: the next level is in view, the rest would squash it.
        levels = list(zip(thresholds, HEAT_LEVELS, strict=False))
        above = [i for i, (threshold, _) in enumerate(levels) if threshold > peak]
        visible = levels[: above[0] + 1] if above else levels
        for threshold, name in visible:
            axes.axhline(threshold, color="#7f8c8d", linewidth=0.6, linestyle="--")
            axes.annotate(f"{name} {threshold:g}", (1, threshold), xycoords=("axes fraction", "data"),
                          xytext=(4, 0), textcoords="offset points", va="center", fontsize=7, color="#7f8c8d")
        axes.set_ylim(0, max([peak] + [t for t, _ in visible]) * 1.15)
        shown: set[str] = set()
        for moment, step in steps if end is not None else ():
            x = ago(moment)
            colour = STEP_COLOURS.get(step, "#333333")
            axes.axvline(x, color=colour, linewidth=1.2, linestyle=":",
                         label=f"{step} fired" if step not in shown else None)
            shown.add(step)
        axes.set_xlabel("minutes ago")
        axes.set_ylabel("heat")
        axes.set_title(title, fontsize=10)
        axes.spines[["top"]].set_visible(False)
        if curve:
            axes.legend(fontsize=7, frameon=False, loc="upper left")
        return _png(figure)
