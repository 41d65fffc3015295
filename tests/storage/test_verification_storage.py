"""Verification storage: requests, conditional transitions, codes, attempts, re-checks, forgetting."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from primum.domain.verification import OPEN_STATUSES, BindingMethod, RequestStatus, VerificationConfig
from primum.domain.verification_eligibility import Eligibility, ResidentPolicy
from primum.domain.verification_email import CodeState
from primum.storage import Database
from primum.storage.verification import NewRequest, VerificationRepository

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
GUILD = 10


@pytest.fixture
async def repo(tmp_path: Path):
    db = await Database.open(tmp_path / "v.sqlite3")
    yield VerificationRepository(db)
    await db.close()


def _new(user: int = 1, npi: str = "1234567893", status: RequestStatus = RequestStatus.PENDING) -> NewRequest:
    return NewRequest(GUILD, user, npi, "207R00000X", Eligibility.PHYSICIAN, "match", BindingMethod.MODERATOR, status)


async def test_create_supersedes_open_requests(repo: VerificationRepository) -> None:
    first, earlier = await repo.create(_new(), NOW)
    assert earlier == [] and first.status is RequestStatus.PENDING and first.created_at == NOW
    second, earlier = await repo.create(_new(), NOW + timedelta(minutes=1))
    assert [item.id for item in earlier] == [first.id]
    assert (await repo.get(first.id)).status is RequestStatus.SUPERSEDED  # type: ignore[union-attr]
    assert (await repo.latest_for_member(GUILD, 1, OPEN_STATUSES)).id == second.id  # type: ignore[union-attr]


async def test_transition_happens_once(repo: VerificationRepository) -> None:
    request, _ = await repo.create(_new(), NOW)
    expected = {RequestStatus.PENDING, RequestStatus.MORE_INFO}
    assert await repo.transition(request.id, RequestStatus.APPROVED, expected=expected, now=NOW, reviewer_id=7,
                                 decided=True)
    assert not await repo.transition(request.id, RequestStatus.DENIED, expected=expected, now=NOW, reviewer_id=8,
                                     reason="no", decided=True)
    stored = await repo.get(request.id)
    assert stored is not None
    assert stored.status is RequestStatus.APPROVED and stored.reviewer_id == 7 and stored.reason is None
    assert stored.decided_at == NOW and stored.last_checked_at == NOW and stored.registry_status == "active"


async def test_review_message_lookup(repo: VerificationRepository) -> None:
    request, _ = await repo.create(_new(), NOW)
    await repo.set_review_message(request.id, 555, 999, NOW)
    found = await repo.by_review_message(GUILD, 999)
    assert found is not None and found.id == request.id and found.review_channel_id == 555
    assert await repo.by_review_message(GUILD + 1, 999) is None


async def test_other_claimants(repo: VerificationRepository) -> None:
    await repo.create(_new(user=1), NOW)
    await repo.create(_new(user=2), NOW)
    denied, _ = await repo.create(_new(user=3), NOW)
    await repo.transition(denied.id, RequestStatus.DENIED, expected=OPEN_STATUSES, now=NOW, reason="x")
    assert await repo.other_claimants(GUILD, "1234567893", 1) == [2]
    assert await repo.other_claimants(GUILD, "1497758122", 1) == []


async def test_codes_and_email_confirmation(repo: VerificationRepository) -> None:
    request, _ = await repo.create(_new(status=RequestStatus.AWAITING_CODE), NOW)
    state = CodeState("salt$abc", NOW + timedelta(minutes=15), 2)
    await repo.set_code(request.id, state, NOW, email_domain="mayo.edu", sent=True)
    stored = await repo.get(request.id)
    assert stored is not None and stored.code == state and stored.email_domain == "mayo.edu"
    assert stored.code_sends == 1
    assert await repo.confirm_email(request.id, NOW)
    assert not await repo.confirm_email(request.id, NOW)
    stored = await repo.get(request.id)
    assert stored is not None and stored.code is None and stored.status is RequestStatus.PENDING
    assert stored.email_verified_at == NOW and stored.email_domain == "mayo.edu"


async def test_attempts_window(repo: VerificationRepository) -> None:
    for minutes in (0, 10, 20):
        await repo.record_attempt(GUILD, 1, "invalid_npi", NOW + timedelta(minutes=minutes))
    await repo.record_attempt(GUILD, 2, "queued", NOW)
    assert await repo.attempts_since(GUILD, 1, NOW + timedelta(minutes=5)) == [
        NOW + timedelta(minutes=10), NOW + timedelta(minutes=20)]


async def test_recheck_bookkeeping(repo: VerificationRepository) -> None:
    request, _ = await repo.create(_new(), NOW)
    await repo.transition(request.id, RequestStatus.APPROVED, expected=OPEN_STATUSES, now=NOW, decided=True)
    assert await repo.approved(checked_before=NOW) == []
    due = await repo.approved(checked_before=NOW + timedelta(days=31))
    assert [item.id for item in due] == [request.id]
    assert await repo.mark_checked(request.id, "deactivated", NOW + timedelta(days=31)) == "active"
    stored = await repo.get(request.id)
    assert stored is not None and stored.registry_status == "deactivated"
    assert stored.last_checked_at == NOW + timedelta(days=31)


async def test_forget_user_removes_only_that_member(repo: VerificationRepository) -> None:
    await repo.create(_new(user=1), NOW)
    await repo.create(_new(user=2), NOW)
    await repo.record_attempt(GUILD, 1, "queued", NOW)
    assert await repo.forget_user(GUILD, 1) == 2
    assert await repo.latest_for_member(GUILD, 1) is None
    assert await repo.attempts_since(GUILD, 1, NOW - timedelta(days=1)) == []
    assert await repo.latest_for_member(GUILD, 2) is not None
    assert await repo.forget_user(GUILD, 1) == 0


async def test_config_round_trip(repo: VerificationRepository) -> None:
    assert await repo.config(GUILD) == VerificationConfig()
    config = VerificationConfig(review_channel_id=42, residents=ResidentPolicy.REJECT, email_binding=True,
                                email_domains=("mayo.edu",))
    await repo.save_config(GUILD, config, now=NOW, updated_by=5)
    assert await repo.config(GUILD) == config


async def test_nothing_but_the_allowed_facts_is_stored(repo: VerificationRepository) -> None:
    """Store only NPI, taxonomy, decision, reviewer and timestamps (plus outcome words)."""
    rows = await repo._db.fetch_all("PRAGMA table_info(verification_requests)")
    columns = {row["name"] for row in rows}
    assert not columns & {"name", "full_name", "email", "address", "document", "code", "specialty", "state"}


async def test_migration_0007_keeps_requests_and_adds_the_waiting_states(tmp_path: Path) -> None:
    from primum.storage import discover_migrations
    from primum.storage.verification import Typed

    db = await Database.open(tmp_path / "old.sqlite3", migrate=False)
    steps = discover_migrations()
    version = next(m.version for m in steps if m.name.startswith("0007"))
    await db.migrate(steps[:version - 1])
    await db.execute(
        "INSERT INTO verification_requests (guild_id, user_id, npi, taxonomy_code, eligibility, name_match, binding, "
        "status, created_at, updated_at, decided_at) VALUES (1, 2, '1234567893', '207R00000X', 'physician', 'match', "
        "'moderator', 'approved', ?, ?, ?)", (NOW.isoformat(), NOW.isoformat(), NOW.isoformat()))
    await db.migrate()
    repo = VerificationRepository(db)
    old = await repo.latest_for_member(1, 2)
    assert old is not None and old.status is RequestStatus.APPROVED and old.name_match == "match"
    assert old.typed is None and old.registry_attempts == 0
    waiting, _ = await repo.create(NewRequest(1, 3, "1234567893", None, Eligibility.UNKNOWN, "",
                                              BindingMethod.MODERATOR, RequestStatus.AWAITING_REGISTRY,
                                              typed=Typed("A B", "IM", "NY")), NOW)
    assert waiting.typed == Typed("A B", "IM", "NY")
    decided = NewRequest(1, 3, "1234567893", None, Eligibility.INELIGIBLE, "", BindingMethod.MODERATOR,
                         RequestStatus.INELIGIBLE, registry_status="not_found")
    assert await repo.conclude_waiting(waiting.id, decided, NOW)
    assert not await repo.conclude_waiting(waiting.id, decided, NOW)  # exactly once
    stored = await repo.get(waiting.id)
    assert stored is not None and stored.status is RequestStatus.INELIGIBLE and stored.typed is None
    assert stored.registry_status == "not_found"
    await db.close()
