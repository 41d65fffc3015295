"""Who may act on whom: ranks, the rank rule, role hierarchy and amendments."""

import pytest

from primum.domain.cases import CaseHistory, CaseKind, CaseStatus
from primum.domain.moderation_rules import Party, Rank, amended_status, check_action, check_amend, rank_of
from tests.domain.moderation_parties import ADMIN, BOT, HIGH, MEMBER, MOD, MOD2, NEWBIE, OTHER_BOT, OWNER, case


@pytest.mark.parametrize(("flags", "rank"), [
    ({"is_owner": True, "is_admin": False, "has_moderator_role": False, "can_moderate": False}, Rank.OWNER),
    ({"is_owner": False, "is_admin": True, "has_moderator_role": False, "can_moderate": False}, Rank.OWNER),
    ({"is_owner": False, "is_admin": False, "has_moderator_role": True, "can_moderate": False}, Rank.MODERATOR),
    ({"is_owner": False, "is_admin": False, "has_moderator_role": False, "can_moderate": True}, Rank.MODERATOR),
    ({"is_owner": False, "is_admin": False, "has_moderator_role": False, "can_moderate": False}, Rank.MEMBER),
])
def test_rank_of(flags, rank):
    assert rank_of(**flags) is rank


# Permissions for members, moderators and owners (issue 7: "permissions are tested").
@pytest.mark.parametrize(("kind", "actor", "target", "code"), [
    (CaseKind.HIDE, MEMBER, NEWBIE, "not_moderator"),
    (CaseKind.NOTE, MEMBER, NEWBIE, "not_moderator"),
    (CaseKind.BAN, MEMBER, MOD, "not_moderator"),
    (CaseKind.HIDE, MOD, MEMBER, "ok"),
    (CaseKind.KICK, MOD, NEWBIE, "ok"),
    (CaseKind.NOTE, MOD, MEMBER, "ok"),
    (CaseKind.BAN, MOD, BOT, "target_bot"),
    (CaseKind.NOTE, MOD, BOT, "target_bot"),
    (CaseKind.KICK, MOD, MOD, "target_self"),
    (CaseKind.BAN, MOD, OWNER, "target_owner"),
    (CaseKind.NOTE, MOD, OWNER, "target_owner"),
    (CaseKind.KICK, MOD, MOD2, "target_peer"),  # a peer moderator (issue 16)
    (CaseKind.NOTE, MOD, MOD2, "target_peer"),  # notes are cases: the rank rule applies too
    (CaseKind.NOTE, MOD, ADMIN, "target_higher"),
    (CaseKind.COOLDOWN, MOD, ADMIN, "target_higher"),
    (CaseKind.NOTE, ADMIN, Party(4, Rank.OWNER, top_role_position=5), "target_peer"),  # admin on admin
    (CaseKind.KICK, MOD, Party(41, Rank.MEMBER, top_role_position=3), "above_actor"),  # role hierarchy still
    (CaseKind.BAN, MOD, HIGH, "above_bot"),
    (CaseKind.BAN, MOD, OTHER_BOT, "target_other_bot"),
    (CaseKind.BAN, OWNER, MOD, "ok"),  # owners may act on moderators
    (CaseKind.BAN, ADMIN, HIGH, "above_bot"),  # but never above the bot's own role
    (CaseKind.BAN, ADMIN, OWNER, "target_owner"),
    (CaseKind.COOLDOWN, OWNER, BOT, "target_bot"),
    (CaseKind.HIDE, OWNER, OWNER, "target_self"),
    # issue 17: a warning changes nothing in Discord (the rank rule only), a purge deletes like a hide
    (CaseKind.WARN, MOD, HIGH, "ok"),
    (CaseKind.WARN, MOD, MOD2, "target_peer"),
    (CaseKind.WARN, MEMBER, NEWBIE, "not_moderator"),
    (CaseKind.PURGE, MOD, NEWBIE, "ok"),
    (CaseKind.PURGE, MOD, HIGH, "above_bot"),
    (CaseKind.PURGE, MOD, Party(41, Rank.MEMBER, top_role_position=3), "above_actor"),
])
def test_check_action(kind, actor, target, code):
    decision = check_action(kind, actor, target, BOT)
    assert decision.code == code
    assert bool(decision) is (code == "ok")
    if code != "ok":
        assert decision.message.endswith(".")


@pytest.mark.parametrize(("actor", "code"), [(MOD, "ok"), (NEWBIE, "not_moderator"),
                                             (Party(MEMBER.user_id, Rank.MODERATOR), "target_self")])
def test_check_amend(actor, code):
    assert check_amend(CaseHistory((case(),)), actor).code == code


@pytest.mark.parametrize(("actor", "target", "code"), [
    (MOD, MEMBER, "ok"), (MOD, MOD2, "target_peer"), (MOD, ADMIN, "target_higher"), (ADMIN, MOD, "ok"),
    (MOD, OWNER, "target_owner"),
])
def test_amend_follows_the_rank_rule(actor, target, code):
    history = CaseHistory((case(target=target.user_id),))
    assert check_amend(history, actor, target).code == code


@pytest.mark.parametrize(("status", "after"), [
    (CaseStatus.ACTIVE, CaseStatus.AMENDED), (CaseStatus.UPHELD, CaseStatus.AMENDED),
    (CaseStatus.AMENDED, CaseStatus.AMENDED), (CaseStatus.OVERTURNED, CaseStatus.OVERTURNED),
])
def test_an_amendment_never_turns_an_overturned_case_back(status, after):
    history = CaseHistory((case(1), case(2, amends=1, root=1, status=status)))
    assert amended_status(history) is after
