"""The public, redacted line a case leaves in the optional transparency channel.

No target, no reason text and, unless owners choose otherwise, no moderator name: the kind, the
rule, the duration and whether the case was amended since.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from primum.domain.cases import Case, CaseKind, CaseStatus, kind_label
from primum.domain.moderation_policy import ModerationPolicy


def format_duration(seconds: int | None) -> str:
    """``90`` -> ``1 min 30 s``; days, hours and minutes for longer spans."""
    if seconds is None:
        return ""
    parts: list[str] = []
    remaining = seconds
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60), ("s", 1)):
        value, remaining = divmod(remaining, size)
        if value:
            parts.append(f"{value} {unit}")
    return " ".join(parts[:2]) or "0 s"


@dataclass(frozen=True)
class TransparencyEntry:
    """What the public log may say about a case (no target, no reason text, names only by choice)."""

    number: int
    kind: CaseKind
    rule: str | None
    duration: str
    moderator: str
    status: CaseStatus
    amended: bool = field(default=False)

    def line(self) -> str:
        """One line for the transparency channel."""
        bits = [f"Case #{self.number}", kind_label(self.kind)]
        if self.rule:
            bits.append(f"rule: {self.rule}")
        if self.duration:
            bits.append(f"duration: {self.duration}")
        bits.append(f"by {self.moderator}")
        if self.amended:
            bits.append(f"now {self.status.value}")
        return " · ".join(bits)


def transparency_entry(case: Case, policy: ModerationPolicy, actor_name: str | None = None) -> TransparencyEntry:
    """The redacted public view of a case row: kind, rule, duration and (by choice) the moderator."""
    if case.actor_id is None:
        moderator = "Primum (automatic)"
    elif policy.show_moderator_names and actor_name:
        moderator = actor_name
    else:
        moderator = "a moderator"
    rule = case.details.get("rule")
    return TransparencyEntry(
        number=case.number,
        kind=case.kind,
        rule=str(rule)[:100] if rule else None,
        duration=format_duration(case.duration_s),
        moderator=moderator,
        status=case.status,
        amended=case.is_amendment,
    )
