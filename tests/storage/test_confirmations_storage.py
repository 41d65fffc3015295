"""Second-moderator requests close once and expire."""

from datetime import timedelta

from primum.domain.cases import CaseKind
from primum.domain.removals import ConfirmationStatus
from primum.storage.confirmations import ConfirmationRepository
from tests.storage.test_cases_storage import GUILD, MEMBER, MOD, NOW


async def test_confirmations_close_once_and_expire(db):
    repo = ConfirmationRepository(db)
    pending = await repo.add(guild_id=GUILD, kind=CaseKind.BAN, target_id=MEMBER, requester_id=MOD,
                             reason="harassment", evidence_url=None, details={}, conflict=False, now=NOW,
                             expires_at=NOW + timedelta(hours=24))
    assert pending.status is ConfirmationStatus.PENDING
    assert [c.id for c in await repo.pending_for(GUILD, MEMBER)] == [pending.id]
    assert await repo.expired(NOW) == []
    assert await repo.close(pending.id, ConfirmationStatus.CONFIRMED, decided_by=7, now=NOW)
    assert not await repo.close(pending.id, ConfirmationStatus.DECLINED, decided_by=8, now=NOW)
    other = await repo.add(guild_id=GUILD, kind=CaseKind.KICK, target_id=MEMBER, requester_id=MOD,
                           reason="harassment", evidence_url=None, details={}, conflict=False, now=NOW,
                           expires_at=NOW + timedelta(hours=1))
    assert [c.id for c in await repo.expired(NOW + timedelta(hours=2))] == [other.id]
