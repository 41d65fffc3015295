"""Issue 16 end to end (real discord.py against the local Discord): the rank rule in every cog,
forget cases, /privacy, appeals routed away from the conversation, and DEBUG logs without secrets."""

from __future__ import annotations

import io
import logging
import re
from typing import Any

import pytest

from cogs._verification_views import APPROVE_ID
from primum.demo.stack import Stack
from primum.runtime.logging_setup import QUIET_LOGGERS, setup_logging
from tests.e2e import verification_harness
from tests.e2e.test_moderation import answer, event, slash, uid

pytestmark = pytest.mark.e2e

# The verification harness's fixtures, for the review-button test below.
smtp = verification_harness.smtp
harness = verification_harness.harness

NADIA, MARCUS, OWNER = "Dr. Nadia Haddad", "Dr. Marcus Reid", "Dr. Priya Raman"
AMARA, RAJ = "Dr. Amara Okafor", "Dr. Rajesh Patel"


def cases_of(stack: Stack, kind: str) -> list[dict[str, Any]]:
    return [e for e in stack.events.of_type("case") if e["kind"] == kind]


@pytest.mark.parametrize(("command", "options"), [
    ("cooldown member", {"reason": "too heated"}),
    ("mod note", {"reason": "keeps derailing"}),
    ("mod kick", {"reason": "keeps derailing"}),
    ("kind forget", {"reason": "asked by e-mail"}),
])
@pytest.mark.parametrize(("target", "refusal"), [(MARCUS, "moderator like you"), (NADIA, "yourself"),
                                                 (OWNER, "server owner")])
async def test_a_moderator_cannot_act_on_a_peer_themselves_or_the_owner(
        stack: Stack, command: str, options: dict[str, Any], target: str, refusal: str) -> None:
    text = await slash(stack, NADIA, command, member=uid(stack, target), **options)
    assert refusal in text
    assert stack.events.of_type("case") == [] and stack.events.of_type("cooldown") == []


async def test_cooldown_lift_of_ones_own_cooldown_is_refused(stack: Stack) -> None:
    text = await slash(stack, NADIA, "cooldown lift", member=uid(stack, NADIA), reason="I calmed down")
    assert "yourself" in text


async def test_kind_forget_leaves_a_case_with_its_reason(stack: Stack) -> None:
    text = await slash(stack, NADIA, "kind forget", member=uid(stack, AMARA), reason="she asked the moderators")
    assert "Deleted" in text
    case = await event(stack, "case")
    assert (case["kind"], case["target_id"], case["actor_id"]) == ("forget", uid(stack, AMARA), uid(stack, NADIA))
    history = await stack.bot.get_cog("Moderation").case_log.history(case["number"])  # type: ignore[union-attr]
    assert history.current.reason == "be-kind data deleted: she asked the moderators"


async def test_privacy_forgetme_says_what_it_kept_and_leaves_a_case(stack: Stack) -> None:
    text = await slash(stack, AMARA, "privacy forgetme")
    assert "Removed:" in text and "Kept, and why:" in text and "case log" in text
    case = await event(stack, "case")
    assert (case["kind"], case["target_id"]) == ("forget", uid(stack, AMARA))
    assert f"case #{case['number']}" in text
    refused = await slash(stack, NADIA, "privacy forget", member=uid(stack, AMARA), reason="asked by e-mail")
    assert "owners" in refused  # owners only
    done = await slash(stack, OWNER, "privacy forget", member=uid(stack, RAJ), reason="asked by e-mail")
    assert "Removed:" in done
    assert len(cases_of(stack, "forget")) == 2


async def test_an_appeal_skips_the_moderator_the_member_was_arguing_with(stack: Stack) -> None:
    server, ids = stack.server, stack.seeded
    politics = ids.channel("politics")
    first = server.user_says(uid(stack, AMARA), politics, "Mandates never work.")
    pushback = server.user_says(uid(stack, MARCUS), politics, "They did for measles.", reply_to=first.id)
    heated = server.user_says(uid(stack, AMARA), politics, "Nobody with a brain believes that.", reply_to=pushback.id)
    text = await slash(stack, NADIA, "mod hide", "politics", message=str(heated.id), reason="belittling a colleague")
    assert "case #1" in text
    await slash(stack, AMARA, "appeal", case=1, statement="I was criticising an argument, not a person.")
    appeal = await event(stack, "appeal")
    # Nadia acted and Marcus was in the exchange behind the case: only the owner is left.
    assert appeal["reviewer_id"] == uid(stack, OWNER)


async def test_debug_logs_carry_no_text_statement_or_token(stack: Stack) -> None:
    buffer = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, {name: logging.getLogger(name).level for name in QUIET_LOGGERS})
    setup_logging("DEBUG", stream=buffer)
    root.handlers.extend(h for h in saved[0] if h not in root.handlers)  # keep pytest's capture working
    try:
        server, ids = stack.server, stack.seeded
        secret_text = "Nobody with a brain believes zebra-quartz-7."
        statement = "My statement mentions tangerine-orbit-42."
        message = server.user_says(uid(stack, AMARA), ids.channel("politics"), secret_text)
        hide = server.invoke_slash(uid(stack, NADIA), "mod hide", {"message": str(message.id),
                                                                   "reason": "belittling a colleague"},
                                   channel_id=ids.channel("politics"))
        await answer(stack, hide)
        await server.wait_dm(uid(stack, AMARA))  # the DM returns the text: it went through discord.http
        appeal = server.invoke_slash(uid(stack, AMARA), "appeal", {"case": 1, "statement": statement},
                                     channel_id=ids.channel("general"))
        await answer(stack, appeal)
        await event(stack, "appeal")  # the statement went through an aiosqlite INSERT
        tokens = [hide.token, appeal.token]
    finally:
        root.handlers[:], level, levels = saved[0], saved[1], saved[2]
        root.setLevel(level)
        for name, value in levels.items():
            logging.getLogger(name).setLevel(value)
    logged = buffer.getvalue()
    assert "DEBUG" in logged  # the flow really ran at DEBUG
    for secret in ("zebra-quartz-7", "tangerine-orbit-42", *tokens):
        assert secret not in logged


async def test_a_moderator_cannot_approve_their_own_verification(harness: Any) -> None:
    h = harness
    user = await h.newcomer("self.approver", "Self Approver")
    await h.submit_form(user)
    await h.event("verification_submitted", user_id=user)
    h.server.update_member(user, roles=[h.ids.roles["Moderator"]])  # made a moderator while waiting
    refused = await h.answer(await h.click(user, h.cards()[-1].id, APPROVE_ID))
    assert "yourself" in refused.content
    assert h.events.of_type("verified") == []
    peer = await h.answer(await h.click(h.moderator, h.cards()[-1].id, APPROVE_ID))
    assert "moderator like you" in peer.content  # a moderator's verification goes to someone above them
    approved = await h.answer(await h.click(h.ids.owner_id, h.cards()[-1].id, APPROVE_ID))
    assert "Approved" in approved.content


@pytest.mark.parametrize("command", ["privacy forgetme", "kind forgetme"])
async def test_forgetme_also_clears_live_heat_and_flags(stack: Stack, command: str) -> None:
    """Both forgets cover what the member's flags fed into de-escalation, not only the stored rows."""
    server, ids = stack.server, stack.seeded
    assert stack.bot is not None
    service: Any = stack.bot.get_cog("Deescalation").service  # type: ignore[union-attr]
    politics = ids.channel("politics")
    first = server.user_says(uid(stack, RAJ), politics, "Mandates worked for measles.")
    server.user_says(uid(stack, AMARA), politics, "You idiot.", reply_to=first.id)
    await server.wait_for(lambda: service.heat.member_heat(politics, uid(stack, AMARA), stack.clock.now()) > 0,
                          5.0, what="Amara's heat")
    text = await slash(stack, AMARA, command)
    cleared = re.search(r"live channel heat[^:\n]*: (\d+)|(\d+) item\(s\) of live channel heat", text)
    assert cleared is not None
    assert int(cleared.group(1) or cleared.group(2)) >= 3  # her heat, her last message time, her flag
    assert service.heat.member_heat(politics, uid(stack, AMARA), stack.clock.now()) == 0.0
    assert all(flag.author_id != uid(stack, AMARA) for flag in service._ladders[politics].flags.flags)


async def test_privacy_forgetme_drops_the_short_messages_held_in_memory(stack: Stack) -> None:
    """A line sent word by word is held in memory for a few seconds; forgetting the member drops it."""
    server, ids = stack.server, stack.seeded
    assert stack.bot is not None
    runs: Any = stack.bot.get_cog("BeKind").service.fragments  # type: ignore[union-attr]
    general = ids.channel("general")
    for piece in ("see", "you", "at"):
        server.user_says(uid(stack, AMARA), general, piece)
    await server.wait_for(lambda: len(runs) == 1, 5.0, what="Amara's pieces held")
    text = await slash(stack, AMARA, "privacy forgetme")
    held = re.search(r"your last short messages[^:\n]*: (\d+)", text)
    assert held is not None and int(held.group(1)) == 3
    assert len(runs) == 0
