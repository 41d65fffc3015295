"""Logging never carries a bot token, whatever logged it."""

import logging

from primum.logging_setup import RedactTokens

FAKE_TOKEN = "MTA5ODc2NTQzMjEwOTg3NjU0.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"


def test_token_shaped_strings_are_redacted() -> None:
    record = logging.LogRecord("discord.http", logging.INFO, __file__, 1, "auth with %s failed", (FAKE_TOKEN,), None)
    assert RedactTokens().filter(record)
    assert FAKE_TOKEN not in record.getMessage()
    assert "[token redacted]" in record.getMessage()


def test_ordinary_messages_pass_unchanged() -> None:
    record = logging.LogRecord("primum", logging.INFO, __file__, 1, "scored %d messages", (12,), None)
    assert RedactTokens().filter(record)
    assert record.getMessage() == "scored 12 messages"
