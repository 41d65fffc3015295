"""CaseLog and ModerationService: recording, hooks, events, appeals routing, second moderators."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from primum.domain.appeals import AppealStatus
from primum.domain.cases import ActionRecord, CaseKind, CaseStatus, InvalidInput
from primum.domain.conflict import Interaction
from primum.domain.moderation_policy import ModerationPolicy, PolicyError
from primum.domain.moderation_rules import Party, Rank
from primum.domain.removals import ConfirmationStatus
from primum.runtime.clock import FakeClock
from primum.runtime.events import EventSink
from primum.services.cases import CaseLog
from primum.services.moderation import ModerationService, Refused, RemovalRequest
from primum.storage import Database

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
GUILD = 10
MOD_A = Party(1, Rank.MODERATOR, 3)
MOD_B = Party(2, Rank.MODERATOR, 3)
OWNER = Party(3, Rank.OWNER, 5, is_owner=True)
MEMBER = Party(20, Rank.MEMBER, 2, is_verified_physician=True)


@pytest.fixture
async def env(tmp_path: Path):
    db = await Database.open(tmp_path / "svc.sqlite3")
    clock = FakeClock(T0)
    events = EventSink(clock=clock)
    service = ModerationService(db, clock, events)
    yield service, clock, events
    await db.close()


async def test_record_validates_and_emits(env):
    service, _, events = env
    log: CaseLog = service.case_log
    seen = []

    async def hook(case):
        seen.append(case.id)

    async def broken(case):
        raise RuntimeError("transparency channel gone")

    log.add_hook(broken)
    log.add_hook(hook)
    case = await log.record(GUILD, "hide", MEMBER.user_id, MOD_A.user_id, "  belittling  ",
                            "https://discord.com/channels/1/2/3", None,
                            {"channel_id": 5, "content": "the message text", "rule": "be kind"})
    assert case.reason == "belittling" and case.details == {"channel_id": 5, "rule": "be kind"}
    assert seen == [case.id]  # a failing hook does not stop the others
    [event] = events.of_type("case")
    assert event["case_id"] == case.id and event["kind"] == "hide" and event["actor_id"] == MOD_A.user_id
    assert "reason" not in event  # events carry ids and outcomes, not words


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"reason": ""}, "reason is required"),
    ({"reason": "no"}, "too short"),
    ({"kind": "smite"}, "unknown case kind"),
    ({"evidence_url": "not a link"}, "http"),
    ({"duration_s": -5}, "duration"),
])
async def test_record_refuses_bad_input_from_moderators(env, kwargs, match):
    service, _, _ = env
    args = {"guild_id": GUILD, "kind": "note", "target_id": 20, "actor_id": 1, "reason": "valid reason", **kwargs}
    with pytest.raises(InvalidInput, match=match):
        await service.case_log.record(**args)


async def test_bot_actions_get_a_plain_reason(env):
    service, _, _ = env
    case = await service.case_log.record_action(ActionRecord(GUILD, "slowmode", 555, None, "", duration_s=30))
    assert case.reason == "automatic slowmode by Primum" and case.actor_id is None and case.duration_s == 30
    case = await service.case_log.record_action({"guild_id": GUILD, "kind": "cooldown", "target_id": 20,
                                                 "actor_id": None, "reason": "heat 0.9", "duration_s": 600})
    assert case.reason == "heat 0.9"


async def test_appeal_goes_to_an_uninvolved_moderator_and_decision_amends_the_case(env):
    service, clock, events = env
    policy = ModerationPolicy()
    case = await service.case_log.record(GUILD, "hide", MEMBER.user_id, MOD_A.user_id, "belittling")
    appeal = await service.file_appeal(GUILD, case.id, MEMBER.user_id, "It was a joke between friends",
                                       [MOD_A, MOD_B, OWNER, MEMBER], policy)
    assert appeal.reviewer_id == MOD_B.user_id and appeal.remind_at == T0 + timedelta(hours=72)
    assert events.of_type("appeal")[0]["reviewer_id"] == MOD_B.user_id

    with pytest.raises(Refused, match="took part"):
        await service.decide_appeal(appeal.id, GUILD, MOD_A, AppealStatus.UPHELD, "it was fine")
    clock.advance(hours=1)
    decided, amendment = await service.decide_appeal(appeal.id, GUILD, MOD_B, AppealStatus.OVERTURNED,
                                                     "banter, not belittling")
    assert decided.status is AppealStatus.OVERTURNED and decided.decision_case_id == amendment.id
    assert amendment.status is CaseStatus.OVERTURNED and amendment.amends_id == case.id
    assert amendment.reason == "appeal overturned: banter, not belittling"
    history = await service.case_log.history(case.id)
    assert history is not None and history.original == case and history.current == amendment
    [decision] = events.of_type("appeal_decided")
    assert decision["outcome"] == "overturned" and decision["decided_by"] == MOD_B.user_id
    with pytest.raises(Refused, match="already decided"):
        await service.decide_appeal(appeal.id, GUILD, OWNER, AppealStatus.UPHELD, "again")


@pytest.mark.parametrize(("appellant", "match"), [(MOD_B.user_id, "about you"), (MEMBER.user_id, None)])
async def test_only_the_target_may_appeal_once(env, appellant, match):
    service, _, _ = env
    case = await service.case_log.record(GUILD, "hide", MEMBER.user_id, MOD_A.user_id, "belittling")
    if match:
        with pytest.raises(Refused, match=match):
            await service.file_appeal(GUILD, case.id, appellant, "please", [MOD_B], ModerationPolicy())
        return
    await service.file_appeal(GUILD, case.id, appellant, "please", [MOD_B], ModerationPolicy())
    with pytest.raises(Refused, match="already"):
        await service.file_appeal(GUILD, case.id, appellant, "please again", [MOD_B], ModerationPolicy())


async def test_no_uninvolved_moderator_leaves_the_appeal_unassigned(env):
    service, _, _ = env
    case = await service.case_log.record(GUILD, "hide", MEMBER.user_id, MOD_A.user_id, "belittling")
    appeal = await service.file_appeal(GUILD, case.id, MEMBER.user_id, "please", [MOD_A], ModerationPolicy())
    assert appeal.reviewer_id is None


async def test_reminders_are_sent_once_after_the_deadline_even_after_a_restart(env, tmp_path):
    service, clock, events = env
    case = await service.case_log.record(GUILD, "hide", MEMBER.user_id, MOD_A.user_id, "belittling")
    await service.file_appeal(GUILD, case.id, MEMBER.user_id, "please", [MOD_B],
                              ModerationPolicy(appeal_reminder_hours=2))
    clock.advance(hours=1)
    assert await service.due_reminders() == []
    clock.advance(hours=2)
    restarted = ModerationService(service.db, clock, events)  # a fresh service reads the stored deadline
    assert [a.case_id for a in await restarted.due_reminders()] == [case.id]
    assert await restarted.due_reminders() == []
    assert len(events.of_type("appeal_reminder")) == 1


async def test_two_moderator_rule(env):
    service, clock, events = env
    policy = ModerationPolicy(confirmation_expiry_hours=1)
    request = RemovalRequest(GUILD, CaseKind.BAN, MEMBER.user_id, MOD_A.user_id, "repeated harassment")
    pending = await service.request_removal(request, policy)
    assert events.of_type("case_pending")[0]["confirmation_id"] == pending.id
    with pytest.raises(Refused, match="different moderator"):
        await service.claim_confirmation(pending.id, GUILD, MOD_A, confirm=True)
    with pytest.raises(Refused, match="no removal request"):
        await service.claim_confirmation(pending.id, GUILD + 1, MOD_B, confirm=True)
    closed = await service.claim_confirmation(pending.id, GUILD, MOD_B, confirm=True)
    assert closed.status is ConfirmationStatus.CONFIRMED and closed.decided_by == MOD_B.user_id
    case = await service.removal_done(closed, MOD_B.user_id)
    assert case.actor_id == MOD_A.user_id and case.details["confirmed_by"] == MOD_B.user_id
    with pytest.raises(Refused, match="already confirmed"):
        await service.claim_confirmation(pending.id, GUILD, OWNER, confirm=False)

    late = await service.request_removal(request, policy)
    clock.advance(hours=2)
    with pytest.raises(Refused, match="expired"):
        await service.claim_confirmation(late.id, GUILD, MOD_B, confirm=True)
    assert await service.expire_confirmations() == []  # already closed by the refused claim


async def test_conflict_of_interest(env):
    service, clock, _ = env
    policy = ModerationPolicy()
    await service.interactions.add_many(GUILD, [
        Interaction(5, MOD_A.user_id, MEMBER.user_id, T0 - timedelta(minutes=20)),
        Interaction(5, MEMBER.user_id, MOD_A.user_id, T0 - timedelta(minutes=10)),
    ])
    conflict = await service.conflict(GUILD, MOD_A.user_id, MEMBER.user_id, policy)
    assert conflict is not None and conflict.channel_id == 5
    assert await service.conflict(GUILD, MOD_B.user_id, MEMBER.user_id, policy) is None
    assert await service.conflict(GUILD, MOD_A.user_id, MEMBER.user_id, policy, channel_id=6) is None
    clock.advance(hours=1)
    assert await service.conflict(GUILD, MOD_A.user_id, MEMBER.user_id, policy) is None


async def test_amend_permissions(env):
    service, _, _ = env
    case = await service.case_log.record(GUILD, "note", MEMBER.user_id, MOD_A.user_id, "heads up")
    with pytest.raises(Refused, match="Only moderators"):
        await service.amend(GUILD, case.id, MEMBER, "I disagree")
    with pytest.raises(Refused, match="no case"):
        await service.amend(GUILD, 999, MOD_B, "typo")
    amended = await service.amend(GUILD, case.id, MOD_B, "typo in reason", evidence_url="https://x.test/e")
    assert amended.amends_id == case.id and amended.evidence_url == "https://x.test/e"


async def test_policy_round_trip(env):
    service, _, _ = env
    assert await service.policy(GUILD) == ModerationPolicy()
    policy = await service.update_policy(GUILD, {"show_moderator_names": True, "appeal_reminder_hours": 24}, by=3)
    assert policy.show_moderator_names and (await service.policy(GUILD)).appeal_reminder_hours == 24
    policy = await service.update_policy(GUILD, {"appeal_reminder_hours": None}, by=3)
    assert policy.appeal_reminder_hours == 72
    with pytest.raises(PolicyError):
        await service.update_policy(GUILD, {"appeal_reminder_hours": 0}, by=3)


async def test_standing_collects_cases_and_appeals(env):
    service, _, _ = env
    case = await service.case_log.record(GUILD, "hide", MEMBER.user_id, MOD_A.user_id, "belittling")
    await service.file_appeal(GUILD, case.id, MEMBER.user_id, "please", [MOD_B], ModerationPolicy())
    standing = await service.standing(GUILD, MEMBER.user_id)
    assert [h.number for h in standing.cases] == [case.id]
    assert standing.appeals[case.id].status is AppealStatus.OPEN
    assert standing.nudges == [] and standing.cooldowns == []
