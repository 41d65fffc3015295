"""Logging configured once, in the entry point; libraries only get module loggers."""

from __future__ import annotations

import logging
import re

_TOKEN_PATTERN = re.compile(r"[A-Za-z\d_-]{23,28}\.[A-Za-z\d_-]{6,7}\.[A-Za-z\d_-]{27,40}")


class RedactTokens(logging.Filter):
    """Blank anything shaped like a Discord bot token, whatever logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the formatted message with tokens removed."""
        message = record.getMessage()
        if _TOKEN_PATTERN.search(message):
            record.msg = _TOKEN_PATTERN.sub("[token redacted]", message)
            record.args = None
        return True


def setup_logging(level: str = "INFO") -> None:
    """Stream handler with token redaction; discord.http is kept at WARNING."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("discord.http").setLevel(logging.WARNING)
    logging.getLogger("discord.gateway").setLevel(logging.WARNING)
