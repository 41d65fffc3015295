"""The calibration measures: the per-author nudge window, civil messages, de-escalation in time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from primum.replay.history import History, HistoryMessage, Meta
from primum.replay.metrics import judge, table
from primum.replay.result import Action, PlayedMessage, ReplayResult

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _result(rows: list[tuple[str, float, str | None, bool]], actions: list[tuple[str, int]], *,
            civil: bool | None = False, kind: str = "escalation") -> ReplayResult:
    """rows: (author, minutes from start, expect, deescalate); actions: (type, message index)."""
    messages = tuple(HistoryMessage(index=i, author_key=a, author_name=a, text="t", after_s=0.0, expect=e,
                                    deescalate=d) for i, (a, _, e, d) in enumerate(rows))
    history = History(messages=messages, path=Path("c.jsonl"), format="jsonl",
                      meta=Meta(id="c", kind=kind, civil=civil, split="dev"))
    result = ReplayResult(history=history, channel="general", scorer="test", started_at=START, nudge_window_s=600)
    result.messages = [PlayedMessage(message=m, at=START + timedelta(minutes=rows[m.index][1])) for m in messages]
    result.actions = [Action(kind, result.messages[i].at, i, {}) for kind, i in actions]
    return result


def test_a_nudge_covers_its_authors_later_messages_within_the_window_only() -> None:
    result = _result([("ana", 0, "nudge", False), ("ana", 5, "nudge", False), ("ben", 6, "nudge", False),
                      ("ana", 10, "nudge", False), ("ana", 10.5, "nudge", False)], [("nudge", 0)])
    verdict = judge(result)
    assert verdict.uncivil_messages == 5
    assert verdict.uncivil_missed == (2, 4)  # Ben was never nudged; 10.5 min is past Ana's window
    assert verdict.uncivil_caught == 3  # #0 itself, #1 and #3 (exactly at the window's end)


def test_a_hide_catches_and_a_later_nudge_does_not_cover_earlier_messages() -> None:
    result = _result([("ana", 0, "nudge", False), ("ana", 1, "nudge", False), ("ben", 2, "nudge", False)],
                     [("nudge", 1), ("hide", 2)])
    assert judge(result).uncivil_missed == (0,)


def test_civil_messages_and_deescalation_in_time() -> None:
    rows = [("ana", 0, "ok", False), ("ben", 1, None, False), ("ana", 2, "either", False), ("ben", 3, "ok", True)]
    late = judge(_result(rows, [("nudge", 0), ("heat_notice", 3), ("slowmode", 3)], civil=True, kind="venting"))
    assert late.civil_messages == 3 and late.civil_nudged == (0,)  # unmarked counts in a civil conversation
    assert late.in_time is True and late.sanctioned and late.any_deescalation
    never = judge(_result(rows, [("threat_alert", 1)], civil=False))
    assert never.civil_messages == 2 and never.in_time is False and not never.any_deescalation
    assert never.threat_alerts == 1 and late.threat_alerts == 0
    rows_table = dict(table([late, never]).rows())
    assert rows_table["civil messages nudged"].startswith("20.0% (1 of 5;")
    assert dict(table([late, never]).rows(per_kind=False))["civil messages nudged"] == "20.0% (1 of 5)"
    assert rows_table["civil conversations slowed down or with a member timed out"] == "1 of 1 (0 timeouts)"
    assert rows_table["escalating threads de-escalated by the expected message"] == "1 of 2"
    alerted = judge(_result(rows, [("threat_alert", 1)], civil=True))
    assert dict(table([late, alerted]).rows())["civil conversations with a possible-threat alert to the moderators"] \
        == "1 of 2"
