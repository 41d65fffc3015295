"""Appeals: who may appeal, who may decide, and who is asked to."""

import pytest

from primum.domain.appeals import appeal_still_decided, check_appeal, check_decide, choose_reviewer
from primum.domain.cases import CaseHistory, CaseKind, CaseStatus
from primum.domain.moderation_rules import Party, Rank
from tests.domain.moderation_parties import ADMIN, BOT, MEMBER, MOD, MOD2, NEWBIE, OWNER, case


@pytest.mark.parametrize(("appellant", "kind", "status", "already", "code"), [
    (MEMBER.user_id, CaseKind.HIDE, CaseStatus.ACTIVE, False, "ok"),
    (MEMBER.user_id, CaseKind.BAN, CaseStatus.AMENDED, False, "ok"),
    (NEWBIE.user_id, CaseKind.HIDE, CaseStatus.ACTIVE, False, "not_target"),
    (MEMBER.user_id, CaseKind.SLOWMODE, CaseStatus.ACTIVE, False, "not_appealable"),
    (MEMBER.user_id, CaseKind.HIDE, CaseStatus.ACTIVE, True, "already_appealed"),
    (MEMBER.user_id, CaseKind.HIDE, CaseStatus.OVERTURNED, False, "overturned"),
    (MEMBER.user_id, CaseKind.WARN, CaseStatus.ACTIVE, False, "ok"),  # issue 17: warnings and purges
    (MEMBER.user_id, CaseKind.PURGE, CaseStatus.ACTIVE, False, "ok"),
    (NEWBIE.user_id, CaseKind.WARN, CaseStatus.ACTIVE, False, "not_target"),
])
def test_check_appeal(appellant, kind, status, already, code):
    history = CaseHistory((case(kind=kind, status=status),))
    assert check_appeal(history, appellant, already_appealed=already).code == code


@pytest.mark.parametrize(("reviewer", "code"), [
    (MOD2, "ok"), (OWNER, "ok"), (MOD, "involved"), (NEWBIE, "not_moderator"),
    (Party(MEMBER.user_id, Rank.MODERATOR), "appellant"),
])
def test_only_uninvolved_moderators_decide(reviewer, code):
    history = CaseHistory((case(actor=MOD.user_id),))
    assert check_decide(reviewer, history, MEMBER.user_id).code == code


@pytest.mark.parametrize(("candidates", "involved", "load", "chosen"), [
    ([MOD, MOD2, OWNER], {MOD.user_id, MEMBER.user_id}, {}, MOD2.user_id),
    ([MOD, MOD2, OWNER], {MEMBER.user_id}, {MOD.user_id: 2}, MOD2.user_id),  # least loaded
    ([MOD, MOD2, OWNER], {MEMBER.user_id}, {}, MOD.user_id),  # tie: lowest id
    ([MOD, MOD2, OWNER], {MOD.user_id, MOD2.user_id}, {}, OWNER.user_id),  # owners when no moderator left
    ([OWNER, MOD2], {MEMBER.user_id}, {}, MOD2.user_id),  # moderators before owners
    ([MOD, NEWBIE, BOT], {MOD.user_id}, {}, None),  # members and bots never review
    ([], set(), {}, None),
])
def test_choose_reviewer(candidates, involved, load, chosen):
    assert choose_reviewer(candidates, involved, load) == chosen


def test_a_new_appeal_only_after_an_amendment_since_the_decision():
    decided = CaseHistory((case(1), case(2, amends=1, root=1, status=CaseStatus.UPHELD)))
    assert appeal_still_decided(decided, 2)
    amended = CaseHistory((*decided.rows, case(3, amends=2, root=1, status=CaseStatus.AMENDED)))
    assert not appeal_still_decided(amended, 2)


@pytest.mark.parametrize(("reviewer", "conversation", "appellant", "code"), [
    (MOD2, {MOD2.user_id}, None, "in_conversation"),  # argued with the member: not a neutral reviewer
    (MOD2, {77}, None, "ok"),
    (MOD2, set(), Party(MEMBER.user_id, Rank.MODERATOR), "target_peer"),  # a peer's appeal goes higher
    (OWNER, set(), Party(MEMBER.user_id, Rank.MODERATOR), "ok"),
])
def test_decide_excludes_the_conversation_and_follows_the_rank_rule(reviewer, conversation, appellant, code):
    history = CaseHistory((case(actor=MOD.user_id),))
    assert check_decide(reviewer, history, MEMBER.user_id, conversation, appellant).code == code


def test_routing_skips_reviewers_the_appellant_outranks_or_equals():
    appellant = Party(MEMBER.user_id, Rank.MODERATOR)
    assert choose_reviewer([MOD2, ADMIN], {MEMBER.user_id}, {}, appellant) == ADMIN.user_id
