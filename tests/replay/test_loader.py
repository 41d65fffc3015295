"""Loading histories: Primum's JSONL and DiscordChatExporter's JSON, and clear errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from primum.replay.corpus import CONVERSATIONS_DIR
from primum.replay.history import HistoryError
from primum.replay.loader import load_history


def _jsonl(tmp_path: Path, *lines: Any, name: str = "h.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return path


def _export(tmp_path: Path, messages: list[Any], **top: Any) -> Path:
    path = tmp_path / "export.json"
    data = {"guild": {"id": "1", "name": "Docs"}, "channel": {"id": "2", "name": "politics"}, "messages": messages,
            **top}
    path.write_text(json.dumps(data))
    return path


def _dce(index: int, author: str, content: str, *, at: str, kind: str = "Default", reply: str | None = None,
         mentions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"id": str(1000 + index), "type": kind, "timestamp": at, "content": content,
            "author": {"id": f"u-{author}", "name": author.lower(), "nickname": author, "isBot": False},
            "reference": {"messageId": reply} if reply else None, "mentions": mentions or []}


# --- JSONL ---------------------------------------------------------------------------------------

def test_jsonl_with_meta_expectations_replies_and_mentions(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path,
        {"meta": {"id": "c1", "kind": "escalation", "civil": False, "split": "dev", "note": "n"}},
        {"author": "Ana", "text": "Single payer cuts admin costs.", "after": 0, "reply_to": None, "expect": "ok"},
        {"author": "Ben", "text": "@ana that's naive", "after": 12.5, "reply_to": 0, "expect": "either"},
        "",
        {"author": "Ana", "text": "no mention of @benjamin here", "after": 3, "reply_to": 1, "expect": "nudge",
         "deescalate": True},
    )
    history = load_history(path)
    assert history.format == "jsonl" and history.name == "c1"
    assert history.meta.civil is False and history.meta.split == "dev" and history.meta.kind == "escalation"
    first, second, third = history.messages
    assert (second.after_s, second.reply_to, second.expect) == (12.5, 0, "either")
    assert second.mentions == ("Ana",)  # "@ana" is Ana, case-insensitively
    assert third.mentions == ()  # "@benjamin" is not "@Ben"
    assert third.deescalate and not first.deescalate
    assert history.members() == {"Ana": "Ana", "Ben": "Ben"}
    assert history.duration_s == 15.5


def test_jsonl_without_meta_or_expectations_is_an_owners_history(tmp_path: Path) -> None:
    path = _jsonl(tmp_path, {"author": "a", "text": "hi", "after": 0, "reply_to": None},
                  {"author": "b", "text": "hello", "after": 5, "reply_to": None})
    history = load_history(path)
    assert history.name == "h" and history.meta.civil is None
    assert [m.expect for m in history.messages] == [None, None]


@pytest.mark.parametrize(("line", "complaint"), [
    ('{"author": "a", "text": "x", "after": 1', "line 2: not valid JSON"),
    ('["a", "b"]', "line 2: expected a JSON object"),
    ('{"author": "a", "text": "x", "after": -1, "reply_to": null}', "line 2: 'after' must be a number"),
    ('{"author": "a", "text": "x", "after": "5", "reply_to": null}', "line 2: 'after' must be a number"),
    ('{"author": "a", "text": "x", "after": 1, "reply_to": 1}', "line 2: 'reply_to' must be null or the index"),
    ('{"author": "a", "text": "x", "after": 1, "reply_to": true}', "line 2: 'reply_to'"),
    ('{"author": "", "text": "x", "after": 1, "reply_to": null}', "line 2: 'author' must be a non-empty string"),
    ('{"author": "a", "text": 5, "after": 1, "reply_to": null}', "line 2: 'text' must be a string"),
    ('{"author": "a", "text": "x", "after": 1, "reply_to": null, "expect": "hide"}', "line 2: 'expect' must be"),
    ('{"author": "a", "text": "x", "after": 1, "reply_to": null, "deescalate": 1}', "line 2: 'deescalate'"),
    ('{"author": "a", "text": "x", "after": 1, "reply_to": null, "exepct": "ok"}', "line 2: unknown key exepct"),
    ('{"meta": {"id": "x"}}', "line 2: the meta line must be the first line"),
])
def test_malformed_jsonl_names_the_line(tmp_path: Path, line: str, complaint: str) -> None:
    path = _jsonl(tmp_path, {"author": "a", "text": "first", "after": 0, "reply_to": None}, line)
    with pytest.raises(HistoryError, match=complaint):
        load_history(path)


@pytest.mark.parametrize(("meta", "complaint"), [
    ({"id": "x", "civil": "yes"}, "meta.civil must be a bool"),
    ({"id": "x", "split": "test"}, "meta.split must be one of"),
    ({"id": "x", "colour": "red"}, "unknown meta key 'colour'"),
])
def test_malformed_meta_names_the_line(tmp_path: Path, meta: dict[str, Any], complaint: str) -> None:
    path = _jsonl(tmp_path, {"meta": meta}, {"author": "a", "text": "x", "after": 0, "reply_to": None})
    with pytest.raises(HistoryError, match=f"line 1: {complaint}"):
        load_history(path)


def test_empty_files_and_files_without_messages_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    with pytest.raises(HistoryError, match="empty"):
        load_history(empty)
    with pytest.raises(HistoryError, match="no messages"):
        load_history(_jsonl(tmp_path, {"meta": {"id": "only-meta"}}))
    with pytest.raises(HistoryError, match="cannot read"):
        load_history(tmp_path / "missing.jsonl")


def test_every_shipped_conversation_loads_and_is_labelled() -> None:
    paths = sorted(CONVERSATIONS_DIR.glob("*/*.jsonl"))
    assert len(paths) >= 60
    splits = {"calibration": 0, "dev": 0}
    for path in paths:
        history = load_history(path)
        assert history.meta.split == path.parent.name and history.meta.id == path.stem
        assert history.meta.civil is not None and history.meta.kind
        assert all(message.expect in {"nudge", "ok", "either"} for message in history.messages)
        if history.meta.kind in {"escalation", "pileon"}:
            assert any(message.deescalate for message in history.messages), path.name
        splits[path.parent.name] += 1
    assert splits["dev"] * 3 >= len(paths) * 0.9  # about a third kept apart


# --- DiscordChatExporter JSON ------------------------------------------------------------------

def test_export_replies_mentions_gaps_and_skipped_system_messages(tmp_path: Path) -> None:
    path = _export(tmp_path, [
        _dce(0, "Ana", "Single payer cuts admin costs.", at="2025-03-01T10:00:00.000+00:00"),
        _dce(1, "Ben", "", at="2025-03-01T10:00:05+00:00", kind="GuildMemberJoin"),
        _dce(2, "Ben", "@Ana that's naive", at="2025-03-01T11:00:30.5+01:00", kind="Reply", reply="1000",
             mentions=[{"id": "u-Ana", "name": "ana", "nickname": "Ana"}]),
        _dce(3, "Cy", "see @Dee", at="2025-03-01T10:01:00Z",
             mentions=[{"id": "u-Dee", "name": "dee", "nickname": "Dee"}]),
        _dce(4, "Ana", "replying to something older", at="2025-03-01T10:02:00Z", kind="Reply", reply="1"),
    ])
    history = load_history(path)
    assert history.format == "discordchatexporter" and history.channel_name == "politics"
    assert history.skipped == 1 and len(history.messages) == 4
    ana, ben, cy, older = history.messages
    assert history.started_at is not None and history.started_at.isoformat() == "2025-03-01T10:00:00+00:00"
    assert (ben.after_s, ben.reply_to, ben.mentions) == (30.5, 0, ("u-Ana",))
    assert (cy.after_s, older.reply_to) == (29.5, None)  # a reply to a message outside the export is plain
    assert history.members() == {"u-Ana": "Ana", "u-Ben": "Ben", "u-Cy": "Cy", "u-Dee": "Dee"}
    assert ana.source == "messages[0]" and ben.source == "messages[2]"


@pytest.mark.parametrize(("change", "complaint"), [
    ({"timestamp": "yesterday"}, r"messages\[1\]\.timestamp: not an ISO-8601 time"),
    ({"timestamp": "2025-03-01T10:00:00"}, r"messages\[1\]\.timestamp: has no time zone"),
    ({"timestamp": "2025-03-01T09:00:00+00:00"}, r"messages\[1\]\.timestamp: earlier than the message before"),
    ({"timestamp": None}, r"messages\[1\]\.timestamp: missing"),
    ({"author": None}, r"messages\[1\]\.author: missing"),
    ({"author": {"name": "x"}}, r"messages\[1\]\.author\.id: missing"),
    ({"author": {"id": "9", "name": ""}}, r"messages\[1\]\.author\.name"),
    ({"content": 7}, r"messages\[1\]\.content: expected a string"),
    ({"id": None}, r"messages\[1\]\.id: missing"),
    ({"reference": "1000"}, r"messages\[1\]\.reference: expected an object"),
])
def test_malformed_export_names_the_message_and_field(tmp_path: Path, change: dict[str, Any], complaint: str) -> None:
    second = {**_dce(1, "Ben", "hello", at="2025-03-01T10:00:30+00:00"), **change}
    path = _export(tmp_path, [_dce(0, "Ana", "hi", at="2025-03-01T10:00:00+00:00"), second])
    with pytest.raises(HistoryError, match=complaint):
        load_history(path)


def test_broken_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text('{"guild": {},\n "messages": [\n  {"id": "1",, }\n]}')
    with pytest.raises(HistoryError, match="not valid JSON: .* at line 3 column"):
        load_history(path)


def test_export_without_messages_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"guild": {"id": "1"}, "channel": {"name": "x"}}))
    with pytest.raises(HistoryError, match="needs a 'messages' list"):
        load_history(path)
    with pytest.raises(HistoryError, match="no messages to replay"):
        load_history(_export(tmp_path, []))


def test_the_sealed_conversations_load_and_are_labelled_for_dev_without_being_a_split() -> None:
    # sealed/dev/ is written blind and replayed by nothing until a candidate's rule is written;
    # then it moves into dev/ (see the conversations README)
    paths = sorted((CONVERSATIONS_DIR / "sealed" / "dev").glob("*.jsonl"))
    assert len(paths) >= 24
    shipped = {path.stem for path in CONVERSATIONS_DIR.glob("*/*.jsonl")}
    for path in paths:
        history = load_history(path)
        assert history.meta.split == "dev" and history.meta.id == path.stem and path.stem not in shipped
        assert history.meta.civil is not None and history.meta.kind
        if history.meta.civil is False:
            assert sum(message.deescalate for message in history.messages) == 1, path.name
    assert not list((CONVERSATIONS_DIR / "sealed").glob("*.jsonl"))  # never a split of its own
