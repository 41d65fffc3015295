"""Verification's tables: requests (with decisions and re-check times) and submission attempts.

Status changes are conditional updates (``WHERE status IN (...)``), so two moderators clicking at
once, or a click after a restart on a request someone already closed, decide it exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiosqlite

from primum.domain.verification import OPEN_STATUSES, BindingMethod, RequestStatus, VerificationConfig
from primum.domain.verification_eligibility import Eligibility
from primum.domain.verification_email import CodeState
from primum.runtime.clock import from_iso, to_iso
from primum.storage.database import Database
from primum.storage.guild_settings import GuildSettingsRepository

SETTINGS_KEY = "verification"

_COLUMNS = (
    "id, guild_id, user_id, npi, taxonomy_code, eligibility, name_match, binding, status, email_domain, "
    "code_digest, code_expires_at, code_attempts, code_sends, email_verified_at, review_channel_id, review_message_id, "
    "reviewer_id, reason, created_at, updated_at, decided_at, last_checked_at, registry_status, typed_name, "
    "typed_specialty, typed_state, registry_attempts, registry_action_id"
)


def _when(value: Any) -> datetime | None:
    return from_iso(value) if value else None


@dataclass(frozen=True)
class NewRequest:
    """A request about to be stored."""

    guild_id: int
    user_id: int
    npi: str
    taxonomy_code: str | None
    eligibility: Eligibility
    name_match: str
    binding: BindingMethod
    status: RequestStatus = RequestStatus.PENDING
    registry_status: str | None = None  # for 'ineligible' rows: why the registry check refused it
    typed: Typed | None = None  # only for 'awaiting_registry' rows


@dataclass(frozen=True)
class Typed:
    """What the member typed, held only while the request waits for the registry."""

    name: str
    specialty: str = ""
    state: str = ""


@dataclass(frozen=True)
class StoredRequest:
    """One row of ``verification_requests``."""

    id: int
    guild_id: int
    user_id: int
    npi: str
    taxonomy_code: str | None
    eligibility: Eligibility
    name_match: str
    binding: BindingMethod
    status: RequestStatus
    email_domain: str | None
    code: CodeState | None
    code_sends: int
    email_verified_at: datetime | None
    review_channel_id: int | None
    review_message_id: int | None
    reviewer_id: int | None
    reason: str | None
    created_at: datetime
    updated_at: datetime
    decided_at: datetime | None
    last_checked_at: datetime | None
    registry_status: str | None
    typed: Typed | None = field(default=None, repr=False)  # never in logs or tracebacks
    registry_attempts: int = 0
    registry_action_id: int | None = None

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> StoredRequest:
        """Map a row (selected with ``_COLUMNS``)."""
        code = None
        if row["code_digest"] and row["code_expires_at"]:
            code = CodeState(str(row["code_digest"]), from_iso(row["code_expires_at"]), int(row["code_attempts"]))
        return cls(
            id=int(row["id"]),
            guild_id=int(row["guild_id"]),
            user_id=int(row["user_id"]),
            npi=str(row["npi"]),
            taxonomy_code=row["taxonomy_code"],
            eligibility=Eligibility(row["eligibility"]),
            name_match=str(row["name_match"]),
            binding=BindingMethod(row["binding"]),
            status=RequestStatus(row["status"]),
            email_domain=row["email_domain"],
            code=code,
            code_sends=int(row["code_sends"]),
            email_verified_at=_when(row["email_verified_at"]),
            review_channel_id=row["review_channel_id"],
            review_message_id=row["review_message_id"],
            reviewer_id=row["reviewer_id"],
            reason=row["reason"],
            created_at=from_iso(row["created_at"]),
            updated_at=from_iso(row["updated_at"]),
            decided_at=_when(row["decided_at"]),
            last_checked_at=_when(row["last_checked_at"]),
            registry_status=row["registry_status"],
            typed=Typed(str(row["typed_name"]), str(row["typed_specialty"] or ""), str(row["typed_state"] or ""))
            if row["typed_name"] is not None else None,
            registry_attempts=int(row["registry_attempts"]),
            registry_action_id=row["registry_action_id"],
        )


def _placeholders(values: Iterable[Any]) -> tuple[str, list[Any]]:
    items = list(values)
    return ", ".join("?" for _ in items), items


class VerificationRepository:
    """Requests, attempts and the guild's verification settings."""

    def __init__(self, db: Database, guild_settings: GuildSettingsRepository | None = None) -> None:
        self._db = db
        self._settings = guild_settings or GuildSettingsRepository(db)

    @property
    def database(self) -> Database:
        """The connection (other repositories of the same feature share it)."""
        return self._db

    # --- configuration ----------------------------------------------------------------------------
    async def config(self, guild_id: int) -> VerificationConfig:
        """The guild's settings (defaults when unset)."""
        return VerificationConfig.from_mapping(await self._settings.get(guild_id, SETTINGS_KEY))

    async def save_config(self, guild_id: int, config: VerificationConfig, *, now: datetime,
                          updated_by: int | None = None) -> None:
        """Store the guild's settings."""
        await self._settings.set(guild_id, SETTINGS_KEY, config.to_mapping(), now=now, updated_by=updated_by)

    # --- requests --------------------------------------------------------------------------------
    async def create(self, request: NewRequest, now: datetime, *,
                     supersede: bool = True) -> tuple[StoredRequest, list[StoredRequest]]:
        """Store a request; with ``supersede`` the member's earlier open requests become ``superseded`` (returned)."""
        open_marks, open_values = _placeholders(s.value for s in OPEN_STATUSES)
        async with self._db.transaction() as conn:
            earlier: list[StoredRequest] = []
            if supersede:
                cursor = await conn.execute(
                    f"SELECT {_COLUMNS} FROM verification_requests WHERE guild_id = ? AND user_id = ? "
                    f"AND status IN ({open_marks})",
                    (request.guild_id, request.user_id, *open_values),
                )
                earlier = [StoredRequest.from_row(row) for row in await cursor.fetchall()]
            if earlier:
                ids_marks, ids = _placeholders(item.id for item in earlier)
                await conn.execute(
                    f"UPDATE verification_requests SET status = 'superseded', updated_at = ?, code_digest = NULL, "
                    f"code_expires_at = NULL, typed_name = NULL, typed_specialty = NULL, typed_state = NULL "
                    f"WHERE id IN ({ids_marks})",
                    (to_iso(now), *ids),
                )
            typed = request.typed
            cursor = await conn.execute(
                "INSERT INTO verification_requests (guild_id, user_id, npi, taxonomy_code, eligibility, name_match, "
                "binding, status, created_at, updated_at, registry_status, typed_name, typed_specialty, typed_state) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (request.guild_id, request.user_id, request.npi, request.taxonomy_code, request.eligibility.value,
                 request.name_match, request.binding.value, request.status.value, to_iso(now), to_iso(now),
                 request.registry_status, typed.name if typed else None, typed.specialty if typed else None,
                 typed.state if typed else None),
            )
            new_id = int(cursor.lastrowid or 0)
            # read back on the writer, inside the transaction: the reader's snapshot may predate it
            async with conn.execute(f"SELECT {_COLUMNS} FROM verification_requests WHERE id = ?", (new_id,)) as read:
                row = await read.fetchone()
        assert row is not None
        return StoredRequest.from_row(row), earlier

    async def get(self, request_id: int) -> StoredRequest | None:
        """One request by id."""
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM verification_requests WHERE id = ?", (request_id,))
        return None if row is None else StoredRequest.from_row(row)

    async def by_review_message(self, guild_id: int, message_id: int) -> StoredRequest | None:
        """The request whose review card is this message."""
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM verification_requests WHERE guild_id = ? AND review_message_id = ? "
            "ORDER BY id DESC LIMIT 1",
            (guild_id, message_id),
        )
        return None if row is None else StoredRequest.from_row(row)

    async def latest_for_member(self, guild_id: int, user_id: int,
                                statuses: Iterable[RequestStatus] | None = None) -> StoredRequest | None:
        """The member's newest request (with one of ``statuses``)."""
        sql = f"SELECT {_COLUMNS} FROM verification_requests WHERE guild_id = ? AND user_id = ?"
        params: list[Any] = [guild_id, user_id]
        if statuses is not None:
            marks, values = _placeholders(s.value for s in statuses)
            sql += f" AND status IN ({marks})"
            params += values
        row = await self._db.fetch_one(sql + " ORDER BY id DESC LIMIT 1", params)
        return None if row is None else StoredRequest.from_row(row)

    async def in_review(self, guild_id: int | None = None) -> list[StoredRequest]:
        """Requests waiting for a moderator (oldest first)."""
        sql = f"SELECT {_COLUMNS} FROM verification_requests WHERE status IN ('pending', 'more_info')"
        params: list[Any] = []
        if guild_id is not None:
            sql += " AND guild_id = ?"
            params.append(guild_id)
        return [StoredRequest.from_row(row) for row in await self._db.fetch_all(sql + " ORDER BY id", params)]

    async def other_claimants(self, guild_id: int, npi: str, user_id: int) -> list[int]:
        """Other members whose open or approved request names the same NPI."""
        rows = await self._db.fetch_all(
            "SELECT DISTINCT user_id FROM verification_requests WHERE guild_id = ? AND npi = ? AND user_id != ? "
            "AND status IN ('awaiting_code', 'pending', 'more_info', 'approved') ORDER BY user_id",
            (guild_id, npi, user_id),
        )
        return [int(row["user_id"]) for row in rows]

    async def set_review_message(self, request_id: int, channel_id: int, message_id: int, now: datetime) -> None:
        """Remember where the review card was posted (its buttons find the request through it)."""
        await self._db.execute(
            "UPDATE verification_requests SET review_channel_id = ?, review_message_id = ?, updated_at = ? "
            "WHERE id = ?",
            (channel_id, message_id, to_iso(now), request_id),
        )

    async def transition(
        self,
        request_id: int,
        to: RequestStatus,
        *,
        expected: Iterable[RequestStatus],
        now: datetime,
        reviewer_id: int | None = None,
        reason: str | None = None,
        decided: bool = False,
    ) -> bool:
        """Move a request to ``to`` only if it is in one of ``expected``; False when it was not."""
        marks, values = _placeholders(s.value for s in expected)
        sql = ("UPDATE verification_requests SET status = ?, updated_at = ?, reviewer_id = COALESCE(?, reviewer_id), "
               "reason = COALESCE(?, reason)")
        params: list[Any] = [to.value, to_iso(now), reviewer_id, reason]
        if decided:
            sql += ", decided_at = ?"
            params.append(to_iso(now))
        if to is RequestStatus.APPROVED:
            # A moderator who approves a request the registry check refused overrides the registry knowingly.
            sql += (", last_checked_at = ?, registry_status = CASE WHEN eligibility = 'ineligible' THEN 'overridden' "
                    "ELSE 'active' END")
            params.append(to_iso(now))
        sql += f" WHERE id = ? AND status IN ({marks})"
        params += [request_id, *values]
        async with self._db.transaction() as conn:
            cursor = await conn.execute(sql, params)
            return cursor.rowcount == 1

    # --- waiting for the registry ----------------------------------------------------------------
    async def set_registry_retry(self, request_id: int, action_id: int, now: datetime, *, failed: bool) -> None:
        """Point the waiting request at its live retry action; ``failed`` counts one more unanswered lookup."""
        await self._db.execute(
            "UPDATE verification_requests SET registry_action_id = ?, registry_attempts = registry_attempts + ?, "
            "updated_at = ? WHERE id = ? AND status = 'awaiting_registry'",
            (action_id, 1 if failed else 0, to_iso(now), request_id),
        )

    async def waiting_without_retry(self) -> list[StoredRequest]:
        """Requests waiting for the registry with no pending retry action (a crash between the two writes)."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM verification_requests AS r WHERE r.status = 'awaiting_registry' AND NOT EXISTS "
            "(SELECT 1 FROM scheduled_actions AS a WHERE a.id = r.registry_action_id AND a.status = 'pending') "
            "ORDER BY r.id")
        return [StoredRequest.from_row(row) for row in rows]

    async def conclude_waiting(self, request_id: int, decided: NewRequest, now: datetime) -> bool:
        """The registry answered: move a waiting request on (exactly once) and forget what the member typed."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE verification_requests SET status = ?, eligibility = ?, taxonomy_code = ?, name_match = ?, "
                "binding = ?, registry_status = ?, typed_name = NULL, typed_specialty = NULL, typed_state = NULL, "
                "registry_action_id = NULL, updated_at = ? WHERE id = ? AND status = 'awaiting_registry'",
                (decided.status.value, decided.eligibility.value, decided.taxonomy_code, decided.name_match,
                 decided.binding.value, decided.registry_status, to_iso(now), request_id),
            )
            return cursor.rowcount == 1

    async def awaiting_code_guilds(self, user_id: int) -> list[int]:
        """Servers where the member has a request waiting for an e-mail code (e-mail buttons pressed in a DM)."""
        rows = await self._db.fetch_all(
            "SELECT DISTINCT guild_id FROM verification_requests WHERE user_id = ? AND status = 'awaiting_code' "
            "ORDER BY guild_id", (user_id,))
        return [int(row["guild_id"]) for row in rows]

    # --- e-mail codes ----------------------------------------------------------------------------
    async def set_code(self, request_id: int, state: CodeState | None, now: datetime, *,
                       email_domain: str | None = None, sent: bool = False) -> None:
        """Store (or clear, with None) the code hash, expiry and wrong tries; ``sent`` counts a new code."""
        await self._db.execute(
            "UPDATE verification_requests SET code_digest = ?, code_expires_at = ?, code_attempts = ?, "
            "code_sends = code_sends + ?, email_domain = COALESCE(?, email_domain), updated_at = ? WHERE id = ?",
            (state.digest if state else None, to_iso(state.expires_at) if state else None,
             state.attempts if state else 0, 1 if sent else 0, email_domain, to_iso(now), request_id),
        )

    async def confirm_email(self, request_id: int, now: datetime) -> bool:
        """The code was right: clear it and move the request into the review queue."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE verification_requests SET code_digest = NULL, code_expires_at = NULL, code_attempts = 0, "
                "email_verified_at = ?, status = 'pending', updated_at = ? WHERE id = ? AND status = 'awaiting_code'",
                (to_iso(now), to_iso(now), request_id),
            )
            return cursor.rowcount == 1

    # --- attempts --------------------------------------------------------------------------------
    async def record_attempt(self, guild_id: int, user_id: int, outcome: str, now: datetime) -> None:
        """Count one form submission."""
        await self._db.execute(
            "INSERT INTO verification_attempts (guild_id, user_id, at, outcome) VALUES (?, ?, ?, ?)",
            (guild_id, user_id, to_iso(now), outcome),
        )

    async def attempts_since(self, guild_id: int, user_id: int, since: datetime) -> list[datetime]:
        """Times of the member's submissions after ``since``."""
        rows = await self._db.fetch_all(
            "SELECT at FROM verification_attempts WHERE guild_id = ? AND user_id = ? AND at > ? ORDER BY at",
            (guild_id, user_id, to_iso(since)),
        )
        return [from_iso(row["at"]) for row in rows]

    # --- upkeep ----------------------------------------------------------------------------------
    async def approved(self, checked_before: datetime | None = None) -> list[StoredRequest]:
        """Approved requests (last checked before ``checked_before``, if given), least recently checked first."""
        sql = f"SELECT {_COLUMNS} FROM verification_requests WHERE status = 'approved'"
        params: list[Any] = []
        if checked_before is not None:
            sql += " AND COALESCE(last_checked_at, decided_at, created_at) < ?"
            params.append(to_iso(checked_before))
        sql += " ORDER BY COALESCE(last_checked_at, decided_at, created_at), id"
        return [StoredRequest.from_row(row) for row in await self._db.fetch_all(sql, params)]

    async def mark_checked(self, request_id: int, registry_status: str, now: datetime) -> str | None:
        """Record a re-check; return the previous registry status."""
        row = await self._db.fetch_one("SELECT registry_status FROM verification_requests WHERE id = ?",
                                       (request_id,))
        await self._db.execute(
            "UPDATE verification_requests SET last_checked_at = ?, registry_status = ?, updated_at = ? WHERE id = ?",
            (to_iso(now), registry_status, to_iso(now), request_id),
        )
        return None if row is None else row["registry_status"]

    async def forget_user(self, guild_id: int, user_id: int) -> int:
        """Delete everything verification stored about one member in one guild; return rows removed."""
        async with self._db.transaction() as conn:
            first = await conn.execute(
                "DELETE FROM verification_requests WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
            second = await conn.execute(
                "DELETE FROM verification_attempts WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
            return int(first.rowcount or 0) + int(second.rowcount or 0)
