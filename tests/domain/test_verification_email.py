"""The e-mail binding rules: allow-listed domains and six-digit codes (hashed, expiring, locked after wrong tries)."""

from datetime import UTC, datetime, timedelta

import pytest

from primum.domain.verification_email import CodeOutcome, CodeState, check_code, code_digest, domain_allowed

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("address", "allowed"),
    [("a@mayo.edu", True), ("a@MAYO.EDU", True), ("a@med.mayo.edu", True), ("a@notmayo.edu", False),
     ("a@mayo.edu.evil.com", False), ("mayo.edu", False), ("a@b@mayo.edu", False)],
)
def test_email_domains(address: str, allowed: bool) -> None:
    assert domain_allowed(address, ("mayo.edu", "jhmi.edu")) is allowed


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


@pytest.mark.parametrize("typed", ["123456\u200b", "\u00a0123\u00a0456", "１２３４５６", "123\u2013456", " 123-456\n"])
def test_a_code_pasted_from_an_email_or_typed_on_a_phone_is_the_same_code(typed: str) -> None:
    state = CodeState(code_digest("123456", "salt"), NOW + timedelta(minutes=15))
    check = check_code(state, typed, NOW, 3)
    assert check.outcome is CodeOutcome.OK  # not a wrong try that counts towards the lock
