"""The review queue end to end (cogs/_verification_review.py): a non-moderator's click, a denial with
a reason to a member with closed DMs (a note in #verify, the reason kept private, a case on the
record), and a second claim of the same NPI flagged on the card.
"""

from __future__ import annotations

import pytest

from cogs._verification_views import APPROVE_ID, DENY_ID
from tests.e2e import verification_harness
from tests.e2e.verification_harness import FORM, Harness, card_fields

pytestmark = pytest.mark.e2e

smtp = verification_harness.smtp
harness = verification_harness.harness



async def test_deny_with_reason_to_closed_dms(harness: Harness) -> None:
    h = harness
    user = await h.newcomer("closed.dms", "Closed Dms")
    await h.submit_form(user, {**FORM, "full_name": "Someone Else"})
    card = await h.wait_for(lambda: next(iter(h.cards()), None), what="review card")
    assert card_fields(card)["Name match"].startswith("No match") and "⚠ Caution" in card_fields(card)

    physician = h.ids.physician_ids[0]
    refused = await h.click(physician, card.id, APPROVE_ID)  # not a moderator
    assert "Only moderators" in (await h.answer(refused)).content
    assert h.events.of_type("verified") == []

    h.server.close_dms(user)
    opened = await h.click(h.moderator, card.id, DENY_ID)
    assert opened.modal is not None and opened.modal["custom_id"].endswith("deny_form")
    done = await h.submit(opened, {"reason": "The name does not match the NPI record."})
    assert "member told by channel" in done.content
    denied = await h.event("verification_denied", user_id=user)
    assert denied["notified"] == "channel" and "reason" not in denied
    note = await h.wait_for(lambda: next((m for m in h.server.bot_messages(h.ids.channel("verify"))
                                          if f"<@{user}>" in m.content), None), what="note in #verify")
    assert "not approved" in note.content and "does not match" not in note.content  # the reason stays private
    closed = h.server.world.messages[card.id]
    assert not closed.components and "does not match" in card_fields(closed)["Decision"]
    assert "Unverified" in h.server.role_names(user)
    # The decision and the moderator's reason go on the append-only case log (issue 7).
    case = await h.event("case", target_id=user)
    assert case["kind"] == "verification" and case["actor_id"] == h.moderator
    moderation = h.bot.get_cog("Moderation")
    history = await moderation.case_log.history(case["number"], h.ids.guild_id)
    assert history.current.reason == "denied: The name does not match the NPI record."


async def test_duplicate_npi_is_flagged_on_the_card(harness: Harness) -> None:
    h = harness
    first = await h.newcomer("first.claim", "First Claim")
    second = await h.newcomer("second.claim", "Second Claim")
    await h.submit_form(first)
    await h.submit_form(second)
    await h.wait_for(lambda: len(h.cards()) == 2, what="two cards")
    assert f"<@{first}>" in card_fields(h.cards()[-1])["⚠ Same NPI claimed by"]
    assert (await h.event("verification_duplicate_npi", user_id=second))["other_user_ids"] == [first]
