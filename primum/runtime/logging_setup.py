"""Logging configured once, in the entry point; libraries only get module loggers.

Whatever ``LOG_LEVEL`` says, nothing Primum logs may carry message text, appeal statements, NPIs
or tokens. Two libraries would at DEBUG: aiosqlite logs every call with its SQL parameters, and
discord.py's HTTP and webhook loggers log request bodies and interaction-token URLs. Those
loggers are pinned above DEBUG here, and the handler also drops their DEBUG records and blanks
anything shaped like a bot token or an interaction-webhook URL, in case a level is lowered later.
"""

from __future__ import annotations

import logging
import re
from typing import TextIO

_TOKEN_PATTERN = re.compile(r"[A-Za-z\d_-]{23,28}\.[A-Za-z\d_-]{6,7}\.[A-Za-z\d_-]{27,40}")
#: An interaction token travels in webhook/callback URLs: /webhooks/<app id>/<token>, /interactions/<id>/<token>.
_URL_TOKEN_PATTERN = re.compile(r"(/(?:webhooks|interactions)/\d+/)[A-Za-z\d_.-]{20,}")

#: Loggers that put payloads or URLs with tokens into DEBUG records, and the least level they get.
QUIET_LOGGERS: dict[str, int] = {
    "aiosqlite": logging.INFO,  # "executing <partial(execute, sql, params)>": the parameters
    "discord.http": logging.WARNING,  # request bodies (message text) and interaction-token URLs
    "discord.webhook": logging.INFO,  # interaction follow-ups: token URLs and bodies
    "discord.gateway": logging.WARNING,  # raw gateway payloads
}


class RedactTokens(logging.Filter):
    """Blank anything shaped like a Discord bot token or an interaction-token URL, whatever logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the formatted message with tokens removed."""
        message = record.getMessage()
        cleaned = _URL_TOKEN_PATTERN.sub(r"\1[token redacted]", _TOKEN_PATTERN.sub("[token redacted]", message))
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


class DropLibraryDebug(logging.Filter):
    """Drop DEBUG records of the :data:`QUIET_LOGGERS` even if someone lowered their level."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a quiet logger's record below its pinned level."""
        for name, least in QUIET_LOGGERS.items():
            if (record.name == name or record.name.startswith(name + ".")) and record.levelno < least:
                return False
        return True


def setup_logging(level: str = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """One stream handler (stderr by default) with the filters above; returns it."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(DropLibraryDebug())
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, least in QUIET_LOGGERS.items():
        # A child logger's own level decides for its records, so never set it below the root's.
        logging.getLogger(name).setLevel(max(least, root.level))
    return handler
