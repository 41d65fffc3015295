"""How Primum shows values to people: Discord timestamps, durations in words, mentions, settings.

One small module for every reply, embed and #mod-log line, so a time never prints as an ISO string,
a duration never as "30m" and an unset value never as "None". Pure text (no discord import), so the
services can use it too; :func:`timestamp` writes the same markup as ``discord.utils.format_dt``
(the tests hold the two equal), which each reader's Discord client shows in their own time zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

TimestampStyle = Literal["t", "T", "d", "D", "f", "F", "R"]

NOT_SET = "not set"

_UNITS = (("day", 86_400), ("hour", 3_600), ("minute", 60), ("second", 1))


def timestamp(moment: datetime, style: TimestampStyle = "f") -> str:
    """``<t:UNIX:STYLE>``: "6 December 2026 01:22" in the reader's own zone ("R": "in 5 minutes")."""
    if moment.tzinfo is None:
        raise ValueError("timestamps need an aware UTC datetime")
    return f"<t:{int(moment.timestamp())}:{style}>"


def when_and_relative(moment: datetime) -> str:
    """``6 December 2026 01:22 (in 5 minutes)`` as Discord markup."""
    return f"{timestamp(moment, 'f')} ({timestamp(moment, 'R')})"


def duration_words(span: timedelta | float | int | None, *, parts: int = 2) -> str:
    """``timedelta(minutes=90)`` or ``5400`` (seconds) → "1 hour 30 minutes"; None → "not set".

    At most ``parts`` units, largest first; spans under a second read "0 seconds".
    """
    if span is None:
        return NOT_SET
    seconds = round(span.total_seconds() if isinstance(span, timedelta) else float(span))
    words: list[str] = []
    remaining = abs(seconds)
    for unit, size in _UNITS:
        count, remaining = divmod(remaining, size)
        if count:
            words.append(f"{count} {unit}{'' if count == 1 else 's'}")
    shown = " ".join(words[:parts]) or "0 seconds"
    return f"minus {shown}" if seconds < 0 else shown


def channel(channel_id: int | None) -> str:
    """``<#id>`` (the channel's name in Discord), or "not set"."""
    return NOT_SET if channel_id is None else f"<#{channel_id}>"


def role(role_id: int | None) -> str:
    """``<@&id>`` (the role's name in Discord), or "not set"."""
    return NOT_SET if role_id is None else f"<@&{role_id}>"


def user(user_id: int | None) -> str:
    """``<@id>`` (the member's name in Discord), or "not set"."""
    return NOT_SET if user_id is None else f"<@{user_id}>"


def on_off(value: bool | None) -> str:
    """True → "on", False → "off", None → "not set"."""
    return NOT_SET if value is None else ("on" if value else "off")


def setting_label(key: str) -> str:
    """``transparency_channel_id`` → "Transparency channel"; ``notice_at`` → "Notice at"."""
    words = key.removesuffix("_ids").removesuffix("_id").removesuffix("_s").split("_")
    if words[-1] in {"minutes", "hours", "seconds", "days"}:
        words = words[:-1]
    label = " ".join(words)
    return label[:1].upper() + label[1:]


_UNIT_SECONDS = {"_seconds": 1, "_s": 1, "_minutes": 60, "_hours": 3_600, "_days": 86_400}


def setting_value(key: str, value: Any) -> str:
    """A stored setting as a person reads it, from its name's convention and its type.

    ``*_channel_id`` → channel mention, ``*_role_id(s)`` → role mentions, ``*_user_id`` → member
    mention, ``*_minutes/_hours/_seconds/_days`` → duration in words, booleans → on/off, None →
    "not set", lists → comma-separated. ``slowmode_seconds`` is a per-message wait and reads the same.
    """
    if value is None or value == [] or value == ():
        return NOT_SET
    if isinstance(value, bool):
        return on_off(value)
    if key.endswith(("channel_id", "channel_ids")):
        return _joined(channel, value)
    if key.endswith(("role_id", "role_ids")):
        return _joined(role, value)
    if key.endswith(("user_id", "user_ids")):
        return _joined(user, value)
    for suffix, size in _UNIT_SECONDS.items():
        if key.endswith(suffix) and isinstance(value, int | float):
            return duration_words(float(value) * size)
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(item) for item in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _joined(show: Any, value: Any) -> str:
    items = value if isinstance(value, list | tuple | set | frozenset) else [value]
    return ", ".join(show(int(item)) for item in items) or NOT_SET


def setting_rows(values: Mapping[str, Any], *, descriptions: Mapping[str, str] | None = None,
                 defaults: Mapping[str, Any] | None = None, labels: Mapping[str, str] | None = None,
                 show_keys: bool = False) -> list[tuple[str, str]]:
    """``(label, value)`` per setting; a value that differs from ``defaults`` is marked "(changed)".

    ``labels`` overrides the label made from a key; ``show_keys`` adds the key (the name a ``config``
    command takes) under the value, with its description.
    """
    rows: list[tuple[str, str]] = []
    for key, value in values.items():
        shown = setting_value(key, value)
        if defaults is not None and key in defaults and defaults[key] != value:
            shown += " (changed)"
        notes = [f"`{key}`"] if show_keys else []
        if descriptions and key in descriptions:
            notes.append(descriptions[key])
        if notes:
            shown += "\n-# " + " · ".join(notes)
        rows.append(((labels or {}).get(key) or setting_label(key), shown))
    return rows


def bullet_lines(lines: Iterable[str]) -> str:
    """``• line`` per item, or "none"."""
    shown = [f"• {line}" for line in lines]
    return "\n".join(shown) if shown else "none"
