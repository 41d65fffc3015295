"""Owners read settings as embeds with names, durations in words and "not set", never raw Python values."""

from __future__ import annotations

from typing import Any

import pytest

from primum.demo.stack import Stack
from primum.domain.ladder_config import CONFIG_KEYS

pytestmark = pytest.mark.e2e

OWNER = "Dr. Priya Raman"
NADIA = "Dr. Nadia Haddad"


async def embed_of(stack: Stack, who: str, command: str, **options: Any) -> dict[str, Any]:
    server = stack.server
    record = server.invoke_slash(stack.seeded.user(who), command, options, channel_id=stack.seeded.general)
    await server.wait_interaction_response(record, 10)
    assert record.response is not None and record.response.ephemeral
    if record.response.type == 5:  # deferred first: the embed comes in the follow-up

        def followup() -> Any:
            for message_id in [*record.followup_ids, record.original_message_id]:
                message = server.world.messages.get(message_id) if message_id else None
                if message is not None and message.embeds:
                    return message
            return None

        await server.wait_for(lambda: followup() is not None, 10, what="the answer")
        embeds = followup().embeds
    else:
        embeds = record.response.embeds
    assert len(embeds) == 1, record.response.data
    return dict(embeds[0])


def fields(embed: dict[str, Any]) -> dict[str, str]:
    return {field["name"]: field["value"] for field in embed["fields"]}


def assert_readable(embed: dict[str, Any]) -> None:
    text = str(embed)
    for raw in ("None", "_id", "True", "False", "[", "datetime"):
        assert raw not in " ".join(f"{k} {v}" for k, v in fields(embed).items()), (raw, text)


async def test_mod_settings_show_names_channels_and_says_not_set(stack: Stack) -> None:
    review = stack.seeded.review_queue
    record = stack.server.invoke_slash(stack.seeded.user(OWNER), "mod-settings set",
                                       {"review_channel": review, "conflict_window_minutes": 90},
                                       channel_id=stack.seeded.general)
    await stack.server.wait_interaction_response(record, 10)
    if record.response.type == 5:  # deferred: wait until the change is saved and answered
        await stack.server.wait_for(lambda: record.followup_ids or (
            record.original_message_id and stack.server.world.messages[record.original_message_id].content), 10,
            what="the answer to /mod-settings set")
    embed = await embed_of(stack, OWNER, "mod-settings show")
    shown = fields(embed)
    assert embed["title"] == "Moderation settings"
    assert shown["Review channel"] == f"<#{review}> (changed)"
    assert shown["Transparency channel"] == "not set"
    assert shown["Conflict window"] == "1 hour 30 minutes (changed)"
    assert shown["Appeal reminder"] == "3 days"
    assert shown["Two moderator rule"] == "on"
    assert_readable(embed)


async def test_deescalation_show_explains_each_setting(stack: Stack) -> None:
    embed = await embed_of(stack, OWNER, "deescalation show")
    shown = fields(embed)
    assert shown["Slowmode lasts"].startswith("10 minutes\n-# `slowmode_minutes` · ")
    assert shown["Steps in use"].startswith("notice, slowmode, thread, cooldown, alert")
    assert shown["Enabled"].startswith("on")
    assert "#mod-alerts" in embed["description"]
    assert len(shown) == len(CONFIG_KEYS) and "More" not in shown  # every setting shown, none cut off
    assert_readable(embed)


async def test_kind_settings_show_uses_words(stack: Stack) -> None:
    embed = await embed_of(stack, OWNER, "kind-settings show")
    shown = fields(embed)
    assert shown["Nudge window"] == "one nudge per author per 10 minutes"
    assert shown["Outcome window"] == "an edit counts for 30 minutes"
    assert shown["Exempt channels"] == "none" and shown["Text in the mod-log"] == "off"
    assert_readable(embed)
