"""Pure verification rules: registry eligibility, review refusals, codes, limits and config."""

from datetime import UTC, datetime, timedelta

import pytest

from primum.domain.name_match import RegistryName
from primum.domain.verification import (
    CodeOutcome,
    CodeState,
    Eligibility,
    Ineligible,
    Lookup,
    LookupStatus,
    RegistryRecord,
    RequestStatus,
    ResidentPolicy,
    ReviewAction,
    Taxonomy,
    VerificationConfig,
    assess,
    attempt_allowed,
    check_code,
    code_digest,
    domain_allowed,
    parse_domain_list,
    recheck_due,
    review_refusal,
)

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
IM = Taxonomy("207R00000X", "Internal Medicine", True)
PSYCH = Taxonomy("2084P0800X", "Psychiatry", False)
TRAINEE = Taxonomy("390200000X", "Student", False)
NP = Taxonomy("363L00000X", "Nurse Practitioner", True)
DENTIST = Taxonomy("1223G0001X", "Dentist", True)


def _found(*taxonomies: Taxonomy, kind: str = "NPI-1", status: str = "A") -> Lookup:
    record = RegistryRecord("1234567893", kind, status, RegistryName("A", "B"), taxonomies=taxonomies)
    return Lookup(LookupStatus.FOUND, record)


@pytest.mark.parametrize(
    ("lookup", "policy", "eligibility", "reason", "code"),
    [
        (_found(IM), ResidentPolicy.ACCEPT, Eligibility.PHYSICIAN, None, "207R00000X"),
        (_found(NP, PSYCH), ResidentPolicy.ACCEPT, Eligibility.PHYSICIAN, None, "2084P0800X"),  # not primary
        (_found(TRAINEE, IM), ResidentPolicy.REJECT, Eligibility.PHYSICIAN, None, "207R00000X"),
        (_found(TRAINEE), ResidentPolicy.ACCEPT, Eligibility.RESIDENT, None, "390200000X"),
        (_found(TRAINEE), ResidentPolicy.REJECT, Eligibility.INELIGIBLE, Ineligible.RESIDENT_NOT_ACCEPTED, None),
        (_found(NP), ResidentPolicy.ACCEPT, Eligibility.INELIGIBLE, Ineligible.NOT_PHYSICIAN, None),
        (_found(DENTIST), ResidentPolicy.ACCEPT, Eligibility.INELIGIBLE, Ineligible.NOT_PHYSICIAN, None),
        (_found(), ResidentPolicy.ACCEPT, Eligibility.INELIGIBLE, Ineligible.NOT_PHYSICIAN, None),
        (_found(IM, kind="NPI-2"), ResidentPolicy.ACCEPT, Eligibility.INELIGIBLE, Ineligible.ORGANIZATION, None),
        (_found(IM, status="D"), ResidentPolicy.ACCEPT, Eligibility.INELIGIBLE, Ineligible.INACTIVE, None),
        (Lookup(LookupStatus.NOT_FOUND), ResidentPolicy.ACCEPT, Eligibility.INELIGIBLE, Ineligible.NOT_FOUND, None),
        (Lookup(LookupStatus.DEACTIVATED), ResidentPolicy.ACCEPT, Eligibility.INELIGIBLE, Ineligible.DEACTIVATED,
         None),
        (Lookup(LookupStatus.UNAVAILABLE), ResidentPolicy.ACCEPT, Eligibility.UNKNOWN, None, None),
    ],
)
def test_assess_table(lookup: Lookup, policy: ResidentPolicy, eligibility: Eligibility,
                      reason: Ineligible | None, code: str | None) -> None:
    result = assess(lookup, policy)
    assert result.eligibility is eligibility and result.reason is reason
    if code is not None:
        assert result.taxonomy is not None and result.taxonomy.code == code
    assert bool(result.message) is (reason is not None)


@pytest.mark.parametrize(
    ("code", "physician"),
    [("207Q00000X", True), ("208600000X", True), ("2084P0800X", True), ("208M00000X", True),
     ("207X00000X", True), ("363A00000X", False), ("122300000X", False), ("390200000X", False),
     ("207", False), ("2071", False)],
)
def test_physician_taxonomy_codes(code: str, physician: bool) -> None:
    assert Taxonomy(code).is_physician is physician


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


def test_codes() -> None:
    state = CodeState(code_digest("123456", "salt"), NOW + timedelta(minutes=15))
    assert "123456" not in state.digest
    assert check_code(state, "123 456", NOW, 3).outcome is CodeOutcome.OK
    wrong = check_code(state, "654321", NOW, 3)
    assert wrong.outcome is CodeOutcome.WRONG and wrong.remaining == 2 and wrong.state is not None
    assert check_code(state, "123456", NOW + timedelta(minutes=15), 3).outcome is CodeOutcome.EXPIRED
    locked = CodeState(state.digest, state.expires_at, attempts=3)
    assert check_code(locked, "123456", NOW, 3).outcome is CodeOutcome.LOCKED
    assert check_code(None, "123456", NOW, 3).outcome is CodeOutcome.NONE
    last = check_code(CodeState(state.digest, state.expires_at, attempts=2), "000000", NOW, 3)
    assert last.outcome is CodeOutcome.LOCKED


def test_attempt_limit_is_a_sliding_window() -> None:
    times = [NOW - timedelta(hours=h) for h in (30, 20, 10, 1)]
    assert attempt_allowed(times, NOW, limit=4).allowed
    decision = attempt_allowed(times, NOW, limit=3)
    assert not decision.allowed and decision.retry_at == NOW - timedelta(hours=20) + timedelta(hours=24)


def test_recheck_due() -> None:
    assert not recheck_due(None, NOW, NOW + timedelta(days=29), timedelta(days=30))
    assert recheck_due(None, NOW, NOW + timedelta(days=30), timedelta(days=30))
    assert not recheck_due(NOW + timedelta(days=30), NOW, NOW + timedelta(days=31), timedelta(days=30))


@pytest.mark.parametrize(
    ("address", "allowed"),
    [("a@mayo.edu", True), ("a@MAYO.EDU", True), ("a@med.mayo.edu", True), ("a@notmayo.edu", False),
     ("a@mayo.edu.evil.com", False), ("mayo.edu", False), ("a@b@mayo.edu", False)],
)
def test_email_domains(address: str, allowed: bool) -> None:
    assert domain_allowed(address, ("mayo.edu", "jhmi.edu")) is allowed


def test_config_parsing_is_forgiving_and_validated() -> None:
    assert parse_domain_list("Mayo.edu, @jhmi.edu  bogus;stanford.edu") == ("mayo.edu", "jhmi.edu", "stanford.edu")
    config = VerificationConfig.from_mapping({"residents": "nonsense", "recheck_days": 0, "review_channel_id": "12",
                                              "email_domains": ["@X.org"], "unknown": 1})
    assert config.residents is ResidentPolicy.ACCEPT and config.recheck_days == 30
    assert config.review_channel_id == 12 and config.email_domains == ("x.org",)
    assert VerificationConfig.from_mapping(config.to_mapping()) == config
    assert config.with_changes(recheck_days=90).recheck_interval == timedelta(days=90)
