"""Pure verification rules: review refusals, the attempt limit, re-checks due, and a server's settings."""

from datetime import UTC, datetime, timedelta

import pytest

from primum.domain.verification import (
    RequestStatus,
    ReviewAction,
    VerificationConfig,
    attempt_allowed,
    recheck_due,
    review_refusal,
)
from primum.domain.verification_eligibility import ResidentPolicy
from primum.domain.verification_email import parse_domain_list

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
@pytest.mark.parametrize(
    ("status", "action", "reason", "refused"),
    [
        (RequestStatus.PENDING, ReviewAction.APPROVE, "", False),
        (RequestStatus.MORE_INFO, ReviewAction.APPROVE, "", False),
        (RequestStatus.PENDING, ReviewAction.DENY, "", True),
        (RequestStatus.PENDING, ReviewAction.DENY, "No MD/DO taxonomy", False),
        (RequestStatus.PENDING, ReviewAction.ASK_MORE, " ", True),
        (RequestStatus.AWAITING_CODE, ReviewAction.APPROVE, "", True),
        (RequestStatus.AWAITING_CODE, ReviewAction.DENY, "spam", False),
        (RequestStatus.APPROVED, ReviewAction.DENY, "x", True),
        (RequestStatus.DENIED, ReviewAction.APPROVE, "", True),
        (RequestStatus.SUPERSEDED, ReviewAction.APPROVE, "", True),
    ],
)
def test_review_refusals(status: RequestStatus, action: ReviewAction, reason: str, refused: bool) -> None:
    assert (review_refusal(status, action, reason) is not None) is refused


def test_attempt_limit_is_a_sliding_window() -> None:
    times = [NOW - timedelta(hours=h) for h in (30, 20, 10, 1)]
    assert attempt_allowed(times, NOW, limit=4).allowed
    decision = attempt_allowed(times, NOW, limit=3)
    assert not decision.allowed and decision.retry_at == NOW - timedelta(hours=20) + timedelta(hours=24)


def test_recheck_due() -> None:
    assert not recheck_due(None, NOW, NOW + timedelta(days=29), timedelta(days=30))
    assert recheck_due(None, NOW, NOW + timedelta(days=30), timedelta(days=30))
    assert not recheck_due(NOW + timedelta(days=30), NOW, NOW + timedelta(days=31), timedelta(days=30))


def test_config_parsing_is_forgiving_and_validated() -> None:
    assert parse_domain_list("Mayo.edu, @jhmi.edu  bogus;stanford.edu") == ("mayo.edu", "jhmi.edu", "stanford.edu")
    config = VerificationConfig.from_mapping({"residents": "nonsense", "recheck_days": 0, "review_channel_id": "12",
                                              "email_domains": ["@X.org"], "unknown": 1})
    assert config.residents is ResidentPolicy.ACCEPT and config.recheck_days == 30
    assert config.review_channel_id == 12 and config.email_domains == ("x.org",)
    assert VerificationConfig.from_mapping(config.to_mapping()) == config
    assert config.with_changes(recheck_days=90).recheck_interval == timedelta(days=90)
