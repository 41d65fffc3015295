"""Every cooldown and hide reaches its member privately: the reason, the case number, how to appeal.

Cases are put on the record by the moderation feature (``case`` events); this service answers
each new cooldown or hide case with a DM to its member. A moderator's hide is already DMed by
the moderation cog with its case number, so it is skipped here. When the member's DMs are
closed the fallback stays private: the case is on their ``/standing`` and the moderators are
told in the mod-log; nothing is ever posted in the channel.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from primum.domain.cases import Case, CaseKind
from primum.domain.durations import format_duration
from primum.runtime.events import EventSink
from primum.services.observe import guild_templates
from primum.storage.cases import CaseRepository
from primum.storage.guild_settings import GuildSettingsRepository

log = logging.getLogger(__name__)


class SanctionPort(Protocol):
    """The Discord side: a DM, a mod-log post, names."""

    async def dm(self, user_id: int, content: str) -> bool:
        """DM a member; False when their DMs are closed or they cannot be reached."""
        ...

    async def post_modlog(self, guild_id: int, content: str) -> bool:
        """Post in the mod-log; False when there is none."""
        ...

    def names(self, guild_id: int, channel_id: int | None) -> tuple[str, str]:
        """(server name, channel name) from the cache."""
        ...


def describe(case: Case) -> str:
    """What was done, as the member reads it."""
    by = "A moderator" if case.actor_id is not None else "Primum"
    if case.kind is CaseKind.COOLDOWN:
        length = format_duration(timedelta(seconds=case.duration_s or 0))
        return f"{by} gave you a {length} cooldown (a timeout: you can read but not post)"
    return f"{by} hid one of your messages"


@dataclass
class SanctionNotices:
    """DMs for cooldowns and hides, with the private fallback."""

    cases: CaseRepository
    guild_settings: GuildSettingsRepository
    events: EventSink
    port: SanctionPort | None = None
    _done: set[int] = field(default_factory=set)

    async def notify(self, case_id: int) -> str:
        """Tell the member about one new case; return 'dm', 'closed', 'skipped' or 'no_port'."""
        case = await self.cases.get(case_id)
        if case is None or case.is_amendment or case.target_id is None or case.id in self._done:
            return "skipped"
        if case.kind not in {CaseKind.COOLDOWN, CaseKind.HIDE}:
            return "skipped"
        if case.kind is CaseKind.HIDE and case.actor_id is not None:
            return "skipped"  # the moderation cog's hide DMs the member with the case number itself
        if self.port is None:
            return "no_port"
        self._done.add(case.id)
        channel_id = case.details.get("channel_id")
        guild_name, channel_name = self.port.names(case.guild_id, channel_id if isinstance(channel_id, int) else None)
        templates = await guild_templates(self.guild_settings, case.guild_id)
        until = ""
        if case.kind is CaseKind.COOLDOWN and case.duration_s:
            end = case.created_at.timestamp() + case.duration_s
            until = f"<t:{int(end)}:t>"
        what = describe(case)
        content = templates.render("sanction_dm", what=what, reason=case.reason, case=str(case.number),
                                   guild=guild_name, channel=channel_name, until=until)
        delivered = await self.port.dm(case.target_id, content[:2000])
        if not delivered:
            note = templates.render("sanction_closed_modlog", member=f"<@{case.target_id}>",
                                    what="a cooldown" if case.kind is CaseKind.COOLDOWN else "a hidden message",
                                    case=str(case.number))
            await self.port.post_modlog(case.guild_id, note[:2000])
        self.events.emit("sanction_notice", guild_id=case.guild_id, case_number=case.number, kind=str(case.kind),
                         user_id=case.target_id, via="dm" if delivered else "closed")
        return "dm" if delivered else "closed"
