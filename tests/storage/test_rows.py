"""The one row mapper: a stored row becomes a record by each field's declared type."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from primum.domain.appeals import Appeal, AppealStatus
from primum.domain.cases import Case, CaseKind, CaseStatus
from primum.storage.rows import record_from_row

WHEN = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Sample:
    id: int
    kind: CaseKind
    flag: bool
    at: datetime
    later: datetime | None
    details: Mapping[str, Any]
    note: str | None


def test_each_field_is_converted_by_its_type():
    row = {"id": 7, "kind": "warn", "flag": 1, "at": WHEN.isoformat(), "later": None, "details": '{"a": [1, 2]}',
           "note": None}
    assert record_from_row(Sample, row) == Sample(7, CaseKind.WARN, True, WHEN, None, {"a": [1, 2]}, None)


def test_a_case_row_round_trips_like_the_hand_written_mapper_did():
    row = {"id": 3, "guild_id": 10, "kind": "purge", "target_id": None, "actor_id": 1, "reason": "spam burst",
           "evidence_url": None, "duration_s": None, "details": '{"messages": 3}', "status": "active", "conflict": 0,
           "amends_id": None, "root_id": None, "created_at": WHEN.isoformat(), "row_hash": "ignored"}
    case = record_from_row(Case, row)
    assert case == Case(3, 10, CaseKind.PURGE, None, 1, "spam burst", None, None, {"messages": 3},
                        CaseStatus.ACTIVE, False, None, None, WHEN)
    assert case.conflict is False and case.created_at.tzinfo is not None


def test_renamed_columns_and_a_bad_value_are_not_silently_accepted():
    row = {"ident": 1, "kind": "warn", "flag": 0, "at": WHEN.isoformat(), "later": WHEN.isoformat(),
           "details": "{}", "note": "x"}
    assert record_from_row(Sample, row, rename={"id": "ident"}).later == WHEN
    with pytest.raises(ValueError, match="mystery"):
        record_from_row(Sample, {**row, "id": 1, "kind": "mystery"})
    with pytest.raises(TypeError, match="not a dataclass"):
        record_from_row(dict, row)


def test_optional_times_stay_none_and_enums_are_the_records_own():
    row = {"id": 1, "guild_id": 10, "case_id": 4, "appellant_id": 2, "statement": "please", "reviewer_id": None,
           "status": "open", "created_at": WHEN.isoformat(), "remind_at": WHEN.isoformat(), "reminded_at": None,
           "decided_by": None, "decided_at": None, "decision_reason": None, "decision_case_id": None,
           "review_channel_id": None, "review_message_id": None}
    appeal = record_from_row(Appeal, row)
    assert appeal.status is AppealStatus.OPEN and appeal.reminded_at is None and appeal.remind_at == WHEN
