"""``/privacy forgetme`` and an owner's ``/privacy forget``: one forget across every feature.

Each feature's data about the member is removed (be-kind, verification, finished de-escalation
records, who-replied-to-whom records, a moderator's remembered display name, live heat and flags
held in memory) or anonymised (appeal statements); the case log keeps its ids and reasons, and the
forget itself becomes a case. The reply says what was kept and why.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from primum.domain.cases import Case, CaseKind
from primum.domain.privacy import forget_reason, forget_summary
from primum.services.cases import CaseLog
from primum.storage.appeals import AppealRepository
from primum.storage.database import Database
from primum.storage.interactions import InteractionRepository
from primum.storage.kindness import KindnessRepository
from primum.storage.names import NameRepository
from primum.storage.policy import PolicyRepository
from primum.storage.privacy import count_appeals, forget_deescalation
from primum.storage.tables import table_columns
from primum.storage.verification import VerificationRepository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ForgetReport:
    """What a forget removed (rows per feature), what it kept, and the case that records it."""

    removed: dict[str, int]
    kept: dict[str, int]
    case: Case

    def lines(self) -> list[str]:
        """The reply, one line per feature."""
        return forget_summary(self.removed, self.kept, self.case.number)


class InMemoryState(Protocol):
    """A feature that keeps live state about members in memory (de-escalation's heat and flags,
    be-kind's short messages held for a few seconds)."""

    @property
    def forget_key(self) -> str:
        """The line of the reply (``domain.privacy.FEATURES``) that counts what ``forget_member`` drops."""
        ...

    async def forget_member(self, guild_id: int, member_id: int) -> int:
        """Drop the member's entries in one guild; return how many went."""
        ...


class PrivacyService:
    """Forget a member everywhere, and put the forget on the record."""

    def __init__(self, db: Database, case_log: CaseLog, live: Sequence[InMemoryState] = ()) -> None:
        self.db = db
        self.case_log = case_log
        self.live = live

    async def forget_member(self, guild_id: int, member_id: int, actor_id: int, reason: str | None = None,
                            *, self_request: bool) -> ForgetReport:
        """Remove or anonymise the member's data in every feature; record a ``forget`` case."""
        removed: dict[str, int] = {}
        kept: dict[str, int] = {}
        if await table_columns(self.db, "kindness_nudges"):
            removed["be_kind"] = await KindnessRepository(self.db).forget_user(guild_id, member_id)
        if await table_columns(self.db, "verification_requests"):
            removed["verification"] = await VerificationRepository(self.db).forget_user(guild_id, member_id)
        removed["deescalation"], kept["pending_cooldowns"] = await forget_deescalation(self.db, guild_id, member_id)
        removed["appeal_statements"] = await AppealRepository(self.db).forget_statements(guild_id, member_id)
        kept["appeals"] = await count_appeals(self.db, guild_id, member_id)
        removed["interactions"] = await InteractionRepository(self.db).forget_member(guild_id, member_id)
        if await table_columns(self.db, "observe_reports"):
            removed["observe_reports"] = await PolicyRepository(self.db).forget_user(guild_id, member_id)
        if await table_columns(self.db, "known_names"):
            removed["names"] = await NameRepository(self.db).forget_member(guild_id, member_id)
        for state in self.live:
            dropped = await state.forget_member(guild_id, member_id)
            removed[state.forget_key] = removed.get(state.forget_key, 0) + dropped
        case = await self.record_forget(guild_id, member_id, actor_id, forget_reason(reason, self_request=self_request),
                                        "all", sum(removed.values()))
        log.info("forgot member %d in guild %d (case #%d)", member_id, guild_id, case.number)
        return ForgetReport(removed, kept, case)

    async def record_forget(self, guild_id: int, member_id: int, actor_id: int, reason: str, scope: str,
                            rows: int) -> Case:
        """Put a forget on the record: who asked, about whom, why, what scope, how many rows (no data)."""
        return await self.case_log.record(guild_id, CaseKind.FORGET, member_id, actor_id, reason,
                                          details={"scope": scope, "rows": rows, "rule": "privacy"})
