"""What a case is: kinds, reasons, links, statements, histories and action records."""

import pytest

from primum.domain.cases import (
    ACTION_LADDER,
    APPEALABLE_KINDS,
    OTHER_RECORDS,
    ActionRecord,
    CaseHistory,
    CaseKind,
    CaseStatus,
    InvalidInput,
    case_label,
    kind_label,
    parse_kind,
    stored_kind,
    validate_evidence_url,
    validate_reason,
    validate_statement,
)
from tests.domain.moderation_parties import MOD, case


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


def test_history_participants_include_confirmer_and_amenders():
    history = CaseHistory((
        case(1, actor=MOD.user_id, details={"confirmed_by": 12}),
        case(2, actor=13, amends=1, root=1, status=CaseStatus.AMENDED),
    ))
    assert history.participants == {MOD.user_id, 12, 13}
    assert history.number == 1 and history.current.id == 2 and history.current.number == 1


def test_action_record_from_dict():
    record = ActionRecord.coerce({"guild_id": 1, "kind": "hide", "target_id": 2, "actor_id": None, "reason": "x"})
    assert record == ActionRecord(1, "hide", 2, None, "x")
    with pytest.raises(InvalidInput, match="colour"):
        ActionRecord.coerce({"guild_id": 1, "kind": "hide", "target_id": 2, "actor_id": None, "reason": "x",
                             "colour": 1})


# --- issue 17: a warning and a purge are kinds of their own --------------------------------------


@pytest.mark.parametrize(("value", "kind", "label"), [
    ("warn", CaseKind.WARN, "Warning"), ("purge", CaseKind.PURGE, "Messages purged"), ("note", CaseKind.NOTE, "Note"),
])
def test_warn_and_purge_are_kinds_with_labels(value, kind, label):
    assert parse_kind(value) is kind and kind_label(kind) == label


@pytest.mark.parametrize(("kind", "details", "read_as"), [
    ("note", {"warning": 1}, CaseKind.WARN),  # /mod warn before migration 0011
    ("note", {}, CaseKind.NOTE),
    ("hide", {"purge": 12, "channel_id": 5}, CaseKind.PURGE),  # /mod purge before migration 0011
    ("hide", {"channel_id": 5, "message_id": 6}, CaseKind.HIDE),
    ("warn", {}, CaseKind.WARN),
    ("purge", {"messages": 3}, CaseKind.PURGE),
])
def test_rows_from_before_the_new_kinds_are_read_as_what_they_were(kind, details, read_as):
    assert stored_kind(kind, details) is read_as


def test_a_purge_label_counts_its_messages_old_and_new():
    assert case_label(case(kind=CaseKind.PURGE, details={"messages": 3})) == "Messages purged (3)"
    assert case_label(case(kind=CaseKind.PURGE, details={"purge": 12})) == "Messages purged (12)"
    assert case_label(case(kind=CaseKind.PURGE)) == "Messages purged"
    assert case_label(case(kind=CaseKind.WARN, details={"messages": 3})) == "Warning"


def test_the_action_ladder_runs_lightest_first_and_covers_every_kind_once():
    assert ACTION_LADDER == (CaseKind.NOTE, CaseKind.WARN, CaseKind.HIDE, CaseKind.PURGE, CaseKind.SLOWMODE,
                             CaseKind.COOLDOWN, CaseKind.KICK, CaseKind.BAN)
    assert sorted(ACTION_LADDER + OTHER_RECORDS) == sorted(CaseKind)
    assert {CaseKind.WARN, CaseKind.PURGE} <= APPEALABLE_KINDS
