# mypy: disable-error-code="union-attr"
"""Be-kind storage: one nudge per message, idempotent outcomes, due sweeps, reports, text expiry, forgetting."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from primum.storage import Database
from primum.storage.kindness import KindnessRepository
from primum.storage.kindness_hides import HideRecord, HideRepository

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
G, C, A = 1, 10, 500


@pytest.fixture
async def repo(tmp_path: Path):
    db = await Database.open(tmp_path / "k.sqlite3")
    try:
        yield KindnessRepository(db)
    finally:
        await db.close()


async def begin_hide(repo: KindnessRepository, message_id: int, *, text: str, author: int = A,
                     modlog_days: int = 0) -> HideRecord:
    hide = await HideRepository(repo.db).begin_hide(
        guild_id=G, channel_id=C, message_id=message_id, author_id=author, category="threat", score=0.97,
        threshold=0.9, model_version="fake", scores={"threat": 0.97}, created_at=NOW, text=text,
        return_until=NOW + timedelta(days=7),
        modlog_text_until=NOW + timedelta(days=modlog_days) if modlog_days else None,
    )
    assert hide is not None
    return hide


async def claim(repo: KindnessRepository, message_id: int, *, at: datetime = NOW, author: int = A,
                window: timedelta = timedelta(minutes=30)):
    return await repo.claim_nudge(
        guild_id=G, channel_id=C, message_id=message_id, author_id=author, category="insult", score=0.82,
        threshold=0.7, model_version="fake", created_at=at, deadline=at + window,
    )


async def test_a_message_is_claimed_once_even_concurrently(repo: KindnessRepository) -> None:
    results = await asyncio.gather(*(claim(repo, 1) for _ in range(5)))
    assert sum(r is not None for r in results) == 1
    first = next(r for r in results if r is not None)
    assert first.delivery == "pending" and first.outcome is None and first.deadline == NOW + timedelta(minutes=30)
    assert await claim(repo, 1) is None


async def test_recent_times_and_due(repo: KindnessRepository) -> None:
    await claim(repo, 1, at=NOW - timedelta(minutes=40))
    await claim(repo, 2, at=NOW - timedelta(minutes=5))
    await claim(repo, 3, at=NOW - timedelta(minutes=5), author=A + 1)
    assert await repo.recent_nudge_times(G, A, NOW - timedelta(minutes=10)) == [NOW - timedelta(minutes=5)]
    due = await repo.due(NOW)
    assert [n.message_id for n in due] == [1]
    assert await repo.next_deadline() == NOW - timedelta(minutes=10)


async def test_outcome_and_response_are_set_once(repo: KindnessRepository) -> None:
    nudge = await claim(repo, 1)
    assert await repo.resolve(nudge.id, "revised", NOW, edit_score=0.1)
    assert not await repo.resolve(nudge.id, "kept", NOW)
    stored = await repo.nudge(nudge.id)
    assert stored.outcome == "revised" and stored.edit_score == pytest.approx(0.1)
    assert await repo.set_response(nudge.id, "will_edit")
    assert not await repo.set_response(nudge.id, "keep")
    with pytest.raises(ValueError, match="unknown"):
        await repo.resolve(nudge.id, "bogus", NOW)


async def test_delivery_attempts_and_undelivered(repo: KindnessRepository) -> None:
    nudge = await claim(repo, 1)
    assert await repo.note_attempt(nudge.id) == 1
    assert [n.id for n in await repo.undelivered(NOW)] == [nudge.id]
    await repo.mark_delivered(nudge.id, "channel", NOW)
    assert await repo.undelivered(NOW) == []
    assert (await repo.nudge(nudge.id)).delivery == "channel"


async def test_reports_stats_and_forget(repo: KindnessRepository) -> None:
    first = await claim(repo, 1)
    await claim(repo, 2, at=NOW + timedelta(hours=1))
    assert await repo.report_mistake(first, NOW)
    assert not await repo.report_mistake(first, NOW)
    assert len(await repo.open_reports(G)) == 1
    rows = await repo.stat_rows(G, NOW - timedelta(days=1))
    assert [(r.channel_id, r.reported) for r in rows] == [(C, True), (C, False)]
    hide = await begin_hide(repo, 3, text="words")
    assert hide is not None and await HideRepository(repo.db).hide_count(G, NOW - timedelta(days=1)) == 1
    data = await repo.user_data(G, A, NOW)
    assert (len(data.nudges), len(data.hides), data.reports, [t.text for t in data.texts]) == (2, 1, 1, ["words"])
    assert await repo.forget_user(G, A) == 5
    data = await repo.user_data(G, A, NOW)
    assert (data.nudges, data.hides, data.reports, data.texts) == ([], [], 0, [])


async def test_texts_expire_and_report_their_modlog_post(repo: KindnessRepository) -> None:
    hides = HideRepository(repo.db)
    hide = await begin_hide(repo, 3, text="t", modlog_days=1)
    await hides.mark_deleted(hide.id, True)
    await hides.mark_returned(hide.id, True)  # the author has it back: the text to return goes at once
    await hides.finish(hide.id, (77, 88))
    assert await repo.purge_expired_texts(NOW) == []
    expired = await repo.purge_expired_texts(NOW + timedelta(days=1))
    assert [(e.message_id, e.modlog_channel_id, e.modlog_message_id) for e in expired] == [(3, 77, 88)]
    assert (await repo.user_data(G, A, NOW)).texts == []


async def test_no_text_column_outside_kindness_texts(repo: KindnessRepository) -> None:
    db = repo._db
    for table in ("kindness_nudges", "kindness_hides", "kindness_reports"):
        columns = {row["name"] for row in await db.fetch_all(f"PRAGMA table_info({table})")}
        assert not columns & {"text", "content"}, table
