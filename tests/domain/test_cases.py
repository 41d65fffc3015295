"""Cases, the pure part: reasons, permissions for members/moderators/owners, two moderators, conflicts."""

from datetime import UTC, datetime, timedelta

import pytest

from primum.domain.appeals import appeal_still_decided, check_appeal, check_decide, choose_reviewer
from primum.domain.cases import (
    ActionRecord,
    Case,
    CaseHistory,
    CaseKind,
    CaseStatus,
    InvalidInput,
    parse_kind,
    validate_evidence_url,
    validate_reason,
    validate_statement,
)
from primum.domain.conflict import Interaction, detect_conflict, interactions_from_message
from primum.domain.moderation_policy import ModerationPolicy, PolicyError
from primum.domain.moderation_rules import Party, Rank, amended_status, check_action, check_amend, rank_of
from primum.domain.removals import check_confirmation, needs_second_moderator
from primum.domain.transparency import format_duration, transparency_entry

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
BOT = Party(1, Rank.MEMBER, top_role_position=4, is_bot=True)
OWNER = Party(2, Rank.OWNER, top_role_position=5, is_owner=True)
ADMIN = Party(3, Rank.OWNER, top_role_position=5)
MOD = Party(10, Rank.MODERATOR, top_role_position=3)
MOD2 = Party(11, Rank.MODERATOR, top_role_position=3)
MEMBER = Party(20, Rank.MEMBER, top_role_position=2, is_verified_physician=True)
NEWBIE = Party(21, Rank.MEMBER, top_role_position=1)
OTHER_BOT = Party(30, Rank.MEMBER, top_role_position=1, is_bot=True)
HIGH = Party(40, Rank.MEMBER, top_role_position=4)  # at the bot's level


def case(id_=1, *, kind=CaseKind.HIDE, target=MEMBER.user_id, actor=MOD.user_id, status=CaseStatus.ACTIVE,
         amends=None, root=None, details=None):
    return Case(id_, 99, kind, target, actor, "reason", None, None, details or {}, status, False, amends, root, T0)


@pytest.mark.parametrize(("reason", "expected"), [
    ("spam link", "spam link"),
    ("  off   topic \n again ", "off topic again"),
    ("abc", "abc"),
])
def test_valid_reasons_are_normalised(reason, expected):
    assert validate_reason(reason) == expected


@pytest.mark.parametrize("reason", ["", "   ", None, "ab", " a ", "x" * 1001])
def test_invalid_reasons_are_refused(reason):
    with pytest.raises(InvalidInput):
        validate_reason(reason)


@pytest.mark.parametrize(("url", "ok"), [
    (None, True), ("", True), ("https://discord.com/channels/1/2/3", True), ("http://example.org/x", True),
    ("javascript:alert(1)", False), ("ftp://x", False), ("see message above", False), ("https://a b", False),
])
def test_evidence_links(url, ok):
    if ok:
        assert validate_evidence_url(url) == ((url or "").strip() or None)
    else:
        with pytest.raises(InvalidInput):
            validate_evidence_url(url)


@pytest.mark.parametrize(("text", "ok"), [("please reconsider", True), ("no", False), ("", False),
                                          ("x" * 2001, False)])
def test_appeal_statement(text, ok):
    if ok:
        assert validate_statement(text) == text
    else:
        with pytest.raises(InvalidInput):
            validate_statement(text)


@pytest.mark.parametrize(("value", "kind"), [("hide", CaseKind.HIDE), (" BAN ", CaseKind.BAN)])
def test_parse_kind(value, kind):
    assert parse_kind(value) is kind


def test_parse_kind_names_the_allowed_kinds():
    with pytest.raises(InvalidInput, match="hide, slowmode"):
        parse_kind("smite")


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
])
def test_check_action(kind, actor, target, code):
    decision = check_action(kind, actor, target, BOT)
    assert decision.code == code
    assert bool(decision) is (code == "ok")
    if code != "ok":
        assert decision.message.endswith(".")


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


def test_history_participants_include_confirmer_and_amenders():
    history = CaseHistory((
        case(1, actor=MOD.user_id, details={"confirmed_by": 12}),
        case(2, actor=13, amends=1, root=1, status=CaseStatus.AMENDED),
    ))
    assert history.participants == {MOD.user_id, 12, 13}
    assert history.number == 1 and history.current.id == 2 and history.current.number == 1


@pytest.mark.parametrize(("appellant", "kind", "status", "already", "code"), [
    (MEMBER.user_id, CaseKind.HIDE, CaseStatus.ACTIVE, False, "ok"),
    (MEMBER.user_id, CaseKind.BAN, CaseStatus.AMENDED, False, "ok"),
    (NEWBIE.user_id, CaseKind.HIDE, CaseStatus.ACTIVE, False, "not_target"),
    (MEMBER.user_id, CaseKind.SLOWMODE, CaseStatus.ACTIVE, False, "not_appealable"),
    (MEMBER.user_id, CaseKind.HIDE, CaseStatus.ACTIVE, True, "already_appealed"),
    (MEMBER.user_id, CaseKind.HIDE, CaseStatus.OVERTURNED, False, "overturned"),
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


@pytest.mark.parametrize(("actor", "code"), [(MOD, "ok"), (NEWBIE, "not_moderator"),
                                             (Party(MEMBER.user_id, Rank.MODERATOR), "target_self")])
def test_check_amend(actor, code):
    assert check_amend(CaseHistory((case(),)), actor).code == code


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


def inter(author, other, minutes_ago, channel=100):
    return Interaction(channel, author, other, T0 - timedelta(minutes=minutes_ago))


M, T = MOD.user_id, MEMBER.user_id


@pytest.mark.parametrize(("items", "policy", "channel", "found"), [
    ([inter(M, T, 5), inter(T, M, 3)], ModerationPolicy(), None, True),
    ([inter(M, T, 5)], ModerationPolicy(), None, False),  # one-sided is not an argument
    ([inter(M, T, 5, channel=100), inter(T, M, 3, channel=200)], ModerationPolicy(), None, False),
    ([inter(M, T, 90), inter(T, M, 70)], ModerationPolicy(), None, False),  # outside the hour
    ([inter(M, T, 90), inter(T, M, 70)], ModerationPolicy(conflict_window_minutes=120), None, True),
    ([inter(M, T, 5), inter(T, M, 3)], ModerationPolicy(conflict_check=False), None, False),
    ([inter(M, T, 5), inter(T, M, 3)], ModerationPolicy(conflict_min_exchanges=2), None, False),
    ([inter(M, T, 5), inter(T, M, 3), inter(M, T, 2), inter(T, M, 1)],
     ModerationPolicy(conflict_min_exchanges=2), None, True),
    ([inter(M, T, 5), inter(T, M, 3)], ModerationPolicy(), 100, True),
    ([inter(M, T, 5), inter(T, M, 3)], ModerationPolicy(), 200, False),  # another channel than the hidden msg
    ([inter(M, 99, 5), inter(99, M, 3)], ModerationPolicy(), None, False),  # someone else
])
def test_detect_conflict(items, policy, channel, found):
    conflict = detect_conflict(items, M, T, T0, policy, channel)
    assert (conflict is not None) is found
    if conflict is not None:
        assert conflict.channel_id == 100 and conflict.by_moderator >= 1 and conflict.by_target >= 1


def test_interactions_from_message_skips_self_and_dedups():
    found = interactions_from_message(5, 1, T0, replied_to=2, mentioned=[2, 3, 1])
    assert [(i.author_id, i.other_id) for i in found] == [(1, 2), (1, 3)]
    assert interactions_from_message(5, 1, T0, replied_to=1, mentioned=[]) == []


@pytest.mark.parametrize(("overrides", "ok"), [
    ({}, True), ({"show_moderator_names": True}, True), ({"appeal_reminder_hours": 1}, True),
    ({"appeal_reminder_hours": 0}, False), ({"show_moderator_names": "yes"}, False),
    ({"conflict_window_minutes": True}, False), ({"transparency_channel_id": -1}, False),
    ({"colour": "red"}, False),
])
def test_policy_validation(overrides, ok):
    if ok:
        ModerationPolicy.from_overrides(overrides)
    else:
        with pytest.raises(PolicyError):
            ModerationPolicy.from_overrides(overrides)


@pytest.mark.parametrize(("seconds", "text"), [(None, ""), (0, "0 s"), (90, "1 min 30 s"), (3600, "1 h"),
                                               (90_061, "1 d 1 h")])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize(("actor", "show", "name", "who"), [
    (None, False, None, "Primum (automatic)"),
    (MOD.user_id, False, "Dr. Nadia Haddad", "a moderator"),
    (MOD.user_id, True, "Dr. Nadia Haddad", "Dr. Nadia Haddad"),
    (MOD.user_id, True, None, "a moderator"),
])
def test_transparency_is_redacted(actor, show, name, who):
    row = Case(7, 99, CaseKind.COOLDOWN, T, actor, "private reason text", None, 600, {"rule": "be-kind"},
               CaseStatus.ACTIVE, False, None, None, T0)
    line = transparency_entry(row, ModerationPolicy(show_moderator_names=show), name).line()
    assert line == f"Case #7 · Cooldown · rule: be-kind · duration: 10 min · by {who}"
    assert "private reason" not in line and str(T) not in line


def test_action_record_from_dict():
    record = ActionRecord.coerce({"guild_id": 1, "kind": "hide", "target_id": 2, "actor_id": None, "reason": "x"})
    assert record == ActionRecord(1, "hide", 2, None, "x")
    with pytest.raises(InvalidInput, match="colour"):
        ActionRecord.coerce({"guild_id": 1, "kind": "hide", "target_id": 2, "actor_id": None, "reason": "x",
                             "colour": 1})


# --- issue 16: the rank rule everywhere, overturned is final, the conversation behind a case ---------


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


def test_confirmation_follows_the_rank_rule():
    assert check_confirmation(MOD.user_id, ADMIN.user_id, MOD2, ADMIN).code == "target_higher"
    assert check_confirmation(MOD.user_id, MEMBER.user_id, MOD2, MEMBER).code == "ok"
