"""``primum replay`` end to end: histories played through the real bot on the local Discord, with the
keyword FakeScorer and an injected clock (no real waiting: half an hour of history takes seconds)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from primum.cli import main
from primum.demo.stack import settings_for
from primum.inference.fake import FakeScorer
from primum.replay.corpus import CONVERSATIONS_DIR
from primum.replay.loader import load_history
from primum.replay.metrics import judge, table
from primum.replay.report import to_json, transcript
from primum.replay.result import ReplayResult
from primum.replay.runner import DEFAULT_START, replay

pytestmark = pytest.mark.e2e


#: Two members trade insults the FakeScorer knows ("idiot" 0.82, "moron" 0.86), then go quiet.
HEATED = [
    {"meta": {"id": "heated", "kind": "escalation", "civil": False, "split": "calibration", "note": "fake words"}},
    {"author": "Ana", "text": "Single payer would cut admin costs.", "after": 0, "reply_to": None, "expect": "ok"},
    {"author": "Ben", "text": "I disagree, wait times matter.", "after": 40, "reply_to": 0, "expect": "ok"},
    {"author": "Ana", "text": "@Ben honestly, you're an idiot if you believe that.", "after": 30, "reply_to": 1,
     "expect": "nudge"},
    {"author": "Ben", "text": "@Ana only a moron would cite that study.", "after": 20, "reply_to": 2,
     "expect": "nudge"},
    {"author": "Ana", "text": "@Ben you idiot, did you even read the methods?", "after": 15, "reply_to": 3,
     "expect": "nudge"},
    {"author": "Ben", "text": "you moron, you clearly did not", "after": 10, "reply_to": 4, "expect": "nudge"},
    {"author": "Ana", "text": "idiot. moron. go read it", "after": 5, "reply_to": 5, "expect": "nudge",
     "deescalate": True},
    {"author": "Cy", "text": "Both of you, please take it elsewhere.", "after": 900, "reply_to": None, "expect": "ok"},
]


def _write(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


async def _replay(path: Path, tmp_path: Path, **kwargs: Any) -> ReplayResult:
    settings = settings_for(tmp_path / "unused.sqlite3", backend="fake")
    return await replay(load_history(path), settings=settings, scorer=FakeScorer(), workdir=tmp_path, **kwargs)


async def test_heated_history_is_nudged_and_deescalated_on_the_injected_clock(tmp_path: Path) -> None:
    result = await _replay(_write(tmp_path / "heated.jsonl", HEATED), tmp_path)
    at = [DEFAULT_START + timedelta(seconds=s) for s in (0, 40, 70, 90, 105, 115, 120, 1020)]
    assert [played.at for played in result.messages] == at  # the history's own pace, on the fake clock
    assert all(played.score is not None for played in result.messages)
    assert result.messages[2].score == pytest.approx(0.82) and result.messages[0].score < 0.1
    nudges = result.actions_of("nudge")
    assert [(n.message_index, n.fields["category"]) for n in nudges[:2]] == [(2, "insult"), (3, "insult")]
    assert not result.messages[0].nudged and not result.messages[7].nudged

    verdict = judge(result)
    assert verdict.uncivil_caught == verdict.uncivil_messages == 5  # the later insults are inside the window
    assert verdict.civil_nudged == () and verdict.in_time is True
    first = result.first_deescalation()
    assert first is not None and first.message_index is not None and 2 <= first.message_index <= 6

    # every nudge's outcome window closes exactly 30 minutes (of history time) after it, as "kept"
    outcomes = result.actions_of("nudge_outcome")
    assert len(outcomes) == len(nudges)
    for nudge, outcome in zip(nudges, outcomes, strict=True):
        assert outcome.fields["outcome"] == "kept" and outcome.at - nudge.at == timedelta(minutes=30)
    # a slowmode lifts itself at its own time on the injected clock, and a message posted within it is held
    for slowmode in result.actions_of("slowmode"):
        lifted = [a for a in result.actions_of("slowmode_lifted")
                  if a.fields["action_id"] == slowmode.fields["action_id"]]
        assert len(lifted) == 1 and lifted[0].at == slowmode.at + timedelta(seconds=slowmode.fields["duration_s"])
        assert lifted[0].fields["late_s"] == 0
        assert any(p.held for p in result.messages if slowmode.at < p.at < lifted[0].at)
    assert any("lifted slowmode" in post.text for post in result.posts) == bool(result.actions_of("slowmode"))
    assert result.heat and max(value for _, value in result.heat) >= result.thresholds[0]
    assert result.heat[-1][1] < max(value for _, value in result.heat) / 4  # it decayed over the quiet gap

    text = transcript(result)
    assert "#2 Ana ↩ Ben: @Ben honestly" in text and "NUDGE to Ana: insult 0.82" in text
    assert "Uncivil messages caught (per-author window counted): 5 of 5" in text
    data = to_json(result)
    assert data["messages"][2]["actions"][0] == "nudge" and data["summary"]["counts"]["nudge"] == len(nudges)
    json.dumps(data)  # plain JSON


#: Ana is flagged once ("go back to", 0.93 against a 0.9 cut-off), then keeps it up just under it.
KEEPS_IT_UP = [
    {"meta": {"id": "keeps-it-up", "kind": "slow_burn", "civil": False, "split": "calibration", "note": "fake"}},
    {"author": "Ben", "text": "Our clinic now offers visits in Spanish.", "after": 0, "expect": "ok"},
    {"author": "Ana", "text": "@Ben go back to wherever you trained.", "after": 30, "reply_to": 0, "expect": "nudge"},
    {"author": "Ben", "text": "That was uncalled for.", "after": 30, "reply_to": 1, "expect": "ok"},
    {"author": "Ana", "text": "@Ben only an idiot would offer that.", "after": 30, "reply_to": 2, "expect": "nudge",
     "deescalate": True},
    {"author": "Ben", "text": "Let's keep it about the clinic.", "after": 30, "reply_to": 3, "expect": "ok"},
    {"author": "Ana", "text": "@Ben sure, moron.", "after": 30, "reply_to": 4, "expect": "nudge"},
]


async def test_a_lone_member_keeping_it_up_under_the_cut_off_gets_the_channel_a_notice_as_a_slow_burn(
    tmp_path: Path,
) -> None:
    # one flag and the same member's near misses are one verdict of the model: no notice for the
    # second message (the rule before session 19), the slow-burn notice at the third
    settings = settings_for(tmp_path / "unused.sqlite3", backend="fake")
    history = load_history(_write(tmp_path / "keeps.jsonl", KEEPS_IT_UP))
    result = await replay(history, settings=settings, scorer=FakeScorer(nudge=0.9), workdir=tmp_path)
    assert [a.message_index for a in result.actions_of("nudge")] == [1]  # the near misses are never nudged
    assert [a.message_index for a in result.actions_of("heat_follow_up")] == [3, 5]
    assert [a.message_index for a in result.actions_of("heat_notice")] == [5]
    assert not result.actions_of("slowmode", "cooldown", "mod_alert", "thread_suggested")
    assert judge(result).in_time is False
    assert "Ana was flagged minutes ago and keeps it up just under the cut-off (0.82)" in transcript(result)


async def test_a_possible_threat_alert_in_a_civil_thread_is_reported_and_counted(tmp_path: Path) -> None:
    # the fake ranks "watch your back" a sure threat (0.95) and "careful what you post" an unsure one
    rows = [
        {"meta": {"id": "threat", "kind": "civil_debate", "civil": True, "split": "calibration", "note": "fake"}},
        {"author": "Ben", "text": "Night float starts Monday.", "after": 0},
        {"author": "Ana", "text": "careful what you post about night float", "after": 20, "reply_to": 0},
        {"author": "Ana", "text": "watch your back on nights, the pagers are relentless", "after": 4200, "reply_to": 0},
    ]
    settings = settings_for(tmp_path / "unused.sqlite3", backend="fake")
    history = load_history(_write(tmp_path / "threat.jsonl", rows))
    result = await replay(history, settings=settings, scorer=FakeScorer(nudge=0.8), workdir=tmp_path)
    assert [a.message_index for a in result.actions_of("threat_alert")] == [2]
    verdict = judge(result)
    assert verdict.threat_alerts == 1 and not verdict.any_deescalation
    text = transcript(result)
    assert "1 possible-threat alerts" in text and "1 possible-threat alert(s) to the moderators" in text
    assert dict(table([verdict]).rows())["civil conversations with a possible-threat alert to the moderators"] \
        == "1 of 1"


async def test_shipped_civil_conversations_replay_without_sanctions(tmp_path: Path) -> None:
    names = ["civil_debate-single-payer-01", "clinical-gsw-clamshell-02", "venting-prior-auth-01"]
    verdicts = []
    for name in names:
        history = load_history(CONVERSATIONS_DIR / "calibration" / f"{name}.jsonl")
        result = await _replay(history.path, tmp_path)
        assert [p.index for p in result.messages] == list(range(len(history.messages)))
        assert all(p.score is not None for p in result.messages), name
        assert result.messages[-1].at - result.messages[0].at == timedelta(seconds=history.duration_s)
        assert not result.actions_of("slowmode", "cooldown", "hide"), name
        verdicts.append(judge(result))
    rows = dict(table(verdicts).rows())
    assert rows["civil conversations slowed down or with a member timed out"].startswith("0 of 3")


async def test_discordchatexporter_export_keeps_its_times_channel_and_replies(tmp_path: Path) -> None:
    def message(index: int, author: str, content: str, at: str, **extra: Any) -> dict[str, Any]:
        return {"id": str(500 + index), "type": extra.pop("type", "Default"), "timestamp": at, "content": content,
                "author": {"id": str(90 + len(author)), "name": author, "nickname": None, "isBot": False}, **extra}

    export = {"guild": {"id": "1", "name": "Docs"}, "channel": {"id": "2", "name": "case-talk"}, "messages": [
        message(0, "ana", "Anyone tried tenecteplase for submassive PE?", "2025-03-01T10:00:00+00:00"),
        message(1, "bo", "", "2025-03-01T10:00:10+00:00", type="ChannelPinnedMessage"),
        message(2, "bo", "you idiot, read the trial", "2025-03-01T10:02:00+00:00", type="Reply",
                reference={"messageId": "500"}),
        message(3, "ana", "", "2025-03-01T10:03:00+00:00"),  # an attachment only: posted, not scored
    ]}
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    result = await _replay(path, tmp_path)
    assert result.channel == "case-talk"  # not a seeded channel: created for the replay
    assert result.started_at == datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    (nudge,) = result.actions_of("nudge")
    assert nudge.message_index == 1 and nudge.at == datetime(2025, 3, 1, 10, 2, tzinfo=UTC)
    assert result.names[nudge.fields["author_id"]] == "bo"
    assert result.messages[2].score is None  # Primum does not score a message without text
    assert "↩ ana: you idiot" in transcript(result)


def test_cli_writes_transcript_json_and_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "heated.jsonl", HEATED)
    out = tmp_path / "out"
    assert main(["replay", str(path), "--scorer", "fake", "--out", str(out), "--channel", "#politics"]) == 0
    printed = capsys.readouterr().out
    assert "Replay of heated" in printed and "in #politics" in printed and "NUDGE to Ana" in printed
    data = json.loads((out / "heated.json").read_text())
    assert len(data["messages"]) == 8 and data["channel"] == "politics"
    assert data["messages"][2]["nudged"] is True and data["heat"]
    assert (out / "heated.png").read_bytes().startswith(b"\x89PNG")


def test_cli_refuses_a_malformed_file_with_exit_code_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"author": "a", "text": "x", "after": 0, "reply_to": null}\n{"author": "b", "text": 3}\n')
    assert main(["replay", str(path), "--scorer", "fake", "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert "line 2" in error and "'text' must be a string" in error
    assert not (tmp_path / "out").exists()
