"""The interactive demo's command line and the transcript's text helpers (no Discord needed)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from primum.demo.runner import kept_db_targets, parse_command, readable_timestamps, shorten


def test_options_take_every_word_up_to_the_next_option() -> None:
    assert parse_command("kind test text:you are an idiot") == ("kind test", {"text": "you are an idiot"})
    assert parse_command("cooldown member member:Okafor reason:repeated insults in #general minutes:10") == (
        "cooldown member", {"member": "Okafor", "reason": "repeated insults in #general", "minutes": "10"},
    )


def test_quotes_and_equals_signs_work_as_in_a_shell() -> None:
    assert parse_command('mod note reason="a reason: with a colon" member=Okafor') == (
        "mod note", {"reason": "a reason: with a colon", "member": "Okafor"},
    )
    assert parse_command("status") == ("status", {})


def test_an_unclosed_quote_or_a_missing_name_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="could not read the command"):
        parse_command('kind test text:"unfinished')
    with pytest.raises(ValueError, match="command name"):
        parse_command("text:hello")


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


def test_kept_databases_are_one_file_or_one_per_scenario(tmp_path: Path) -> None:
    assert kept_db_targets(["kindness"], tmp_path / "demo.sqlite3") == {"kindness": tmp_path / "demo.sqlite3"}
    both = kept_db_targets(["kindness", "restart"], tmp_path / "demo")
    folder = tmp_path / "demo"
    assert both == {"kindness": folder / "kindness.sqlite3", "restart": folder / "restart.sqlite3"}
