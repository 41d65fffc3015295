"""The OpenAPI validator on its own: route precedence, leniencies, and running without the spec."""

from __future__ import annotations

import logging

import pytest

from primum.localdiscord import LocalDiscord, OpenApiSpec
from primum.localdiscord.spec import PathMatcher


def test_literal_segments_win_over_parameters() -> None:
    matcher = PathMatcher(["/guilds/{guild_id}/members/{user_id}", "/guilds/{guild_id}/members/@me",
                           "/webhooks/{a}/{b}/messages/{message_id}", "/webhooks/{a}/{b}/messages/@original"])
    assert matcher.match("/guilds/1/members/@me") == ("/guilds/{guild_id}/members/@me", {"guild_id": "1"})
    assert matcher.match("/guilds/1/members/2")[0] == "/guilds/{guild_id}/members/{user_id}"  # type: ignore[index]
    assert matcher.match("/webhooks/1/t/messages/@original")[0].endswith("@original")  # type: ignore[index]
    assert matcher.match("/nothing/here") is None


def test_spec_checks() -> None:
    spec = OpenApiSpec.load()
    assert spec is not None
    ok = spec.check("POST", "/channels/1/messages", {}, {"content": "hi", "message_reference": {"message_id": 5}},
                    True)
    assert ok == ("/channels/{channel_id}/messages", [])  # integer snowflakes are accepted, as by Discord
    _, problems = spec.check("PUT", "/guilds/1/bans/2", {"delete_message_seconds": "999999999"}, None, False)
    assert problems and "delete_message_seconds" in problems[0]
    _, problems = spec.check("GET", "/channels/1/messages", {"bogus": "1"}, None, False)
    assert problems == ["unknown query parameter 'bogus'"]
    _, problems = spec.check("DELETE", "/gateway", {}, None, False)
    assert problems == ["method DELETE is not defined for /gateway"]


def test_missing_spec_disables_validation(tmp_path: object, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        server = LocalDiscord(spec_path="/nonexistent/openapi.json")
    assert server.spec is None and "validation is disabled" in caplog.text
    with pytest.raises(FileNotFoundError):
        LocalDiscord(spec_path="/nonexistent/openapi.json", validate=True)
