"""Identity binding by an institutional e-mail: allow-listed domains and six-digit codes.

Pure. Only a keyed hash of a code is stored (``code_digest``), with its expiry and the wrong tries;
``check_code`` compares a typed code in constant time and locks after too many wrong ones.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from primum.domain.typed_digits import plain_digits


# --- allow-listed domains ---------------------------------------------------------------------------
def normalize_domains(domains: Iterable[Any]) -> tuple[str, ...]:
    """Lower-case, de-duplicated e-mail domains without a leading ``@``; junk entries dropped."""
    seen: list[str] = []
    for raw in domains:
        domain = str(raw).strip().lower().lstrip("@").rstrip(".")
        if re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", domain) and domain not in seen:
            seen.append(domain)
    return tuple(seen)


def parse_domain_list(text: str) -> tuple[str, ...]:
    """Domains typed as ``mayo.edu, @jhmi.edu stanford.edu``."""
    return normalize_domains(re.split(r"[\s,;]+", text))


EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)$")


def email_domain(address: str) -> str | None:
    """The lower-case domain of a plausible e-mail address, or None."""
    match = EMAIL.match(address.strip())
    return match.group(1).lower() if match else None


def domain_allowed(address: str, allowed: Sequence[str]) -> bool:
    """Whether the address is on an allow-listed domain or one of its subdomains."""
    domain = email_domain(address)
    if domain is None:
        return False
    return any(domain == item or domain.endswith("." + item) for item in allowed)


# --- e-mail codes ----------------------------------------------------------------------------------
class CodeOutcome(StrEnum):
    """The result of typing an e-mail code."""

    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"  # too many wrong tries
    NONE = "none"  # no code was sent


@dataclass(frozen=True)
class CodeState:
    """What is stored about a sent code: a keyed hash, its expiry and the wrong tries so far."""

    digest: str
    expires_at: datetime
    attempts: int = 0


@dataclass(frozen=True)
class CodeCheck:
    """The outcome and the new state to store (None: clear the code)."""

    outcome: CodeOutcome
    state: CodeState | None
    remaining: int = 0


def code_digest(code: str, salt: str) -> str:
    """``salt$hmac`` of a code, so the database never holds the code itself."""
    mac = hmac.new(salt.encode(), code.strip().encode(), hashlib.sha256).hexdigest()
    return f"{salt}${mac}"


def check_code(state: CodeState | None, typed: str, now: datetime, max_attempts: int) -> CodeCheck:
    """Compare a typed code with the stored state; count wrong tries and lock after ``max_attempts``."""
    if state is None:
        return CodeCheck(CodeOutcome.NONE, None)
    if state.attempts >= max_attempts:
        return CodeCheck(CodeOutcome.LOCKED, state)
    if now >= state.expires_at:
        return CodeCheck(CodeOutcome.EXPIRED, None)
    salt = state.digest.split("$", 1)[0]
    cleaned = plain_digits(typed)
    if hmac.compare_digest(code_digest(cleaned, salt), state.digest):
        return CodeCheck(CodeOutcome.OK, None)
    after = replace(state, attempts=state.attempts + 1)
    remaining = max(max_attempts - after.attempts, 0)
    return CodeCheck(CodeOutcome.LOCKED if remaining == 0 else CodeOutcome.WRONG, after, remaining)
