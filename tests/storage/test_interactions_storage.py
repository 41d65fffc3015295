"""Who addressed whom: read both ways in a window, pruned."""

from datetime import timedelta

from primum.domain.conflict import Interaction
from primum.storage.interactions import InteractionRepository
from tests.storage.test_cases_storage import GUILD, MEMBER, MOD, NOW


async def test_interactions_between_and_prune(db):
    repo = InteractionRepository(db)
    await repo.add_many(GUILD, [Interaction(5, MOD, MEMBER, NOW - timedelta(hours=2)),
                                Interaction(5, MEMBER, MOD, NOW - timedelta(minutes=1)),
                                Interaction(5, MOD, 9, NOW)])
    found = await repo.between(GUILD, MOD, MEMBER, NOW - timedelta(hours=1))
    assert found == [Interaction(5, MEMBER, MOD, NOW - timedelta(minutes=1))]
    await repo.prune(NOW - timedelta(hours=1))
    assert len(await repo.between(GUILD, MOD, MEMBER, NOW - timedelta(days=1))) == 1
