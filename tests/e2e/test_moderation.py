"""Accountable moderation end to end: real discord.py against the local Discord.

Hide with a reason -> /standing -> /appeal -> an uninvolved moderator overturns (buttons + form);
the two-moderator rule for removing a verified physician; permissions for members, moderators and
owners; the conflict-of-interest mark; the transparency channel; restart-safe appeal reminders;
other features' actions arriving through ``bot.dispatch("primum_action", ...)``.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from primum.demo.stack import Stack
from primum.domain.cases import ActionRecord
from primum.localdiscord.errors import ControlError
from primum.localdiscord.ids import Perm
from primum.reporting.weekly import CHART_FILES
from primum.runtime.clock import FakeClock

pytestmark = pytest.mark.e2e

NADIA, MARCUS, OWNER = "Dr. Nadia Haddad", "Dr. Marcus Reid", "Dr. Priya Raman"
AMARA, RAJ = "Dr. Amara Okafor", "Dr. Rajesh Patel"


def uid(stack: Stack, name: str) -> int:
    return stack.seeded.user(name)


async def answer(stack: Stack, record: Any, timeout: float = 5.0) -> str:  # noqa: ASYNC109
    """The text the invoker finally saw (the initial response, or the follow-up after a deferral)."""
    server = stack.server
    await server.wait_interaction_response(record, timeout)

    def text() -> str | None:
        if record.response.type == 4:
            return record.response.content or ""
        if record.followup_ids:
            return server.world.messages[record.followup_ids[-1]].content
        if record.original_message_id is not None:  # after a deferral, the first follow-up is the original
            return server.world.messages[record.original_message_id].content or None
        return None

    await server.wait_for(lambda: text() is not None, timeout, what="an answer")
    result = text()
    assert result is not None
    return result


async def slash(stack: Stack, who: str, command: str, channel: str = "general", **options: Any) -> str:
    record = stack.server.invoke_slash(uid(stack, who), command, options, channel_id=stack.seeded.channel(channel))
    return await answer(stack, record)


async def event(stack: Stack, type_: str, count: int = 1, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
    await stack.server.wait_for(lambda: len(stack.events.of_type(type_)) >= count, timeout, what=type_)
    return stack.events.of_type(type_)[count - 1]


def card(stack: Stack, starts: str) -> Any:
    found = [m for m in stack.server.messages(stack.seeded.review_queue) if m.content.startswith(starts)]
    assert found, f"no review card starting {starts!r}"
    return found[-1]


def cog(stack: Stack) -> Any:
    assert stack.bot is not None
    return stack.bot.get_cog("Moderation")


async def test_hide_standing_appeal_and_an_uninvolved_moderator_overturns(stack: Stack) -> None:
    server, ids = stack.server, stack.seeded
    message = server.user_says(uid(stack, AMARA), ids.channel("politics"), "Nobody with a brain believes that.")
    text = await slash(stack, NADIA, "mod hide", "politics", message=str(message.id), reason="belittling a colleague")
    assert "case #1" in text
    case = await event(stack, "case")
    assert (case["kind"], case["target_id"], case["actor_id"]) == ("hide", uid(stack, AMARA), uid(stack, NADIA))
    assert server.world.messages[message.id].deleted
    dm = await server.wait_dm(uid(stack, AMARA))
    assert "belittling a colleague" in dm.content and "Nobody with a brain" in dm.content
    assert "/appeal case:1" in dm.content

    standing = await slash(stack, AMARA, "standing")
    assert "#1" in standing and "belittling a colleague" in standing and "/appeal" in standing
    assert "Nadia" not in standing  # moderator names are hidden unless the guild chooses otherwise

    text = await slash(stack, AMARA, "appeal", case=1, statement="I was criticising an argument, not a person.")
    assert "moderator who took no part" in text
    appeal = await event(stack, "appeal")
    assert appeal["reviewer_id"] == uid(stack, MARCUS)  # Nadia acted, so Marcus reviews
    review = card(stack, "**Appeal #1**")
    assert "I was criticising an argument" in review.content

    # The involved moderator may not decide; the uninvolved one overturns through the button + form.
    click = server.click_button(uid(stack, NADIA), review.id, "primum:mod:appeal:1:overturn")
    await server.wait_interaction_response(click)
    refused = server.submit_modal(click, {"reason": "I still think so"})
    assert "took part" in await answer(stack, refused)
    click = server.click_button(uid(stack, MARCUS), review.id, "primum:mod:appeal:1:overturn")
    await server.wait_interaction_response(click)
    assert click.response.modal is not None
    decided = server.submit_modal(click, {"reason": "Sharp, but aimed at the argument."})
    assert "overturned" in await answer(stack, decided)
    outcome = await event(stack, "appeal_decided")
    assert outcome["outcome"] == "overturned" and outcome["decided_by"] == uid(stack, MARCUS)
    await server.wait_for(lambda: len(server.dms_to(uid(stack, AMARA))) >= 2, 5, what="the decision DM")
    assert "overturned" in server.dms_to(uid(stack, AMARA))[-1].content
    assert "Sharp, but aimed" in server.dms_to(uid(stack, AMARA))[-1].content

    history = await cog(stack).service.case_log.history(1)
    assert [row.status.value for row in history.rows] == ["active", "overturned"]
    assert "overturned" in await slash(stack, AMARA, "standing")
    shown = await slash(stack, MARCUS, "case show", "review-queue", case=1)
    assert "amendment" in shown and "Sharp, but aimed" in shown


async def test_a_single_moderators_ban_of_a_verified_physician_waits_for_a_second(stack: Stack) -> None:
    server, ids = stack.server, stack.seeded
    raj = uid(stack, RAJ)
    text = await slash(stack, NADIA, "mod ban", member=raj, reason="repeated harassment after warnings")
    assert "second moderator" in text and "#1" in text
    pending = await event(stack, "case_pending")
    assert pending["target_id"] == raj and not stack.events.of_type("case")
    assert raj not in server.world.guild(ids.guild_id).bans

    request = card(stack, "**Removal request #1**")
    own = server.click_button(uid(stack, NADIA), request.id, "primum:mod:confirm:1:yes")
    assert "different moderator" in await answer(stack, own)
    assert raj not in server.world.guild(ids.guild_id).bans

    second = server.click_button(uid(stack, MARCUS), request.id, "primum:mod:confirm:1:yes")
    assert "Confirmed" in await answer(stack, second)
    case = await event(stack, "case")
    assert case["kind"] == "ban" and case["actor_id"] == uid(stack, NADIA)
    await server.wait_for(lambda: raj in server.world.guild(ids.guild_id).bans, 5, what="the ban")
    assert "appeal" in (await server.wait_dm(raj)).content
    history = await cog(stack).service.case_log.history(case["case_id"])
    assert history.original.details["confirmed_by"] == uid(stack, MARCUS)
    await server.wait_for(lambda: not server.world.messages[request.id].components, 5, what="buttons removed")
    assert "already confirmed" in await slash(stack, OWNER, "mod confirm", "review-queue", request=1)


async def test_the_second_moderator_can_decline_and_nothing_happens(stack: Stack) -> None:
    server, ids = stack.server, stack.seeded
    raj = uid(stack, RAJ)
    await slash(stack, NADIA, "mod kick", member=raj, reason="off-topic posting")
    text = await slash(stack, MARCUS, "mod confirm", "review-queue", request=1, decision="decline")
    assert "declined" in text
    assert raj in server.world.guild(ids.guild_id).members and not stack.events.of_type("case")


async def test_an_unverified_member_is_kicked_by_one_moderator(stack: Stack) -> None:
    server, ids = stack.server, stack.seeded
    newcomer = ids.user("Alex Kim")
    text = await slash(stack, NADIA, "mod kick", member=newcomer, reason="spam links in #verify")
    assert "case #1" in text
    await server.wait_for(lambda: newcomer not in server.world.guild(ids.guild_id).members, 5, what="the kick")


@pytest.mark.parametrize(("who", "target", "expected"), [
    (NADIA, OWNER, "owner"),
    (NADIA, MARCUS, "moderator like you"),  # the rank rule (issue 16)
    (NADIA, NADIA, "yourself"),
    (OWNER, "bot", "itself"),
])
async def test_refusals_are_clear(stack: Stack, who: str, target: str, expected: str) -> None:
    target_id = stack.seeded.bot_id if target == "bot" else uid(stack, target)
    text = await slash(stack, who, "mod ban", member=target_id, reason="testing the limits")
    assert expected in text
    assert not stack.events.of_type("case") and not stack.events.of_type("case_pending")


async def test_refusal_above_the_bots_role(stack: Stack) -> None:
    server, ids = stack.server, stack.seeded
    high = server.create_role("Senior", permissions=0, position=4)  # level with Primum's role
    server.update_member(uid(stack, AMARA), roles=[ids.roles["Verified Physician"], high.id])
    text = await slash(stack, OWNER, "mod note", member=uid(stack, AMARA), reason="just a note")
    assert "case #1" in text  # a note changes nothing in Discord: allowed
    text = await slash(stack, OWNER, "mod kick", member=uid(stack, AMARA), reason="testing hierarchy")
    assert "Primum's" in text and "role" in text


async def test_permissions_members_moderators_owners(stack: Stack) -> None:
    server, ids = stack.server, stack.seeded
    # Members don't even see moderator commands (default_member_permissions) ...
    with pytest.raises(ControlError):
        server.invoke_slash(uid(stack, AMARA), "mod note", {"member": uid(stack, RAJ), "reason": "nope"},
                            channel_id=ids.general)
    # ... and a member who can see /mod-settings through Manage Server is still refused at run time.
    manager = server.create_role("Server Manager", permissions=Perm.MANAGE_GUILD, position=2)
    server.update_member(uid(stack, RAJ), roles=[ids.roles["Verified Physician"], manager.id])
    assert "owners" in await slash(stack, RAJ, "mod-settings set", show_moderator_names=True)
    # Moderators can't change settings; owners can.
    with pytest.raises(ControlError):
        server.invoke_slash(uid(stack, NADIA), "mod-settings show", {}, channel_id=ids.general)
    assert "Saved" in await slash(stack, OWNER, "mod-settings set", appeal_reminder_hours=24)
    # A member who clicks a moderator's button is refused at run time as well.
    case = await cog(stack).service.case_log.record(ids.guild_id, "note", uid(stack, RAJ), uid(stack, NADIA),
                                                    "a note to appeal")
    await slash(stack, RAJ, "appeal", case=case.id, statement="please review")
    review = card(stack, "**Appeal #1**")
    click = server.click_button(uid(stack, AMARA), review.id, "primum:mod:appeal:1:uphold")
    await server.wait_interaction_response(click)
    assert "Only moderators" in await answer(stack, server.submit_modal(click, {"reason": "I say so"}))


async def test_reason_is_mandatory(stack: Stack) -> None:
    text = await slash(stack, NADIA, "mod note", member=uid(stack, RAJ), reason="x")
    assert "too short" in text and not stack.events.of_type("case")
    text = await slash(stack, NADIA, "mod note", member=uid(stack, RAJ), reason="   ")
    assert "reason is required" in text


async def test_conflict_of_interest_is_warned_and_marked(stack: Stack) -> None:
    server, ids = stack.server, stack.seeded
    politics = ids.channel("politics")
    first = server.user_says(uid(stack, NADIA), politics, "Single payer would fix this.")
    second = server.user_says(uid(stack, AMARA), politics, "It would not, and you know it.", reply_to=first.id)
    server.user_says(uid(stack, NADIA), politics, "Show me the data then.", reply_to=second.id)
    service = cog(stack).service

    async def exchanged() -> bool:
        return await service.conflict(ids.guild_id, uid(stack, NADIA), uid(stack, AMARA),
                                      await service.policy(ids.guild_id)) is not None

    for _ in range(100):  # the bot records the replies as they arrive
        if await exchanged():
            break
        await asyncio.sleep(0.05)
    assert await exchanged()
    text = await slash(stack, NADIA, "mod note", "politics", member=uid(stack, AMARA), reason="heated replies")
    assert "arguing with this member" in text
    case = await event(stack, "case")
    assert case["conflict"] is True
    assert "⚠" in await slash(stack, MARCUS, "case list", "review-queue", member=uid(stack, AMARA))
    # Marcus took no part: no warning for him.
    text = await slash(stack, MARCUS, "mod note", "politics", member=uid(stack, AMARA), reason="second opinion")
    assert "arguing" not in text


async def test_transparency_channel_is_redacted(stack: Stack) -> None:
    server, ids = stack.server, stack.seeded
    transparency = ids.channel("transparency")
    await slash(stack, OWNER, "mod-settings set", transparency_channel=transparency)
    await slash(stack, NADIA, "mod note", member=uid(stack, RAJ), reason="private words about Raj")
    posted = await server.wait_message(transparency, author_id=ids.bot_id)
    assert posted.content == "Case #1 · Note · by a moderator"
    await slash(stack, OWNER, "mod-settings set", show_moderator_names=True)
    await slash(stack, NADIA, "mod note", member=uid(stack, RAJ), reason="another private note")
    await server.wait_for(lambda: len(server.bot_messages(transparency)) >= 2, 5, what="second line")
    assert server.bot_messages(transparency)[-1].content == f"Case #2 · Note · by {NADIA}"


async def test_other_features_dispatch_actions_onto_the_record(stack: Stack) -> None:
    ids = stack.seeded
    assert stack.bot is not None
    stack.bot.dispatch("primum_action", ActionRecord(ids.guild_id, "slowmode", ids.channel("politics"), None,
                                                     "channel heat 0.82", duration_s=600,
                                                     details={"rule": "de-escalation"}))
    stack.bot.dispatch("primum_action", {"guild_id": ids.guild_id, "kind": "verification",
                                         "target_id": ids.user("Alex Kim"), "actor_id": uid(stack, NADIA),
                                         "reason": "NPI matches, approved"})
    first, second = await event(stack, "case", 1), await event(stack, "case", 2)
    assert {first["kind"], second["kind"]} == {"slowmode", "verification"}


async def test_appeal_reminder_survives_a_restart(stack: Stack) -> None:
    server, ids = stack.server, stack.seeded
    case = await cog(stack).service.case_log.record(ids.guild_id, "hide", uid(stack, RAJ), uid(stack, NADIA),
                                                    "sarcasm at a colleague")
    await slash(stack, RAJ, "appeal", case=case.id, statement="It was a quote, not my view.")
    appeal = await event(stack, "appeal")
    await stack.restart_bot()
    moderation = cog(stack)
    later = FakeClock(moderation.service.clock.now() + timedelta(hours=73))
    moderation.service.clock = later
    await moderation.sweep()
    reminder = await event(stack, "appeal_reminder")
    assert reminder["appeal_id"] == appeal["appeal_id"]
    await server.wait_for(lambda: any(m.content.startswith("Reminder: appeal #1")
                                      for m in server.messages(ids.review_queue)), 5, what="the reminder")
    await moderation.sweep()
    assert len(stack.events.of_type("appeal_reminder")) == 1  # once


async def test_owner_report_posts_chart_images(stack: Stack) -> None:
    ids = stack.seeded
    record = stack.server.invoke_slash(uid(stack, OWNER), "mod-settings report", {}, channel_id=ids.general)
    await stack.server.wait_interaction_response(record, 15)
    messages = stack.server.world.messages

    def charts() -> list[Any]:
        ids_ = [*record.followup_ids, *([record.original_message_id] if record.original_message_id else [])]
        return [a for i in ids_ for a in messages[i].attachments]

    found = await stack.server.wait_for(charts, 20, what="the report's charts")
    assert sorted(a.filename for a in found) == sorted(CHART_FILES)


async def test_hide_message_context_menu_and_appeal_form(stack: Stack) -> None:
    server, ids = stack.server, stack.seeded
    message = server.user_says(uid(stack, RAJ), ids.channel("clinical-cases"), "Only an idiot would dose it that way.")
    menu = server.invoke_message_command(uid(stack, MARCUS), "Hide message", message.id)
    await server.wait_interaction_response(menu)
    assert menu.response.modal is not None
    assert "case #1" in await answer(stack, server.submit_modal(menu, {"reason": "insulting a colleague"}))
    assert server.world.messages[message.id].deleted
    case = await event(stack, "case")
    assert case["actor_id"] == uid(stack, MARCUS)
    form = server.invoke_slash(uid(stack, RAJ), "appeal", {"case": 1}, channel_id=ids.general)
    await server.wait_interaction_response(form)
    assert form.response.modal is not None
    text = await answer(stack, server.submit_modal(form, {"reason": "I meant the protocol, not a person."}))
    assert "moderator who took no part" in text
    assert (await event(stack, "appeal"))["reviewer_id"] == uid(stack, NADIA)


async def test_features_actions_become_cases_with_their_reasons(stack: Stack) -> None:
    ids = stack.seeded
    await slash(stack, NADIA, "cooldown member", member=uid(stack, RAJ), reason="repeated insults in #politics",
                minutes=5)
    cooldown_case = await event(stack, "case", 1)
    assert cooldown_case["kind"] == "cooldown"
    assert cooldown_case["target_id"] == uid(stack, RAJ)
    assert cooldown_case["actor_id"] == uid(stack, NADIA)
    history = await cog(stack).case_log.history(cooldown_case["number"], ids.guild_id)
    assert history.current.reason == "repeated insults in #politics"
    assert history.current.duration_s == 300

    await slash(stack, OWNER, "kind-settings threshold", action="hide", value="0.9")
    stack.server.user_says(uid(stack, AMARA), ids.general, "Report me again and watch your back.")
    await event(stack, "hide", 1)
    hide_case = await event(stack, "case", 2)
    assert hide_case["kind"] == "hide"
    assert hide_case["target_id"] == uid(stack, AMARA)
    assert hide_case["actor_id"] is None  # Primum itself
    history = await cog(stack).case_log.history(hide_case["number"], ids.guild_id)
    assert history.current.reason.startswith("be-kind model: threat (score 0.95")
    assert "watch your back" not in history.current.reason  # never the member's text


async def test_an_overturned_cooldown_ends_the_timeout(stack: Stack) -> None:
    server = stack.server
    await slash(stack, NADIA, "cooldown member", member=uid(stack, RAJ), reason="insulting a colleague", minutes=30)
    case = await event(stack, "case", 1)
    assert case["kind"] == "cooldown"
    assert server.timeout_until(uid(stack, RAJ)) is not None

    await slash(stack, RAJ, "appeal", case=case["number"], statement="It was a joke between friends.")
    appeal = await event(stack, "appeal")
    assert appeal["reviewer_id"] == uid(stack, MARCUS)
    text = await slash(stack, MARCUS, "mod decide", "review-queue", appeal=appeal["appeal_id"], outcome="overturn",
                       reason="Friendly banter, no harm meant.")
    assert "overturned" in text and "The cooldown was lifted." in text
    await server.wait_for(lambda: server.timeout_until(uid(stack, RAJ)) is None, 5, what="the timeout to end")
    lifted = await event(stack, "cooldown_lifted")
    assert lifted["user_id"] == uid(stack, RAJ) and lifted["actor_id"] == uid(stack, MARCUS)
