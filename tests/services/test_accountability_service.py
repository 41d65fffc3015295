"""Issue 16 at the service level: overturned is final under /case amend, appeals away from the
conversation behind a case, and one forget across every feature that leaves a case."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from primum.domain.appeals import AppealStatus
from primum.domain.cases import CaseKind, CaseStatus
from primum.domain.conflict import Interaction
from primum.domain.moderation_policy import ModerationPolicy
from primum.domain.moderation_rules import Party, Rank
from primum.runtime.clock import FakeClock, to_iso
from primum.runtime.events import EventSink
from primum.services.moderation import ModerationService, Refused
from primum.services.privacy import PrivacyService
from primum.storage import Database
from primum.storage.kindness import KindnessRepository
from primum.storage.names import NameRepository, known_names
from primum.storage.policy import PolicyRepository
from primum.storage.verification import VerificationRepository

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
GUILD = 10
MOD_A = Party(1, Rank.MODERATOR, 3)
MOD_B = Party(2, Rank.MODERATOR, 3)
MOD_C = Party(4, Rank.MODERATOR, 3)
OWNER = Party(3, Rank.OWNER, 5, is_owner=True)
MEMBER = Party(20, Rank.MEMBER, 2)
OTHER = 21


@pytest.fixture
async def env(tmp_path: Path):
    db = await Database.open(tmp_path / "svc.sqlite3")
    clock = FakeClock(T0)
    service = ModerationService(db, clock, EventSink(clock=clock))
    yield service, clock, db
    await db.close()


async def overturned_case(service: ModerationService) -> int:
    case = await service.case_log.record(GUILD, "hide", MEMBER.user_id, MOD_A.user_id, "belittling")
    appeal = await service.file_appeal(GUILD, case.id, MEMBER.user_id, "it was banter", [MOD_A, MOD_B],
                                       ModerationPolicy())
    await service.decide_appeal(appeal.id, GUILD, MOD_B, AppealStatus.OVERTURNED, "banter, not belittling")
    return case.id


async def test_the_original_moderator_cannot_undo_an_overturn_with_amend(env):
    service, _, _ = env
    number = await overturned_case(service)
    note = await service.amend(GUILD, number, MOD_A, "I still think it was belittling", target=MEMBER)
    assert note.status is CaseStatus.OVERTURNED  # a note is fine; the case stays overturned
    history = await service.case_log.history(number)
    assert history is not None and history.current.status is CaseStatus.OVERTURNED
    with pytest.raises(Refused, match="already been overturned"):  # nothing to appeal: still overturned
        await service.file_appeal(GUILD, number, MEMBER.user_id, "again", [MOD_C], ModerationPolicy())


async def test_an_amendment_after_an_upheld_appeal_opens_a_new_appeal(env):
    service, _, _ = env
    case = await service.case_log.record(GUILD, "hide", MEMBER.user_id, MOD_A.user_id, "belittling")
    first = await service.file_appeal(GUILD, case.id, MEMBER.user_id, "please", [MOD_B], ModerationPolicy())
    await service.decide_appeal(first.id, GUILD, MOD_B, AppealStatus.UPHELD, "it was belittling")
    with pytest.raises(Refused, match="already been appealed"):
        await service.file_appeal(GUILD, case.id, MEMBER.user_id, "again", [MOD_C], ModerationPolicy())
    await service.amend(GUILD, case.id, MOD_A, "added the longer context", target=MEMBER)
    second = await service.file_appeal(GUILD, case.id, MEMBER.user_id, "the new reason is wrong", [MOD_B, MOD_C],
                                       ModerationPolicy())
    assert second.id != first.id and second.status is AppealStatus.OPEN


async def test_amend_follows_the_rank_rule(env):
    service, _, _ = env
    case = await service.case_log.record(GUILD, "note", MOD_B.user_id, OWNER.user_id, "late to shifts")
    with pytest.raises(Refused, match="moderator like you"):
        await service.amend(GUILD, case.id, MOD_A, "withdrawn", target=MOD_B)


async def test_appeals_skip_and_refuse_the_moderator_in_the_conversation(env):
    service, clock, _ = env
    policy = ModerationPolicy()
    # MOD_B and the member were replying to each other in the minutes before MOD_A's hide.
    await service.interactions.add_many(GUILD, [
        Interaction(5, MOD_B.user_id, MEMBER.user_id, T0 - timedelta(minutes=9)),
        Interaction(5, MEMBER.user_id, MOD_B.user_id, T0 - timedelta(minutes=8)),
    ])
    case = await service.case_log.record(GUILD, "hide", MEMBER.user_id, MOD_A.user_id, "belittling")
    clock.advance(hours=20)  # the appeal comes the next day; the exchange is long out of the conflict window
    appeal = await service.file_appeal(GUILD, case.id, MEMBER.user_id, "he started it", [MOD_A, MOD_B, MOD_C],
                                       policy)
    assert appeal.reviewer_id == MOD_C.user_id  # MOD_B had the lower load and id, but argued with the member
    with pytest.raises(Refused, match="conversation"):
        await service.decide_appeal(appeal.id, GUILD, MOD_B, AppealStatus.UPHELD, "it was belittling", policy)
    decided, _ = await service.decide_appeal(appeal.id, GUILD, MOD_C, AppealStatus.UPHELD, "it was", policy)
    assert decided.decided_by == MOD_C.user_id


async def test_statements_expire_like_other_kept_text(env):
    service, clock, _ = env
    case = await service.case_log.record(GUILD, "hide", MEMBER.user_id, MOD_A.user_id, "belittling")
    appeal = await service.file_appeal(GUILD, case.id, MEMBER.user_id, "my own words", [MOD_B], ModerationPolicy())
    await service.decide_appeal(appeal.id, GUILD, MOD_B, AppealStatus.UPHELD, "it was belittling")
    clock.advance(days=6)
    assert await service.expire_statements() == 0
    clock.advance(days=1, seconds=1)
    assert await service.expire_statements() == 1
    stored = await service.appeals.get(appeal.id)
    assert stored is not None and "my own words" not in stored.statement and stored.status is AppealStatus.UPHELD


async def test_forget_member_everywhere_keeps_the_case_log_and_records_itself(env):
    service, clock, db = env
    now = clock.now()
    member = MEMBER.user_id
    kindness = KindnessRepository(db)
    await kindness.keep_text(message_id=77, purpose="return", guild_id=GUILD, author_id=member,
                             text="the hidden words", created_at=now, expires_at=now + timedelta(days=7))
    await kindness.keep_text(message_id=78, purpose="return", guild_id=GUILD, author_id=OTHER,
                             text="someone else's words", created_at=now, expires_at=now + timedelta(days=7))
    await db.execute("INSERT INTO verification_requests (guild_id, user_id, npi, eligibility, name_match, "
                     "created_at, updated_at) VALUES (?, ?, '1234567893', 'physician', 'match', ?, ?)",
                     (GUILD, member, to_iso(now), to_iso(now)))
    for status, user in (("done", member), ("pending", member), ("done", OTHER)):
        await db.execute("INSERT INTO scheduled_actions (kind, guild_id, user_id, reason, created_at, expires_at, "
                         "status) VALUES ('cooldown', ?, ?, 'heated', ?, ?, ?)",
                         (GUILD, user, to_iso(now), to_iso(now + timedelta(minutes=5)), status))
    await db.execute("INSERT INTO deescalation_log (guild_id, user_id, action, reason, at, action_id) "
                     "VALUES (?, ?, 'cooldown', 'heated', ?, 1)", (GUILD, member, to_iso(now)))
    hide = await service.case_log.record(GUILD, "hide", member, MOD_A.user_id, "belittling")
    await service.file_appeal(GUILD, hide.id, member, "my private reasons", [MOD_B], ModerationPolicy())
    await service.interactions.add_many(GUILD, [Interaction(5, member, MOD_B.user_id, now),
                                                Interaction(5, OTHER, MOD_B.user_id, now)])

    policy = PolicyRepository(db)
    for author, message in ((member, 91), (OTHER, 92)):
        await policy.add_report(guild_id=GUILD, channel_id=5, message_id=message, author_id=author, action="nudge",
                                category="insult", score=0.95, threshold=0.9, model_version="m", created_at=now,
                                text="kept by opt-in")

    names = NameRepository(db)
    await names.remember(GUILD, "member", [(member, "Dr. Member"), (OTHER, "Dr. Other")], now)

    report = await PrivacyService(db, service.case_log).forget_member(GUILD, member, member, self_request=True)

    assert report.removed["be_kind"] == 1 and report.removed["verification"] == 1
    assert report.removed["deescalation"] == 2  # the log row and the finished cooldown
    assert report.removed["appeal_statements"] == 1 and report.removed["interactions"] == 1
    assert report.removed["observe_reports"] == 1
    assert [r["author_id"] for r in await db.fetch_all("SELECT author_id FROM observe_reports")] == [OTHER]
    assert report.removed["names"] == 1 and (await known_names(db, GUILD)).members == {OTHER: "Dr. Other"}
    assert report.kept == {"pending_cooldowns": 1, "appeals": 1}
    assert report.case.kind is CaseKind.FORGET and report.case.target_id == member
    assert report.case.reason == "privacy: the member asked Primum to forget them"
    text = "\n".join(report.lines())
    assert f"case #{report.case.number}" in text and "pending cooldown" in text and "Kept, and why" in text
    assert (await kindness.user_data(GUILD, OTHER, now)).texts  # nobody else's data is touched
    assert await VerificationRepository(db).latest_for_member(GUILD, member) is None
    appeal = await service.appeals.for_case(hide.id)
    assert appeal is not None and "my private reasons" not in appeal.statement
    assert await service.case_log.history(hide.id) is not None  # the case log keeps ids and reasons
    rows = await db.fetch_all("SELECT user_id, status FROM scheduled_actions ORDER BY id")
    assert [(r["user_id"], r["status"]) for r in rows] == [(member, "pending"), (OTHER, "done")]
