"""/mod warn, unban, tempban and purge end to end: each a case with a reason; a timed ban lifts itself."""

from __future__ import annotations

from typing import Any

import pytest

from primum.demo.stack import Stack
from primum.localdiscord.errors import ControlError

pytestmark = pytest.mark.e2e

NADIA, OWNER, NEWCOMER = "Dr. Nadia Haddad", "Dr. Priya Raman", "Alex Kim"


async def run(stack: Stack, who: str | int, command: str, **options: Any) -> str:
    server = stack.server
    user = who if isinstance(who, int) else stack.seeded.user(who)
    record = server.invoke_slash(user, command, options, channel_id=stack.seeded.general)
    await server.wait_interaction_response(record, 10)

    def text() -> str | None:
        if record.response.type == 4:
            return record.response.content or ""
        if record.followup_ids:
            return server.world.messages[record.followup_ids[-1]].content
        if record.original_message_id is not None:
            return server.world.messages[record.original_message_id].content or None
        return None

    await server.wait_for(lambda: text() is not None, 10, what="an answer")
    return text() or ""


def guild(stack: Stack) -> Any:
    return stack.server.world.guild(stack.seeded.guild_id)


async def test_a_warning_reaches_the_member_and_is_on_the_record(stack: Stack) -> None:
    member = stack.seeded.physician_ids[0]
    answer = await run(stack, NADIA, "mod warn", member=member, reason="Personal attacks in #general")
    assert "case #1" in answer and "by DM" in answer
    dm = stack.server.dms_to(member)[-1]
    assert "A warning from the moderators" in dm.content and "Personal attacks" in dm.content
    assert "/appeal case:1" in dm.content
    case = stack.events.of_type("case")[-1]
    assert case["kind"] == "warn" and case["number"] == 1
    assert "reason is required" in await run(stack, NADIA, "mod warn", member=member, reason="   ")


async def test_a_timed_ban_lifts_itself_and_unban_needs_a_reason(stack: Stack) -> None:
    newcomer = stack.seeded.user(NEWCOMER)
    assert "not a duration" in await run(stack, NADIA, "mod tempban", member=newcomer, duration="soon",
                                         reason="spam links")
    assert newcomer not in guild(stack).bans
    answer = await run(stack, NADIA, "mod tempban", member=newcomer, duration="12s", reason="spam links")
    assert "Banned for 12 seconds" in answer and "<t:" in answer
    assert newcomer in guild(stack).bans
    await stack.server.wait_for(lambda: stack.events.of_type("tempban_lifted"), 40, what="the ban to lift")
    assert newcomer not in guild(stack).bans
    kinds = [e["kind"] for e in stack.events.of_type("case")]
    assert kinds[-2:] == ["ban", "unban"]


async def test_unban_closes_a_pending_timed_ban(stack: Stack) -> None:
    newcomer = stack.seeded.user(NEWCOMER)
    await run(stack, NADIA, "mod tempban", member=newcomer, duration="1d", reason="spam links")
    assert newcomer in guild(stack).bans
    answer = await run(stack, NADIA, "mod unban", user=newcomer, reason="appealed by email, fair point")
    assert "is unbanned" in answer and newcomer not in guild(stack).bans
    cog = stack.bot.get_cog("ModerationTools")
    assert await cog.actions.pending(("tempban",)) == []
    assert "not banned" in await run(stack, NADIA, "mod unban", user=newcomer, reason="just checking")


async def test_purge_deletes_one_members_burst_and_records_a_case(stack: Stack) -> None:
    server, ids = stack.server, stack.seeded
    spammer, bystander = ids.physician_ids[1], ids.physician_ids[2]
    for n in range(4):
        server.user_says(spammer, ids.general, f"buy my course {n}")
    server.user_says(bystander, ids.general, "a kind clinical question")
    answer = await run(stack, NADIA, "mod purge", count=3, reason="spam burst", member=spammer)
    assert "Deleted 3 message(s)" in answer
    left = [m.content for m in server.messages(ids.general) if not m.deleted and m.author_id in (spammer, bystander)]
    assert left == ["buy my course 0", "a kind clinical question"]
    purge = stack.events.of_type("purge")[-1]
    assert purge["count"] == 3 and stack.events.of_type("case")[-1]["kind"] == "purge"


async def test_a_warning_is_its_own_kind_in_standing_and_the_case_log_and_can_be_overturned(stack: Stack) -> None:
    member = stack.seeded.physician_ids[0]
    await run(stack, NADIA, "mod warn", member=member, reason="Personal attacks in #general")
    await run(stack, NADIA, "mod note", member=member, reason="asked to keep it civil")
    standing = await run(stack, member, "standing")
    assert "#1** Warning" in standing and "#2** Note" in standing
    listed = await run(stack, NADIA, "case list", kind="warn")
    assert "#1** Warning" in listed and "#2" not in listed
    assert "appeal" in (await run(stack, member, "appeal", case=1, statement="It was a joke between friends.")).lower()
    appeal = stack.events.of_type("appeal")[-1]
    assert appeal["case_id"] == 1 and appeal["reviewer_id"] not in (None, stack.seeded.user(NADIA))
    decided = await run(stack, appeal["reviewer_id"], "mod decide", appeal=appeal["appeal_id"], outcome="overturn",
                        reason="a joke between friends, not an attack")
    assert "overturned" in decided
    assert "now **overturned**" in await run(stack, member, "standing")


async def test_a_purge_is_its_own_kind_with_its_count_and_the_member_can_appeal_it(stack: Stack) -> None:
    server, ids = stack.server, stack.seeded
    spammer = ids.physician_ids[1]
    for n in range(3):
        server.user_says(spammer, ids.general, f"buy my course {n}")
    await run(stack, NADIA, "mod purge", count=3, reason="spam burst", member=spammer)
    shown = await run(stack, NADIA, "case show", case=1)
    assert "Messages purged (3)" in shown and f"<@{spammer}>" in shown
    assert "Messages purged (3)" in await run(stack, NADIA, "case list", kind="purge")
    await run(stack, OWNER, "mod purge", count=2, reason="cleaning up a derailed thread")
    assert f"<#{ids.general}>" in await run(stack, NADIA, "case show", case=2)  # a channel-wide purge
    assert "#1** Messages purged (3)" in await run(stack, spammer, "standing")
    await run(stack, spammer, "appeal", case=1, statement="Those were links to my own free lecture notes.")
    assert stack.events.of_type("appeal")[-1]["case_id"] == 1


async def test_case_numbers_autocomplete_for_members_and_moderators(stack: Stack) -> None:
    server, ids = stack.server, stack.seeded
    member, other = ids.physician_ids[0], ids.physician_ids[1]
    await run(stack, NADIA, "mod warn", member=member, reason="Personal attacks in #general")
    await run(stack, NADIA, "mod warn", member=other, reason="Off-topic politics again")

    async def choices(user: int, command: str, typed: str) -> list[dict[str, Any]]:
        record = server.autocomplete(user, command, {"case": typed}, "case", channel_id=ids.general)
        await server.wait_interaction_response(record, 10)
        return list(record.response.data["choices"])

    own = await choices(member, "appeal", "")
    assert [c["value"] for c in own] == [1] and own[0]["name"].startswith("#1 Warning")  # only their own case
    everyone = await choices(ids.user(NADIA), "case show", "")
    assert [c["value"] for c in everyone] == [2, 1]
    assert [c["value"] for c in await choices(ids.user(NADIA), "case show", "#2")] == [2]
    with pytest.raises(ControlError):  # members cannot open /case at all
        await choices(other, "case show", "")


async def test_a_long_standing_comes_in_pages(stack: Stack) -> None:
    server, ids = stack.server, stack.seeded
    member = ids.physician_ids[0]
    moderation = stack.bot.get_cog("Moderation")
    for n in range(40):
        await moderation.case_log.record(ids.guild_id, "note", member, ids.user(NADIA),
                                         f"note number {n}: " + "a reason long enough to fill the page quickly " * 7)
    record = server.invoke_slash(member, "standing", {}, channel_id=ids.general)
    await server.wait_interaction_response(record, 10)

    def first_page() -> Any:
        if record.response.type == 4:
            return record.response
        for message_id in [*record.followup_ids, record.original_message_id]:
            message = server.world.messages.get(message_id) if message_id else None
            if message is not None and message.content:
                return message
        return None

    await server.wait_for(lambda: first_page() is not None, 10, what="the first page")
    first = first_page()
    assert "page 1 of" in first.content and len(first.content) <= 2000
    later = next(c["custom_id"] for row in first.components for c in row["components"] if "Later" in c["label"])
    message_id = record.original_message_id if record.response.type == 4 else first.id
    turned = server.click_button(member, message_id, later)
    await server.wait_interaction_response(turned, 10)
    assert "page 2 of" in turned.response.content
