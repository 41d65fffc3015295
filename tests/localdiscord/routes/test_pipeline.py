"""The REST pipeline: requests that break Discord's OpenAPI description are refused and recorded."""

from __future__ import annotations

import re

import discord
import pytest
from discord.http import Route

from primum.localdiscord import LocalDiscord, OpenApiSpec, PhysicianServer
from tests.localdiscord.botkit import TinyBot


async def test_openapi_validator_catches_bad_requests(server: LocalDiscord, world: PhysicianServer,
                                                     bot: TinyBot) -> None:
    with pytest.raises(discord.HTTPException) as bad_body:
        await bot.http.request(Route("POST", "/channels/{channel_id}/messages", channel_id=world.general),
                               json={"content": 42, "embeds": "nope"})
    assert bad_body.value.code == 50035
    with pytest.raises(discord.HTTPException):
        await bot.http.request(Route("GET", "/channels/{channel_id}/messages", channel_id=world.general),
                               params={"limit": 500})
    with pytest.raises(discord.HTTPException):
        await bot.http.request(Route("POST", "/channels/{channel_id}/frobnicate", channel_id=world.general))
    problems = [v.problem for v in server.take_spec_violations()]
    assert any("body content" in p for p in problems)
    assert any("body embeds" in p for p in problems)
    assert any("limit" in p for p in problems)
    assert "route is not in Discord's API" in problems


def test_every_route_the_server_answers_is_in_discords_api() -> None:
    spec = OpenApiSpec.load()
    assert spec is not None
    server = LocalDiscord(validate=False)
    missing = []
    for method, template in server.rest.table.routes:
        concrete = re.sub(r"\{[^}]+\}", "1", template)
        found = spec.matcher.match(concrete)
        if found is None or method.lower() not in spec.paths[found[0]]:
            missing.append(f"{method} {template}")
    assert missing == []
    assert len(server.rest.table.routes) >= 40
