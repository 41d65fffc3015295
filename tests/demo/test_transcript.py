"""The transcript's text helpers: long messages cut at a word, Discord timestamps as times (no Discord needed)."""

from datetime import UTC, datetime

from primum.demo.transcript import readable_timestamps, shorten


def test_long_bot_messages_are_cut_at_a_word_with_an_ellipsis() -> None:
    text = "Your message may read as belittling to colleagues. " * 20
    short = shorten(text, 120)
    assert len(short) <= 120 and short.endswith(" …")
    assert text.startswith(short.removesuffix(" …"))
    kept_words = short.removesuffix(" …").split()
    assert all(word in text.split() for word in kept_words)  # no word cut in half
    assert shorten("short text", 120) == "short text"


def test_discord_timestamps_read_as_times() -> None:
    moment = int(datetime(2026, 12, 6, 3, 4, 5, tzinfo=UTC).timestamp())
    assert readable_timestamps(f"until <t:{moment}:f>.") == "until 03:04:05 UTC."
    now = datetime(2026, 12, 6, 3, 4, 0, tzinfo=UTC)
    assert readable_timestamps(f"ends <t:{moment}:R>", now) == "ends in 5 s"
    assert readable_timestamps(f"began <t:{moment}:R>", now.replace(minute=5)) == "began 55 s ago"


