"""Six-digit verification codes sent by e-mail (the optional identity binding).

A code proves the member reads mail at an institutional address on the guild's allow-list, which
an NPI alone (public) cannot. Only a keyed hash of the code is stored (``primum.domain.verification
.check_code``), never the code, and the address itself is not stored: only its domain.

Mail goes out through stdlib ``smtplib`` in a worker thread, so the event loop never blocks.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from primum.settings import SmtpSettings

log = logging.getLogger(__name__)

CODE_DIGITS = 6


def generate_code() -> str:
    """A uniformly random six-digit code (leading zeros kept)."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


class EmailError(RuntimeError):
    """The code could not be sent; the message is safe to show moderators (no secrets)."""


@dataclass(frozen=True)
class CodeMail:
    """One code message."""

    to: str
    code: str
    server_name: str
    minutes: int


class CodeSender(Protocol):
    """Anything that can deliver a code (SMTP in production; tests may record instead)."""

    @property
    def configured(self) -> bool:
        """Whether sending is possible at all."""
        ...

    async def send(self, mail: CodeMail) -> None:
        """Deliver the code or raise ``EmailError``."""
        ...


def compose(mail: CodeMail, sender: str) -> EmailMessage:
    """The plain-text message with the code."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = f"Your verification code for {mail.server_name}: {mail.code}"
    message.set_content(
        f"Your code is {mail.code}.\n\n"
        f"Type it in Discord to confirm that you read mail at this address. It expires in {mail.minutes} "
        "minutes.\n\nIf you did not ask for it, ignore this message; nothing happens without the code.\n"
        "-- Primum (physician verification)\n"
    )
    return message


class SmtpCodeSender:
    """Sends codes with the SMTP settings from ``.env`` (``SMTP_HOST``, ``SMTP_PORT``, ...)."""

    def __init__(self, settings: SmtpSettings, *, timeout_s: float = 15.0) -> None:
        self._settings = settings
        self._timeout_s = timeout_s

    @property
    def configured(self) -> bool:
        """Whether a host and a sender address are set."""
        return bool(self._settings.host and self._settings.sender)

    async def send(self, mail: CodeMail) -> None:
        """Send in a worker thread; raise ``EmailError`` with a short reason on failure."""
        if not self.configured:
            raise EmailError("e-mail is not configured (SMTP_HOST and SMTP_FROM in .env)")
        message = compose(mail, self._settings.sender)
        try:
            await asyncio.to_thread(self._send_blocking, message)
        except (smtplib.SMTPException, OSError) as error:
            log.warning("sending a verification code failed: %s", type(error).__name__)
            raise EmailError(f"the mail server refused or could not be reached ({type(error).__name__})") from error

    def _send_blocking(self, message: EmailMessage) -> None:
        settings = self._settings
        with smtplib.SMTP(settings.host, settings.port, timeout=self._timeout_s) as client:
            client.ehlo()
            if settings.starttls:
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if settings.username:
                client.login(settings.username, settings.password)
            client.send_message(message)
