"""Removals of verified physicians wait for a second, different moderator who outranks the target."""

import pytest

from primum.domain.cases import CaseKind
from primum.domain.moderation_policy import ModerationPolicy
from primum.domain.moderation_rules import Party, Rank
from primum.domain.removals import check_confirmation, needs_second_moderator
from tests.domain.moderation_parties import ADMIN, MEMBER, MOD, MOD2, NEWBIE, OWNER


@pytest.mark.parametrize(("kind", "target", "rule_on", "needed"), [
    (CaseKind.BAN, MEMBER, True, True),
    (CaseKind.KICK, MEMBER, True, True),
    (CaseKind.BAN, NEWBIE, True, False),  # not a verified physician
    (CaseKind.HIDE, MEMBER, True, False),
    (CaseKind.NOTE, MEMBER, True, False),
    (CaseKind.BAN, MEMBER, False, False),  # the guild turned the rule off
])
def test_two_moderator_rule(kind, target, rule_on, needed):
    assert needs_second_moderator(kind, target, ModerationPolicy(two_moderator_rule=rule_on)) is needed


@pytest.mark.parametrize(("confirmer", "code"), [
    (MOD2, "ok"), (OWNER, "ok"), (MOD, "same_moderator"), (NEWBIE, "not_moderator"),
    (Party(MEMBER.user_id, Rank.MODERATOR), "target_self"),
])
def test_second_moderator_must_differ(confirmer, code):
    assert check_confirmation(MOD.user_id, MEMBER.user_id, confirmer).code == code


def test_confirmation_follows_the_rank_rule():
    assert check_confirmation(MOD.user_id, ADMIN.user_id, MOD2, ADMIN).code == "target_higher"
    assert check_confirmation(MOD.user_id, MEMBER.user_id, MOD2, MEMBER).code == "ok"
