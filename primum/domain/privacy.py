"""Privacy, the pure part: how long kept text lives, and what a "forget me" keeps and why.

A forget removes or anonymises a member's data in every feature. What stays is what the case log
must keep to stay accountable (ids, kinds, reasons, times) and what is needed to undo an action
on time (a pending cooldown ends by itself); :func:`forget_summary` says so to the member.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

#: Text Primum keeps for a person (a hidden message to return, an appeal statement after its
#: decision) is deleted this long after it stops being needed.
KEPT_TEXT_RETENTION = timedelta(days=7)

#: Feature keys of a forget, in the order they are reported, with their human names.
FEATURES: dict[str, str] = {
    "be_kind": "be-kind nudges, hides, mistake reports and kept text (hidden messages, report verdicts)",
    "deescalation": "de-escalation records and finished cooldowns",
    "verification": "verification requests and attempts (NPI, name, e-mail domain)",
    "appeal_statements": "appeal statements (replaced; the appeals' outcomes stay)",
    "interactions": "who-replied-to-whom records (ids and times)",
    "observe_reports": "observe-mode reports about the member and their verdicts",
    "names": "your display name, remembered for reports while you moderate",
    "live_heat": "live channel heat and recent flags kept in memory (ids and times, never text)",
    "recent_pieces": "your last short messages, held in memory for 30 seconds to read a line sent word by word",
}

#: What a forget keeps, and why.
KEPT: dict[str, str] = {
    "cases": "the case log (ids, kinds, reasons, times): every moderation action stays accountable and "
             "appealable, and this forget is itself case #{case}",
    "pending_cooldowns": "pending cooldown timers, so that they end on time; they are removed when they end",
    "appeals": "your appeals' numbers and outcomes, without your words",
}


def forget_reason(reason: str | None, *, self_request: bool) -> str:
    """The reason a forget case carries: the member's own request, or the owner's reason."""
    if self_request:
        return "privacy: the member asked Primum to forget them"
    text = " ".join((reason or "").split())
    return f"privacy: {text}" if text else "privacy: an owner's request"


def forget_summary(removed: Mapping[str, int], kept: Mapping[str, int], case_number: int) -> list[str]:
    """Lines for the reply: what was removed per feature, what was kept and why."""
    lines = ["Removed:"]
    for key, label in FEATURES.items():
        lines.append(f"• {label}: {removed.get(key, 0)}")
    lines.append("Kept, and why:")
    lines.append("• " + KEPT["cases"].format(case=case_number))
    if kept.get("pending_cooldowns", 0):
        lines.append(f"• {kept['pending_cooldowns']} " + KEPT["pending_cooldowns"])
    if kept.get("appeals", 0):
        lines.append(f"• {kept['appeals']} " + KEPT["appeals"])
    return lines
