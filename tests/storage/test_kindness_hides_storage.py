"""Hidden messages: begun with their text before the deletion, each step recorded, unfinished ones found."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from primum.storage import Database
from primum.storage.kindness_hides import HideRecord, HideRepository

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
G, C, A = 1, 10, 500


@pytest.fixture
async def hides(tmp_path: Path):
    db = await Database.open(tmp_path / "h.sqlite3")
    try:
        yield HideRepository(db)
    finally:
        await db.close()


async def begin(hides: HideRepository, message_id: int, *, text: str = "words") -> HideRecord | None:
    return await hides.begin_hide(
        guild_id=G, channel_id=C, message_id=message_id, author_id=A, category="threat", score=0.97, threshold=0.9,
        model_version="fake", scores={"threat": 0.97, "insult": 0.2}, created_at=NOW, text=text,
        return_until=NOW + timedelta(days=7), modlog_text_until=None,
    )


async def test_a_hide_is_begun_once_with_its_text_and_its_steps_are_recorded(hides: HideRepository) -> None:
    record = await begin(hides, 3)
    assert record is not None and record.stage == "deleting" and record.scores == {"threat": 0.97, "insult": 0.2}
    assert await begin(hides, 3, text="again") is None  # a duplicate event begins nothing
    assert await hides.returned_text(3) == "words"  # kept before anything is deleted
    assert [h.id for h in await hides.unfinished(NOW)] == [record.id]
    await hides.mark_deleted(record.id, True)
    await hides.note_dm_attempt(record.id, NOW)
    await hides.note_dm_attempt(record.id, NOW + timedelta(seconds=5))  # the first attempt's time stays
    await hides.mark_returned(record.id, True)
    assert await hides.returned_text(3) is None  # the author has it: not kept a moment longer
    await hides.note_modlog_attempt(record.id, NOW)
    await hides.finish(record.id, (77, 88))
    done = await hides.hide_by_message(3)
    assert (done.stage, done.deleted, done.returned, done.dm_attempted_at, done.modlog_message_id) == (
        "done", True, True, NOW, 88)
    assert await hides.unfinished(NOW + timedelta(hours=1)) == []


async def test_a_message_that_could_not_be_deleted_keeps_no_text(hides: HideRepository) -> None:
    record = await begin(hides, 4)
    await hides.mark_deleted(record.id, False)
    assert await hides.returned_text(4) is None


async def test_closed_dms_keep_the_text_until_it_expires(hides: HideRepository) -> None:
    record = await begin(hides, 5)
    await hides.mark_deleted(record.id, True)
    await hides.mark_returned(record.id, False)
    assert await hides.returned_text(5) == "words"
    assert (await hides.hide_by_message(5)).stage == "reporting"
