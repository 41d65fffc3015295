"""Durations as owners type them (``30s``, ``10m``, ``2h``, ``1d``), parsed within bounds and written back."""

from __future__ import annotations

import re
from datetime import timedelta

from primum.domain.policy import ThresholdError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?)?\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_WINDOW = timedelta(days=7)


def parse_duration(text: str, *, minimum: timedelta = timedelta(0), maximum: timedelta = MAX_WINDOW) -> timedelta:
    """Parse ``30s``, ``10m``, ``2h``, ``1d`` (a bare number means minutes) within [minimum, maximum]."""
    match = _DURATION.match(text.lower())
    if not match:
        raise ThresholdError(f"{text!r} is not a duration; use e.g. 30s, 10m, 2h or 1d")
    unit = (match.group(2) or "m")[0]
    seconds = float(match.group(1)) * _UNIT_SECONDS[unit]
    duration = timedelta(seconds=round(seconds))
    if not minimum <= duration <= maximum:
        raise ThresholdError(
            f"{text!r} is out of range; use from {format_duration(minimum)} to {format_duration(maximum)}"
        )
    return duration


def format_duration(duration: timedelta) -> str:
    """Render a duration the way owners type it (``90s`` → ``1m 30s``)."""
    seconds = int(duration.total_seconds())
    if seconds == 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts)
