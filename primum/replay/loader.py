"""Read a channel history: DiscordChatExporter's JSON, or Primum's JSONL (one object a line).

JSONL (the calibration format):

- an optional first line ``{"meta": {"id", "kind", "civil", "split", "note"}}``;
- then one message a line: ``{"author": str, "text": str, "after": seconds after the previous
  message (>= 0), "reply_to": 0-based index of an earlier message or null}`` with optional
  ``"expect": "nudge" | "ok" | "either"`` and ``"deescalate": true``.

A file whose whole text is one JSON object with ``messages`` is a DiscordChatExporter export.
Anything wrong raises :class:`HistoryError` naming the line (JSONL) or the message and field (JSON).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from primum.replay.history import EXPECTATIONS, SPLITS, History, HistoryError, HistoryMessage, Meta

MESSAGE_KEYS = {"author", "text", "after", "reply_to", "expect", "deescalate"}
META_KEYS = {"id": str, "kind": str, "civil": bool, "split": str, "note": str}
#: DiscordChatExporter message types that are members speaking; the rest (joins, pins…) are skipped.
SPOKEN_TYPES = {"Default", "Reply"}


def load_history(path: Path) -> History:
    """Load either format; raise HistoryError (with the place named) if the file is malformed."""
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as error:
        raise HistoryError(f"{path}: cannot read: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise HistoryError(f"{path}: not UTF-8 text (byte {error.start})") from error
    if not raw.strip():
        raise HistoryError(f"{path}: the file is empty")
    try:
        whole = json.loads(raw)
    except json.JSONDecodeError as error:
        if path.suffix.lower() == ".json":
            raise HistoryError(f"{path}: not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
                               ) from error
        return parse_jsonl(raw, path)
    if isinstance(whole, dict) and ("messages" in whole or path.suffix.lower() == ".json"):
        return parse_export(whole, path)
    return parse_jsonl(raw, path)


# --- JSONL ---------------------------------------------------------------------------------------

def parse_jsonl(raw: str, path: Path) -> History:
    """Parse the JSONL format; errors name the 1-based line."""
    meta = Meta()
    messages: list[HistoryMessage] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}: line {number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise HistoryError(f"{where}: not valid JSON: {error.msg} (column {error.colno})") from error
        if not isinstance(item, dict):
            raise HistoryError(f"{where}: expected a JSON object, got {type(item).__name__}")
        if "meta" in item:
            if messages or meta != Meta():
                raise HistoryError(f"{where}: the meta line must be the first line")
            meta = _meta(item, where)
            continue
        messages.append(_jsonl_message(item, len(messages), where))
    if not messages:
        raise HistoryError(f"{path}: no messages")
    people = {message.author_key: message.author_name for message in messages}
    with_mentions = tuple(_with_mentions(message, people) for message in messages)
    return History(messages=with_mentions, path=path, format="jsonl", meta=meta, people=people)


def _meta(item: Mapping[str, Any], where: str) -> Meta:
    extra = set(item) - {"meta"}
    if extra:
        raise HistoryError(f"{where}: the meta line has only a 'meta' key (found {', '.join(sorted(extra))})")
    body = item["meta"]
    if not isinstance(body, dict):
        raise HistoryError(f"{where}: 'meta' must be an object")
    for key, value in body.items():
        wanted = META_KEYS.get(key)
        if wanted is None:
            raise HistoryError(f"{where}: unknown meta key {key!r} (allowed: {', '.join(META_KEYS)})")
        if not isinstance(value, wanted):
            raise HistoryError(f"{where}: meta.{key} must be a {wanted.__name__}")
    split = body.get("split", "")
    if split and split not in SPLITS:
        raise HistoryError(f"{where}: meta.split must be one of {', '.join(SPLITS)} (got {split!r})")
    return Meta(id=body.get("id", ""), kind=body.get("kind", ""), civil=body.get("civil"), split=split,
                note=body.get("note", ""))


def _jsonl_message(item: Mapping[str, Any], index: int, where: str) -> HistoryMessage:
    unknown = set(item) - MESSAGE_KEYS
    if unknown:
        raise HistoryError(f"{where}: unknown key {', '.join(sorted(unknown))} (allowed: "
                           f"{', '.join(sorted(MESSAGE_KEYS))})")
    author = item.get("author")
    if not isinstance(author, str) or not author.strip():
        raise HistoryError(f"{where}: 'author' must be a non-empty string")
    text = item.get("text")
    if not isinstance(text, str):
        raise HistoryError(f"{where}: 'text' must be a string")
    after = item.get("after", 0)
    if isinstance(after, bool) or not isinstance(after, int | float) or not after >= 0 or after == float("inf"):
        raise HistoryError(f"{where}: 'after' must be a number of seconds >= 0 (got {after!r})")
    reply_to = item.get("reply_to")
    if reply_to is not None and (isinstance(reply_to, bool) or not isinstance(reply_to, int)
                                 or not 0 <= reply_to < index):
        raise HistoryError(f"{where}: 'reply_to' must be null or the index of an earlier message "
                           f"(0 to {index - 1}; the meta line is not counted), got {reply_to!r}")
    expect = item.get("expect")
    if expect is not None and expect not in EXPECTATIONS:
        raise HistoryError(f"{where}: 'expect' must be one of {', '.join(EXPECTATIONS)} (got {expect!r})")
    deescalate = item.get("deescalate", False)
    if not isinstance(deescalate, bool):
        raise HistoryError(f"{where}: 'deescalate' must be true or false")
    name = author.strip()
    return HistoryMessage(index=index, author_key=name, author_name=name, text=text, after_s=float(after),
                          reply_to=reply_to, expect=expect, deescalate=deescalate,
                          source=where.rsplit(": ", 1)[-1])


def _with_mentions(message: HistoryMessage, people: Mapping[str, str]) -> HistoryMessage:
    """``@Name`` of another author in a JSONL text is a mention (Discord would have made it one)."""
    found = tuple(key for key, name in people.items() if key != message.author_key and mention_at(message.text, name))
    if not found:
        return message
    return HistoryMessage(**{**message.__dict__, "mentions": found})


def mention_at(text: str, name: str) -> re.Match[str] | None:
    """Where ``@name`` stands as a whole word in ``text`` (case-insensitive), if it does."""
    return re.search(rf"@{re.escape(name)}(?![\w-])", text, flags=re.IGNORECASE)


# --- DiscordChatExporter JSON --------------------------------------------------------------------

def parse_export(data: Mapping[str, Any], path: Path) -> History:
    """Parse a DiscordChatExporter JSON export; errors name ``messages[i].field``."""
    items = data.get("messages")
    if not isinstance(items, list):
        raise HistoryError(f"{path}: a DiscordChatExporter export needs a 'messages' list")
    channel = data.get("channel")
    channel_name = channel.get("name") if isinstance(channel, dict) else None
    messages: list[HistoryMessage] = []
    by_id: dict[str, int] = {}
    people: dict[str, str] = {}
    previous: datetime | None = None
    started: datetime | None = None
    skipped = 0
    for position, item in enumerate(items):
        where = f"{path}: messages[{position}]"
        if not isinstance(item, dict):
            raise HistoryError(f"{where}: expected an object")
        kind = item.get("type", "Default")
        if not isinstance(kind, str):
            raise HistoryError(f"{where}.type: expected a string")
        message_id = _field(item, "id", (str, int), where)
        moment = _timestamp(item, where)
        author = _field(item, "author", dict, where)
        author_id = str(_field(author, "id", (str, int), f"{where}.author"))
        name = author.get("nickname") or author.get("name")
        if not isinstance(name, str) or not name.strip():
            raise HistoryError(f"{where}.author.name: expected a non-empty string")
        if kind not in SPOKEN_TYPES:
            skipped += 1
            continue
        content = item.get("content", "")
        if not isinstance(content, str):
            raise HistoryError(f"{where}.content: expected a string")
        if previous is not None and moment < previous:
            raise HistoryError(f"{where}.timestamp: earlier than the message before it (exports are in order)")
        people.setdefault(author_id, name.strip())
        for other in item.get("mentions") or []:
            if isinstance(other, dict) and other.get("id") is not None:
                other_name = other.get("nickname") or other.get("name") or str(other["id"])
                people.setdefault(str(other["id"]), str(other_name))
        reply_to = _reference(item, by_id, where)
        mentions = tuple(str(other["id"]) for other in item.get("mentions") or []
                         if isinstance(other, dict) and other.get("id") is not None and str(other["id"]) != author_id)
        messages.append(HistoryMessage(
            index=len(messages), author_key=author_id, author_name=name.strip(), text=content,
            after_s=(moment - previous).total_seconds() if previous is not None else 0.0, reply_to=reply_to,
            mentions=mentions, is_bot=bool(author.get("isBot", False)), source=f"messages[{position}]",
        ))
        by_id[str(message_id)] = len(messages) - 1
        previous = moment
        started = started or moment
    if not messages:
        raise HistoryError(f"{path}: no messages to replay")
    return History(messages=tuple(messages), path=path, format="discordchatexporter",
                   channel_name=channel_name if isinstance(channel_name, str) else None, started_at=started,
                   skipped=skipped, people=people)


def _field(item: Mapping[str, Any], key: str, kinds: type | tuple[type, ...], where: str) -> Any:
    value = item.get(key)
    if value is None or isinstance(value, bool) or not isinstance(value, kinds):
        raise HistoryError(f"{where}.{key}: missing or not the right type")
    return value


def _timestamp(item: Mapping[str, Any], where: str) -> datetime:
    raw = item.get("timestamp")
    if not isinstance(raw, str):
        raise HistoryError(f"{where}.timestamp: missing (an ISO-8601 time is expected)")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as error:
        raise HistoryError(f"{where}.timestamp: not an ISO-8601 time: {raw!r}") from error
    if moment.tzinfo is None:
        raise HistoryError(f"{where}.timestamp: has no time zone: {raw!r}")
    return moment


def _reference(item: Mapping[str, Any], by_id: Mapping[str, int], where: str) -> int | None:
    reference = item.get("reference")
    if reference is None:
        return None
    if not isinstance(reference, dict):
        raise HistoryError(f"{where}.reference: expected an object")
    target = reference.get("messageId")
    if target is None:
        return None
    return by_id.get(str(target))  # a reply to a message before the export's range is a plain message
