"""Identity binding by a code sent to an institutional e-mail address (a guild option).

Only a keyed hash of the code is stored, with its expiry and the wrong tries; the address itself is
never kept (only its domain). Events: ``verification_code_sent`` and ``verification_code_checked``.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from primum.domain.verification import RequestStatus
from primum.domain.verification_email import (
    CodeOutcome,
    CodeState,
    check_code,
    code_digest,
    domain_allowed,
    email_domain,
)
from primum.integrations.email_code import CodeMail, CodeSender, EmailError, generate_code
from primum.runtime.clock import Clock
from primum.runtime.events import EventSink
from primum.storage.verification import StoredRequest, VerificationRepository

log = logging.getLogger(__name__)

#: Codes one request may have sent (each allows ``code_attempts`` tries).
MAX_CODE_SENDS = 3


class EmailOutcome(StrEnum):
    """What happened to an e-mail binding step."""

    SENT = "sent"
    CONFIRMED = "confirmed"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"
    NOT_ALLOWED = "not_allowed"
    NOT_CONFIGURED = "not_configured"
    FAILED = "failed"
    NO_REQUEST = "no_request"
    TOO_MANY = "too_many"


@dataclass(frozen=True)
class EmailResult:
    """An e-mail step's outcome and the member-facing message."""

    outcome: EmailOutcome
    message: str
    request: StoredRequest | None = None


class EmailBinding:
    """The e-mail code step of a request (``awaiting_code`` until the right code is typed)."""

    def __init__(self, repo: VerificationRepository, mail: CodeSender, clock: Clock, events: EventSink,
                 server_names: dict[int, str]) -> None:
        self._repo = repo
        self._mail = mail
        self._clock = clock
        self._events = events
        self._server_names = server_names

    async def send_code(self, guild_id: int, user_id: int, address: str) -> EmailResult:
        """Send a six-digit code to an allow-listed institutional address."""
        now = self._clock.now()
        config = await self._repo.config(guild_id)
        request = await self._repo.latest_for_member(guild_id, user_id, [RequestStatus.AWAITING_CODE])
        if request is None:
            return EmailResult(EmailOutcome.NO_REQUEST, "There is no verification request waiting for a code; "
                                                        "press Verify to start.")
        domain = email_domain(address)
        if domain is None or not domain_allowed(address, config.email_domains):
            allowed = ", ".join(config.email_domains) or "none configured yet"
            return EmailResult(EmailOutcome.NOT_ALLOWED, "That address is not on this server's list of "
                                                         f"institutional domains ({allowed}).", request)
        if not self._mail.configured:
            log.warning("guild %s uses e-mail binding but SMTP is not configured", guild_id)
            return EmailResult(EmailOutcome.NOT_CONFIGURED, "E-mail codes are not set up on this server yet; "
                                                            "a moderator will review your request instead.", request)
        if request.code_sends >= MAX_CODE_SENDS:
            return EmailResult(EmailOutcome.TOO_MANY, "Too many codes were sent for this request; please ask a "
                                                      "moderator for help.", request)
        code = generate_code()
        state = CodeState(code_digest(code, secrets.token_hex(8)), now + timedelta(minutes=config.code_minutes))
        await self._repo.set_code(request.id, state, now, email_domain=domain, sent=True)
        try:
            await self._mail.send(CodeMail(address.strip(), code, self._server_names.get(guild_id, "the server"),
                                           config.code_minutes))
        except EmailError as error:
            await self._repo.set_code(request.id, None, now)
            return EmailResult(EmailOutcome.FAILED, f"I could not send the code: {error}. Please try again later.",
                               request)
        self._events.emit("verification_code_sent", guild_id=guild_id, user_id=user_id, request_id=request.id,
                          domain=domain)
        return EmailResult(EmailOutcome.SENT, f"I sent a six-digit code to your address at {domain}. It expires "
                                              f"in {config.code_minutes} minutes; press **Enter code**.", request)

    async def confirm_code(self, guild_id: int, user_id: int, typed: str) -> EmailResult:
        """Check a typed code; the right one moves the request into the review queue."""
        now = self._clock.now()
        config = await self._repo.config(guild_id)
        request = await self._repo.latest_for_member(guild_id, user_id, [RequestStatus.AWAITING_CODE])
        if request is None:
            return EmailResult(EmailOutcome.NO_REQUEST, "There is no verification request waiting for a code.")
        checked = check_code(request.code, typed, now, config.code_attempts)
        messages = {
            CodeOutcome.NONE: (EmailOutcome.NO_REQUEST, "No code was sent yet; press **Email me a code** first."),
            CodeOutcome.EXPIRED: (EmailOutcome.EXPIRED, "That code has expired; press **Email me a code** for a "
                                                        "new one."),
            CodeOutcome.LOCKED: (EmailOutcome.LOCKED, "Too many wrong codes. Press **Email me a code** for a new "
                                                      "one, or ask a moderator."),
            CodeOutcome.WRONG: (EmailOutcome.WRONG, f"That code is not right; {checked.remaining} tries left."),
        }
        if checked.outcome is CodeOutcome.OK:
            confirmed = await self._repo.confirm_email(request.id, now)
            outcome = EmailOutcome.CONFIRMED if confirmed else EmailOutcome.NO_REQUEST
            message = ("Your e-mail address is confirmed. Your request is now with the moderators; you will hear "
                       "from me by DM when they have decided.") if confirmed else "This request was already closed."
        else:
            if checked.outcome in {CodeOutcome.WRONG, CodeOutcome.EXPIRED, CodeOutcome.LOCKED} and \
                    checked.state != request.code:
                await self._repo.set_code(request.id, checked.state, now)
            outcome, message = messages[checked.outcome]
        self._events.emit("verification_code_checked", guild_id=guild_id, user_id=user_id, request_id=request.id,
                          outcome=outcome.value)
        return EmailResult(outcome, message, await self._repo.get(request.id))
