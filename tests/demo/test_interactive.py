"""The interactive demo's command line: options as Discord's box reads them, clear errors (no Discord needed)."""

import pytest

from primum.demo.interactive import parse_command


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


