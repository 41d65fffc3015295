"""Logging never carries a bot token, whatever logged it."""

import logging

from primum.runtime.logging_setup import RedactTokens

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


def test_interaction_token_urls_are_redacted() -> None:
    token = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDpzZWNyZXQtdG9rZW4"
    record = logging.LogRecord("discord.webhook.async_", logging.WARNING, __file__, 1,
                               "POST https://discord.com/api/v10/webhooks/123456/%s/messages failed", (token,), None)
    assert RedactTokens().filter(record)
    assert token not in record.getMessage() and "/webhooks/123456/[token redacted]" in record.getMessage()


def test_library_loggers_stay_above_debug_whatever_the_level() -> None:
    from primum.runtime.logging_setup import QUIET_LOGGERS, DropLibraryDebug, setup_logging

    root = logging.getLogger()
    saved = (root.handlers[:], root.level, {name: logging.getLogger(name).level for name in QUIET_LOGGERS})
    try:
        handler = setup_logging("DEBUG")
        assert logging.getLogger("aiosqlite").getEffectiveLevel() == logging.INFO
        assert logging.getLogger("discord.webhook.async_").getEffectiveLevel() == logging.INFO
        assert logging.getLogger("discord.http").getEffectiveLevel() == logging.WARNING
        setup_logging("ERROR")
        assert logging.getLogger("aiosqlite").getEffectiveLevel() == logging.ERROR  # never below the root
        lowered = logging.LogRecord("aiosqlite", logging.DEBUG, __file__, 1, "executing %s", ("params",), None)
        assert not DropLibraryDebug().filter(lowered)  # even if someone lowers the level again
        assert any(isinstance(f, DropLibraryDebug) for f in handler.filters)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        for name, level in saved[2].items():
            logging.getLogger(name).setLevel(level)
