"""Appeals storage: one open appeal per case, decided once, reminded once."""

from datetime import timedelta

from primum.domain.appeals import AppealStatus
from primum.storage.appeals import AppealRepository
from primum.storage.cases import CaseRepository
from tests.storage.test_cases_storage import GUILD, MEMBER, NOW, new


async def test_appeals_once_per_case_decided_once_and_reminded_once(db):
    cases, appeals = CaseRepository(db), AppealRepository(db)
    case = await cases.add(new(), NOW)
    appeal = await appeals.add(guild_id=GUILD, case_id=case.id, appellant_id=MEMBER, statement="please",
                               reviewer_id=5, now=NOW, remind_at=NOW + timedelta(hours=72))
    assert appeal is not None and appeal.status is AppealStatus.OPEN
    assert await appeals.add(guild_id=GUILD, case_id=case.id, appellant_id=MEMBER, statement="again",
                             reviewer_id=5, now=NOW, remind_at=NOW) is None
    assert await appeals.open_load(GUILD) == {5: 1}
    assert await appeals.due_reminders(NOW + timedelta(hours=71)) == []
    later = NOW + timedelta(hours=73)
    assert [a.id for a in await appeals.due_reminders(later)] == [appeal.id]
    assert await appeals.mark_reminded(appeal.id, later)
    assert not await appeals.mark_reminded(appeal.id, later + timedelta(seconds=1))
    assert await appeals.due_reminders(later) == []
    assert await appeals.decide(appeal.id, status=AppealStatus.OVERTURNED, decided_by=5, reason="ok", now=later)
    assert not await appeals.decide(appeal.id, status=AppealStatus.UPHELD, decided_by=6, reason="no", now=later)
    decided = await appeals.get(appeal.id)
    assert decided is not None and decided.status is AppealStatus.OVERTURNED and decided.decided_by == 5
    assert await appeals.open_load(GUILD) == {}
    assert [a.id for a in await appeals.for_member(GUILD, MEMBER)] == [appeal.id]
