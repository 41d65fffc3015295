"""The conversation-level policy end to end: real discord.py, every cog, the local Discord, the FakeScorer.

A lone rude member and a civil partner (no sanction for anyone), a cooldown only after a read
nudge's grace period (with its DM: reason, case number, /appeal), a threat alerted with hiding
off, observe mode with Correct / Wrong buttons, and a new server's trial period.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from primum.demo.stack import Stack

pytestmark = pytest.mark.e2e

OWNER = "Dr. Priya Raman"


def doctors(stack: Stack) -> tuple[int, int]:
    ids = stack.seeded.physician_ids
    return ids[0], ids[1]


async def slash(stack: Stack, user_id: int, command: str, **options: Any) -> str:
    """Run a slash command; the text of the bot's answer (its follow-up when it deferred first)."""
    record = stack.server.invoke_slash(user_id, command, options, channel_id=stack.seeded.general)
    await stack.server.wait_interaction_response(record)
    if record.response_type == 5:

        def answer() -> str | None:
            for message_id in [*record.followup_ids, record.original_message_id]:
                message = stack.server.world.messages.get(message_id) if message_id else None
                if message is not None and message.content:
                    return message.content
            return None

        return await stack.server.wait_for(answer, 5.0, what=f"the answer to interaction {record.id}")
    assert record.response is not None
    return str(record.response.data.get("content", ""))


async def event(stack: Stack, type_: str, count: int = 1, timeout: float = 5.0, **match: Any) -> dict[str, Any]:  # noqa: ASYNC109
    def found() -> list[dict[str, Any]]:
        return [e for e in stack.events.of_type(type_) if all(e.get(k) == v for k, v in match.items())]

    await stack.server.wait_for(lambda: len(found()) >= count, timeout, what=f"{type_} {match}")
    return found()[count - 1]


async def scored(stack: Stack, count: int) -> None:
    service = stack.bot.get_cog("BeKind").service  # type: ignore[union-attr]
    await stack.server.wait_for(lambda: service.scored_count >= count, 5, what=f"{count} scored")


async def test_a_lone_rude_member_and_a_civil_partner_get_no_sanction(stack: Stack) -> None:
    a, b = doctors(stack)
    general = stack.seeded.general
    last = None
    for i in range(4):
        last = stack.server.user_says(a, general, "You idiot, read the trial.", reply_to=last).id
        last = stack.server.user_says(b, general, "Let's look at the data together, calmly.", reply_to=last).id
        await scored(stack, 2 * (i + 1))
    await stack.server.wait_for(lambda: stack.server.dms_to(a), 5, what="the nudge")  # a private nudge …
    await asyncio.sleep(0.3)
    assert stack.events.of_type("slowmode") == [] and stack.events.of_type("cooldown") == []  # … and no more
    assert stack.server.timeout_until(a) is None and stack.server.timeout_until(b) is None
    assert stack.server.slowmode(general) == 0 and stack.server.dms_to(b) == []


async def test_cooldown_only_after_the_grace_period_with_a_dm_naming_the_case(stack: Stack) -> None:
    a, b = doctors(stack)
    general = stack.seeded.general
    owner = stack.seeded.owner_id
    for key, value in {"grace_minutes": "0.05", "steps": "notice,cooldown,alert"}.items():
        assert "is now" in await slash(stack, owner, "deescalation config", setting=key, value=value)
    first = stack.server.user_says(b, general, "Only a moron would cite that.")
    second = stack.server.user_says(a, general, "You idiot, read the methods.", reply_to=first.id)
    await stack.server.wait_dm(a)
    third = stack.server.user_says(b, general, "Only a moron would say that.", reply_to=second.id)  # a fight
    fourth = stack.server.user_says(a, general, "You idiot.", reply_to=third.id)  # inside the grace period
    await scored(stack, 4)
    await asyncio.sleep(0.3)
    assert stack.events.of_type("cooldown") == []
    await asyncio.sleep(3.2)  # the grace period (3 s here) runs out; she goes on
    fifth = stack.server.user_says(a, general, "You idiot, again.", reply_to=fourth.id)
    stack.server.user_says(a, general, "Honestly, you idiot.", reply_to=fifth.id)
    cooldown = await event(stack, "cooldown", user_id=a)
    assert cooldown["by"] == "ladder" and stack.server.timeout_until(a) is not None
    notice = await event(stack, "sanction_notice", user_id=a)
    dm = stack.server.dms_to(a)[-1].content
    assert f"case #{notice['case_number']}" in dm and f"/appeal case:{notice['case_number']}" in dm
    assert "grace period" in dm  # the recorded reason
    await asyncio.sleep(0.3)
    assert len(stack.events.of_type("mod_alert")) == 1  # one alert for the incident
    assert stack.server.timeout_until(b) is None


async def test_a_threat_alerts_the_moderators_with_hiding_off(stack: Stack) -> None:
    a, _ = doctors(stack)
    message = stack.server.user_says(a, stack.seeded.general, "Report me again and watch your back.")
    alert = await event(stack, "threat_alert", message_id=message.id)
    assert alert["posted"] is True
    posted = stack.server.bot_messages(stack.seeded.mod_log)[-1].content
    assert "Possible threat" in posted and "watch your back" not in posted
    assert stack.server.world.messages[message.id].deleted is False  # hiding is off: it stays


async def test_observe_mode_reports_with_buttons_and_stores_the_verdict(stack: Stack) -> None:
    a, _ = doctors(stack)
    owner = stack.seeded.owner_id
    answer = await slash(stack, owner, "kind-settings observe", mode="on")
    assert "only reports" in answer
    stack.server.user_says(a, stack.seeded.general, "Did they even teach you pharmacology?")
    report = await event(stack, "observe_report")
    assert report["action"] == "nudge" and report["posted"] is True
    await asyncio.sleep(0.3)
    assert stack.server.dms_to(a) == []  # nothing happened to the member
    post = stack.server.bot_messages(stack.seeded.mod_log)[-1]
    assert "Observe mode" in post.content and "pharmacology" not in post.content
    moderator = next(iter(stack.seeded.moderators.values()))
    click = stack.server.click_button(moderator, post.id, f"primum:observe:wrong:{report['report_id']}")
    await stack.server.wait_interaction_response(click)
    verdict = await event(stack, "observe_verdict")
    assert verdict["verdict"] == "wrong"
    member_click = stack.server.click_button(a, post.id, f"primum:observe:correct:{report['report_id']}")
    await stack.server.wait_interaction_response(member_click)
    await asyncio.sleep(0.2)
    assert len(stack.events.of_type("observe_verdict")) == 1  # members cannot judge


async def test_a_new_server_starts_in_observe_mode_and_the_owner_is_told(stack: Stack) -> None:
    bot = stack.bot
    assert bot is not None
    guild = bot.get_guild(stack.seeded.guild_id)
    bot.dispatch("guild_join", guild)  # what discord.py dispatches when Primum is added to a server
    trial = await event(stack, "observe_trial")
    assert trial["told"] is True
    posted = stack.server.bot_messages(stack.seeded.mod_log)[-1].content
    assert "7 days" in posted and "observe" in posted
    a, _ = doctors(stack)
    stack.server.user_says(a, stack.seeded.general, "you idiot")
    await event(stack, "observe_report")
    assert stack.events.of_type("nudge") == []
