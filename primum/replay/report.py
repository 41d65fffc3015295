"""A replay as a readable transcript (stdout) and as JSON (a file), with the expectation check."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from primum.replay.metrics import Verdict, judge
from primum.replay.result import Action, ReplayResult
from primum.runtime.clock import to_iso

#: Events the transcript leaves out (they stay in the JSON).
TRANSCRIPT_SKIPS = frozenset({"nudge_delivery", "case"})
LEVELS = ("notice", "slowmode", "thread", "alert")
MESSAGE_LINK = re.compile(r"https://discord\.com/channels/\d+/\d+/(\d+)")
POST_CHARS = 300


def _offset(result: ReplayResult, moment: datetime) -> float:
    return round((moment - result.started_at).total_seconds(), 3)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"+{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def describe_action(action: Action, names: Mapping[int, str]) -> str:
    """One line for a person: what Primum did and why."""
    f = action.fields

    def who(key: str = "user_id") -> str:
        value = f.get(key) or f.get("author_id")
        return names.get(value, str(value)) if isinstance(value, int) else "a member"

    kind = action.type
    if kind == "nudge":
        return f"NUDGE to {who('author_id')}: {f.get('category')} {f.get('score', 0):.2f} " \
               f"(threshold {f.get('threshold', 0):.2f})"
    if kind == "hide":
        return f"HIDDEN: {f.get('category')} {f.get('score', 0):.2f}; text returned by DM: " \
               f"{'yes' if f.get('returned') else 'no'}"
    if kind == "heat_follow_up":
        return f"{who('author_id')} was flagged minutes ago and keeps it up just under the cut-off " \
               f"({f.get('score', 0):.2f}): counts toward a calm notice, nothing more"
    if kind == "heat_notice":
        return f"NOTICE in the channel (heat {f.get('heat', 0):.2f})"
    if kind == "slowmode":
        return f"SLOWMODE {f.get('seconds')} s for {f.get('duration_s', 0) / 60:g} min ({f.get('reason', '')})"
    if kind == "cooldown":
        return f"COOLDOWN (timeout) of {who()} for {f.get('duration_s', 0) / 60:g} min ({f.get('reason', '')})"
    if kind == "mod_alert":
        members = ", ".join(names.get(m, str(m)) for m in f.get("member_ids", []))
        return f"MODERATORS ALERTED ({f.get('reason')}, heat {f.get('heat', 0):.2f}; {members})"
    if kind == "threat_alert":
        return f"LIKELY THREAT by {who('author_id')}: moderators alerted"
    if kind == "thread_suggested":
        return "THREAD suggested to " + ", ".join(names.get(m, str(m)) for m in f.get("member_ids", []))
    if kind == "nudge_outcome":
        return f"nudge outcome for {who('author_id')}: {f.get('outcome')}"
    shown = ", ".join(f"{k}={v}" for k, v in f.items()
                      if not k.endswith("_id") and not k.endswith("_ids") and not isinstance(v, dict | list))
    return f"{kind}" + (f" ({shown})" if shown else "")


def transcript(result: ReplayResult, *, verdict: Verdict | None = None) -> str:
    """The whole replay as text: each message with its score, then what Primum did about it."""
    history, names = result.history, result.names
    verdict = verdict or judge(result)
    lines = [
        f"Replay of {history.name} ({history.format}, {len(history.messages)} messages, "
        f"{len(history.members())} members) in #{result.channel}, scorer {result.scorer}",
        f"Nudge window {result.nudge_window_s / 60:g} min; heat thresholds "
        + " · ".join(f"{name} {value:g}" for name, value in zip(LEVELS, result.thresholds, strict=False)),
        "",
    ]
    by_message: dict[int | None, list[str]] = {}
    for action in result.actions:
        if action.type not in TRANSCRIPT_SKIPS:
            key = action.message_index if action.at == _message_time(result, action.message_index) else None
            by_message.setdefault(key, []).append(f"{_clock(_offset(result, action.at))}    ★ "
                                                  f"{describe_action(action, names)}")
    for post in result.posts:
        key = post.message_index if post.at == _message_time(result, post.message_index) else None
        text = readable(result, post.text)
        text = text if len(text) <= POST_CHARS else text[: POST_CHARS - 1] + "…"
        by_message.setdefault(key, []).append(f"{_clock(_offset(result, post.at))}    ↳ Primum {text}")
    timed = sorted(by_message.get(None, []))
    for played in result.messages:
        stamp = _clock(_offset(result, played.at))
        while timed and timed[0] < stamp:
            lines.append(timed.pop(0))
        message = played.message
        reply = ""
        if message.reply_to is not None:
            reply = f" ↩ {history.messages[message.reply_to].author_name}"
        score = "not scored" if played.score is None else f"score {played.score:.2f}"
        if played.score is not None and played.categories:
            top = max(played.categories.items(), key=lambda item: item[1] if item[0] != "profanity" else -1)
            score += f" {top[0]} {top[1]:.2f}"
        marks = []
        if message.expect:
            marks.append(f"expect {message.expect}")
        if message.deescalate:
            marks.append("de-escalation expected by here")
        tail = f"  [{'; '.join(marks)}]" if marks else ""
        text = message.text.replace("\n", " ⏎ ") or "(attachment)"
        lines.append(f"{stamp} #{message.index} {message.author_name}{reply}: {text}  ({score}){tail}")
        if played.held:
            lines.append(f"{stamp}    ! Discord would have held this message ({played.held}); replayed anyway")
        lines.extend(by_message.get(played.index, []))
    lines.extend(timed)
    lines += ["", "Summary: " + summary_line(result)]
    lines += expectation_lines(verdict)
    return "\n".join(lines) + "\n"


def readable(result: ReplayResult, text: str) -> str:
    """Links to replayed messages become ``#index``; links to anything else stay."""
    def link(found: re.Match[str]) -> str:
        index = result.message_ids.get(int(found[1]))
        return f"#{index}" if index is not None else found[0]
    return MESSAGE_LINK.sub(link, text)


def _message_time(result: ReplayResult, index: int | None) -> datetime | None:
    return result.messages[index].at if index is not None and index < len(result.messages) else None


def summary_line(result: ReplayResult) -> str:
    """Counts of every kind of action."""
    counts = result.counts()
    shown = [("nudge", "nudges"), ("hide", "hidden"), ("heat_notice", "notices"), ("slowmode", "slowmodes"),
             ("cooldown", "cooldowns"), ("mod_alert", "moderator alerts"), ("threat_alert", "possible-threat alerts"),
             ("thread_suggested", "thread suggestions")]
    held = sum(1 for played in result.messages if played.held)
    return ", ".join(f"{counts.get(kind, 0)} {label}" for kind, label in shown) + f"; {held} message(s) held"


def expectation_lines(verdict: Verdict) -> list[str]:
    """How the replay compares with the history's expectations (nothing if it has none)."""
    lines: list[str] = []
    if verdict.civil_messages:
        nudged = ", ".join(f"#{i}" for i in verdict.civil_nudged) or "none"
        lines.append(f"Civil messages nudged: {len(verdict.civil_nudged)} of {verdict.civil_messages} ({nudged})")
    if verdict.uncivil_messages:
        missed = ", ".join(f"#{i}" for i in verdict.uncivil_missed) or "none"
        lines.append(f"Uncivil messages caught (per-author window counted): {verdict.uncivil_caught} of "
                     f"{verdict.uncivil_messages} (missed: {missed})")
    if verdict.civil is True:
        lines.append("Civil conversation: " + ("de-escalation steps taken: " + ", ".join(
            f"{k} ×{v}" for k, v in verdict.deescalation.items() if v) if verdict.any_deescalation
            else "no de-escalation (as expected)"))
        if verdict.threat_alerts:
            lines.append(f"Civil conversation: {verdict.threat_alerts} possible-threat alert(s) to the moderators")
    if verdict.in_time is not None:
        first = f"#{verdict.first_step_at}" if verdict.first_step_at is not None else "never"
        lines.append(f"De-escalation expected by #{verdict.deescalate_at}; first step at {first}: "
                     + ("in time" if verdict.in_time else "LATE or missing"))
    return lines


def to_json(result: ReplayResult) -> dict[str, Any]:
    """Everything the replay found, as plain JSON (times as ISO strings and seconds from the start)."""
    history, verdict = result.history, judge(result)
    actions = [{"type": a.type, "t": to_iso(a.at), "offset_s": _offset(result, a.at), "message_index": a.message_index,
                "text": describe_action(a, result.names), **a.fields} for a in result.actions]
    return {
        "history": {"path": str(history.path), "format": history.format, "name": history.name,
                    "meta": history.meta.__dict__, "skipped_system_messages": history.skipped},
        "channel": result.channel, "scorer": result.scorer, "started_at": to_iso(result.started_at),
        "nudge_window_s": result.nudge_window_s, "heat_thresholds": dict(zip(LEVELS, result.thresholds, strict=False)),
        "messages": [{
            "index": p.index, "t": to_iso(p.at), "offset_s": _offset(result, p.at), "author": p.message.author_name,
            "text": p.message.text, "reply_to": p.message.reply_to, "score": p.score, "categories": p.categories,
            "nudged": p.nudged, "held": p.held, "expect": p.message.expect, "deescalate": p.message.deescalate,
            "actions": [a["type"] for a in actions if a["message_index"] == p.index],
        } for p in result.messages],
        "actions": actions,
        "bot_posts": [{"t": to_iso(p.at), "offset_s": _offset(result, p.at), "message_index": p.message_index,
                       "text": readable(result, p.text)} for p in result.posts],
        "heat": [[_offset(result, at), round(value, 4)] for at, value in result.heat],
        "summary": {"counts": result.counts(), "held": sum(1 for p in result.messages if p.held),
                    "expectations": {**verdict.__dict__, "any_deescalation": verdict.any_deescalation,
                                     "sanctioned": verdict.sanctioned}},
    }
