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
        axes.set_xticks(positions, list(labels), rotation=30 if len(labels) > 6 else 0, fontsize=8)
        axes.set_ylabel(ylabel)
        axes.spines[["top", "right"]].set_visible(False)
        handles, names = axes.get_legend_handles_labels()
        if line is not None:
            twin = axes.twinx()
            points = [(p, v * 100) for p, v in zip(positions, line[1], strict=True) if v is not None]
            if points:
                xs, ys = zip(*points, strict=True)
                twin.plot(xs, ys, color="#D55E00", marker="o", linewidth=1.8, label=line[0])
            twin.set_ylim(0, 100)
            twin.set_ylabel(line_label or line[0])
            twin.spines[["top"]].set_visible(False)
            more_handles, more_names = twin.get_legend_handles_labels()
            handles, names = handles + more_handles, names + more_names
        axes.legend(handles, names, fontsize=8, frameon=False, loc="upper left")
        return _png(figure)
