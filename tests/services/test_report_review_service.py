# mypy: disable-error-code="union-attr"
"""The "This was a mistake" review loop without Discord: one digest per batch, per-report verdicts."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from primum.domain.privacy import KEPT_TEXT_RETENTION
from primum.runtime.clock import FakeClock
from primum.runtime.events import EventSink
from primum.services.report_review import ReportReviewService
from primum.storage import Database
from primum.storage.kindness import KindnessRepository
from primum.storage.report_reviews import ReviewItem, calibration_examples

NOW = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
G, C, MOD, MOD2 = 1, 10, 900, 901


class Port:
    def __init__(self, *, modlog: bool = True, dms_open: bool = True) -> None:
        self.modlog = modlog
        self.dms_open = dms_open
        self.digests: list[list[list[int]]] = []
        self.told: list[tuple[int, str]] = []
        self.texts: dict[int, str] = {}  # message id -> its text in Discord, as it was scored

    async def post_digest(self, guild_id: int, cards: list[list[ReviewItem]]) -> list[tuple[int, int]]:
        if not self.modlog:
            return []
        self.digests.append([[item.report.id for item in card] for card in cards])
        return [(77, 1000 + len(self.digests) * 10 + n) for n in range(len(cards))]

    async def tell_member(self, item: ReviewItem, verdict: str) -> bool:
        if self.dms_open:
            self.told.append((item.report.author_id, verdict))
        return self.dms_open

    async def scored_text(self, item: ReviewItem) -> str | None:
        return self.texts.get(item.message_id or 0)


@pytest.fixture
async def db(tmp_path: Path):
    database = await Database.open(tmp_path / "r.sqlite3")
    try:
        yield database
    finally:
        await database.close()


async def report(db: Database, message_id: int, author: int, clock: FakeClock, score: float = 0.81) -> int:
    kindness = KindnessRepository(db)
    nudge = await kindness.claim_nudge(
        guild_id=G, channel_id=C, message_id=message_id, author_id=author, category="belittling", score=score,
        threshold=0.57, model_version="bekind-test", created_at=clock.now(),
        deadline=clock.now() + timedelta(minutes=30),
    )
    assert await kindness.report_mistake(nudge, clock.now())
    return (await kindness.open_reports(G, limit=100))[-1].id


async def service_for(db: Database, clock: FakeClock, port: Port) -> ReportReviewService:
    service = ReportReviewService(db, clock, EventSink())
    service.port = port
    await service.start()
    return service


async def test_reports_are_batched_into_one_digest(db: Database) -> None:
    clock, port = FakeClock(NOW), Port()
    service = await service_for(db, clock, port)
    try:
        ids = [await report(db, 100 + n, 500 + n, clock) for n in range(7)]
        assert await service.on_report(G) is not None
        for _ in range(6):
            assert await service.on_report(G) is None  # one digest pending per server, not one per report
        clock.advance(minutes=29)
        await service.scheduler.run_due()
        assert port.digests == []
        clock.advance(minutes=1)
        await service.scheduler.run_due()
        assert port.digests == [[ids[:5], ids[5:]]]  # one post, in cards of five reports
        assert service.events.of_type("report_digest")[0]["reports"] == 7
        # A later report starts a new batch; the ones already listed are not listed again.
        late = await report(db, 200, 600, clock)
        await service.on_report(G)
        clock.advance(minutes=30)
        await service.scheduler.run_due()
        assert port.digests[-1] == [[late]]
    finally:
        await service.stop()


async def test_a_pending_digest_survives_a_restart(db: Database) -> None:
    clock, port = FakeClock(NOW), Port()
    first = await service_for(db, clock, port)
    rid = await report(db, 100, 500, clock)
    await first.on_report(G)
    first.scheduler.abandon()  # as if the process died
    clock.advance(hours=2)
    second = await service_for(db, clock, port)  # past due at start: posted at once
    try:
        await second.scheduler.drain()
        assert port.digests == [[[rid]]]
    finally:
        await second.stop()


async def test_without_a_mod_log_reports_stay_unlisted(db: Database) -> None:
    clock, port = FakeClock(NOW), Port(modlog=False)
    service = await service_for(db, clock, port)
    try:
        await report(db, 100, 500, clock)
        await service.on_report(G)
        clock.advance(minutes=30)
        await service.scheduler.run_due()
        assert len(await service.repo.not_notified(G)) == 1
    finally:
        await service.stop()


async def test_each_report_gets_its_own_verdict_once_and_becomes_an_example(db: Database) -> None:
    clock, port = FakeClock(NOW), Port()
    service = await service_for(db, clock, port)
    try:
        wrong = await report(db, 100, 500, clock, score=0.62)
        fair = await report(db, 101, 501, clock, score=0.93)
        result = await service.decide(wrong, "mistake", MOD)
        assert result.ok and "told by DM" in result.message
        again = await service.decide(wrong, "fair", MOD2)
        assert not again.ok and "already decided (mistake)" in again.message
        assert (await service.decide(fair, "fair", MOD2)).ok
        assert port.told == [(500, "mistake"), (501, "fair")]
        examples = await calibration_examples(db)
        assert [(e.score, e.label, e.category, e.model_version) for e in examples] == [
            (pytest.approx(0.62), 0, "belittling", "bekind-test"),
            (pytest.approx(0.93), 1, "belittling", "bekind-test"),
        ]
        assert (await service.repo.undecided(G))[1] == 0
        assert [e["verdict"] for e in service.events.of_type("report_verdict")] == ["mistake", "fair"]
    finally:
        await service.stop()


async def test_no_one_judges_their_own_report_and_closed_dms_are_said(db: Database) -> None:
    clock, port = FakeClock(NOW), Port(dms_open=False)
    service = await service_for(db, clock, port)
    try:
        rid = await report(db, 100, MOD, clock)
        own = await service.decide(rid, "mistake", MOD)
        assert not own.ok and "your own report" in own.message
        result = await service.decide(rid, "mistake", MOD2)
        assert result.ok and "could not be told" in result.message
        assert not (await service.repo.item(rid)).member_told
        assert not (await service.decide(999, "fair", MOD2)).ok
    finally:
        await service.stop()


async def test_forgetting_a_member_keeps_the_anonymous_example_only(db: Database) -> None:
    clock, port = FakeClock(NOW), Port()
    service = await service_for(db, clock, port)
    try:
        rid = await report(db, 100, 500, clock)
        await service.decide(rid, "fair", MOD)
        await KindnessRepository(db).forget_user(G, 500)
        assert await service.repo.item(rid) is None
        assert len(await calibration_examples(db)) == 1  # a score and a label: nothing about the member
    finally:
        await service.stop()


async def kept_texts(db: Database) -> list[tuple[int, str]]:
    rows = await db.fetch_all("SELECT author_id, text FROM calibration_texts ORDER BY example_id")
    return [(int(r["author_id"]), str(r["text"])) for r in rows]


async def test_verdicts_keep_no_message_text_unless_the_owner_opted_in(db: Database) -> None:
    clock, port = FakeClock(NOW), Port()
    port.texts = {100: "that dose is wrong, as anyone can see", 101: "read the label"}
    service = await service_for(db, clock, port)
    try:
        assert not await service.keeps_text(G)  # off by default
        await service.decide(await report(db, 100, 500, clock), "mistake", MOD)
        assert await kept_texts(db) == []
        assert [e.text for e in await calibration_examples(db, now=clock.now())] == [None]
        await service.set_keep_text(G, True, actor_id=MOD)
        await service.decide(await report(db, 101, 501, clock), "fair", MOD)
        assert await kept_texts(db) == [(501, "read the label")]
        examples = await calibration_examples(db, now=clock.now())
        assert [(e.label, e.text) for e in examples] == [(0, None), (1, "read the label")]
        assert [e.text for e in await calibration_examples(db)] == [None, None]  # text only when asked for
    finally:
        await service.stop()


async def test_kept_verdict_text_goes_with_a_forget_and_expires_like_other_kept_text(db: Database) -> None:
    clock, port = FakeClock(NOW), Port()
    port.texts = {100: "first words", 101: "second words"}
    service = await service_for(db, clock, port)
    kindness = KindnessRepository(db)
    try:
        await service.set_keep_text(G, True, actor_id=MOD)
        await service.decide(await report(db, 100, 500, clock), "fair", MOD)
        await service.decide(await report(db, 101, 501, clock), "mistake", MOD)
        await kindness.forget_user(G, 500)
        assert await kept_texts(db) == [(501, "second words")]
        assert len(await calibration_examples(db)) == 2  # the anonymous examples stay
        later = clock.now() + KEPT_TEXT_RETENTION
        assert [e.text for e in await calibration_examples(db, now=later)] == [None, None]  # expired: not read
        await kindness.purge_expired_texts(clock.now())
        assert await kept_texts(db) == [(501, "second words")]
        await kindness.purge_expired_texts(later)
        assert await kept_texts(db) == []  # and gone at the next sweep
    finally:
        await service.stop()


async def test_a_message_edited_or_deleted_since_its_nudge_keeps_no_text(db: Database) -> None:
    clock, port = FakeClock(NOW), Port()  # the port answers None: gone, or no longer the text that was scored
    service = await service_for(db, clock, port)
    try:
        await service.set_keep_text(G, True, actor_id=MOD)
        assert (await service.decide(await report(db, 100, 500, clock), "fair", MOD)).ok
        assert await kept_texts(db) == []
    finally:
        await service.stop()
