"""The member's steps end to end (cogs/_verification_member.py): the form from /verify and the button,
a bad check digit, a refusal sent to a human review, the e-mail code binding (also from a DM after
a registry wait), the cautions a near-miss name and another state put on the card, and a card
Discord refused to post, which the member is told about.
"""

from __future__ import annotations

import pytest

from cogs._verification_views import APPROVE_ID, ASK_ID, CODE_ID, EMAIL_ID
from primum.domain.npi import make_npi
from primum.integrations.nppes_standin import physician
from primum.runtime.clock import FakeClock
from tests.e2e import verification_harness
from tests.e2e.verification_harness import FORM, Harness, card_fields, has_button

pytestmark = pytest.mark.e2e

smtp = verification_harness.smtp
harness = verification_harness.harness
clocked = verification_harness.clocked



async def test_slash_verify_bad_check_digit_is_told_why(harness: Harness) -> None:
    h = harness
    user = await h.newcomer("typo.doc", "Typo Doctor")
    opened = await h.slash(user, "verify")
    answer = await h.submit(opened, {**FORM, "npi": "1234567890"})
    assert "check digit" in answer.content and answer.ephemeral
    event = await h.event("verification_submitted", user_id=user)
    assert event["outcome"] == "invalid_npi" and event["problem"] == "bad_check_digit"
    assert not h.cards()
    answer = await h.submit_form(user, {**FORM, "npi": "1881018208", "full_name": "Lena Park"})  # a nurse practitioner
    assert "no allopathic or osteopathic physician specialty" in answer.content
    assert "nppes.cms.hhs.gov" in answer.content and has_button(answer, ASK_ID)  # a next step and a way to a human
    assert not h.cards()

    opened = await h.click(user, answer.id, ASK_ID)  # the specialty on the record is out of date: ask a human
    assert opened.modal is not None and opened.modal["custom_id"].endswith("ask_form")
    sent = await h.submit(opened, {"note": "I am a PGY-1 in internal medicine; NPPES still lists my old job."})
    assert "now with the moderators" in sent.content
    card = await h.wait_for(lambda: next(iter(h.cards()), None), what="review card for the human review")
    fields = card_fields(card)
    assert "PGY-1" in fields["The member asks for a human review"] and "⚠ Caution" in fields
    assert "refused by the registry check" in fields["NPI Registry"] and "363L00000X" in fields["Taxonomies"]
    assert (await h.event("verification_review_requested", user_id=user))["registry_status"] == "not_physician"
    await h.click(h.moderator, card.id, APPROVE_ID)
    assert (await h.event("verified", user_id=user))["role_granted"] is True


async def test_email_code_binding_through_real_smtp(harness: Harness) -> None:
    h = harness
    owner = h.ids.owner_id
    configured = await h.answer(await h.slash(owner, "verification config email", "general", enabled=True,
                                              domains="mountsinai.org, @Mayo.edu"))
    assert "mountsinai.org, mayo.edu" in configured.content

    user = await h.newcomer("email.doc", "Email Doc")
    prompt = await h.submit_form(user)
    assert "Email me a code" in prompt.content and has_button(prompt, EMAIL_ID)
    card = await h.wait_for(lambda: next(iter(h.cards()), None), what="review card")
    assert "Waiting" in card_fields(card)["Identity binding"]
    early = await h.click(h.moderator, card.id, APPROVE_ID)
    assert "e-mail code" in (await h.answer(early)).content

    bad = await h.submit(await h.click(user, prompt.id, EMAIL_ID), {"address": "amara@gmail.com"})
    assert "not on this server's list" in bad.content
    sent = await h.submit(await h.click(user, prompt.id, EMAIL_ID), {"address": "amara@mountsinai.org"})
    assert "sent a six-digit code" in sent.content and len(h.inbox.messages) == 1
    confirmed = await h.submit(await h.click(user, sent.id, CODE_ID), {"code": h.inbox.last_code()})
    assert "confirmed" in confirmed.content
    await h.wait_for(lambda: "confirmed" in card_fields(h.server.world.messages[card.id])["Identity binding"],
                     what="card shows the binding")
    await h.click(h.moderator, card.id, APPROVE_ID)
    assert (await h.event("verified", user_id=user))["role_granted"] is True


async def test_email_binding_after_a_registry_wait_continues_from_the_dm(clocked: Harness) -> None:
    h = clocked
    clock = h.stack.clock
    assert isinstance(clock, FakeClock)
    await h.answer(await h.slash(h.ids.owner_id, "verification config email", "general", enabled=True,
                                 domains="mountsinai.org"))
    user = await h.newcomer("email.wait", "Email Wait")
    h.registry.error_next(1)  # an unexpected Errors answer: the registry's problem, not the member's
    answer = await h.submit_form(user)
    assert "waiting for the registry" in answer.content
    clock.advance(seconds=31)
    h.cog.service.waiting.scheduler.poke()
    dm = await h.server.wait_dm(user)
    assert "Email me a code" in dm.content and has_button(dm, EMAIL_ID)
    sent = await h.submit(await h.click(user, dm.id, EMAIL_ID), {"address": "email.wait@mountsinai.org"})
    assert "sent a six-digit code" in sent.content
    confirmed = await h.submit(await h.click(user, dm.id, CODE_ID), {"code": h.inbox.last_code()})
    assert "confirmed" in confirmed.content


async def test_near_miss_name_and_other_state_are_cautions_on_the_card(harness: Harness) -> None:
    h = harness
    npi = make_npi("176543210")
    h.registry.add(physician(npi, "Michelle", "Grant", state="NY"))
    user = await h.newcomer("michael.grant", "Michael Grant")
    answer = await h.submit_form(user, {"full_name": "Michael Grant", "npi": npi, "specialty": "Internal Medicine",
                                        "state": "NJ"})
    assert "checks out" not in answer.content and "does not match" in answer.content
    card = await h.wait_for(lambda: next(iter(h.cards()), None), what="review card")
    fields = card_fields(card)
    assert fields["Name match"].startswith("Close but different") and "MICHELLE GRANT" in fields["Name match"]
    assert "likely another person" in fields["⚠ Caution"] and "Typed state NJ" in fields["⚠ Caution"]
    assert (await h.event("verification_submitted", user_id=user))["name_match"] == "close"


async def test_a_card_discord_refused_to_post_is_told_to_the_member(harness: Harness) -> None:
    h = harness
    user = await h.newcomer("no.card", "No Card")
    h.server.fail_next("POST", rf"^/channels/{h.ids.review_queue}/messages$", 403, 50013, message="Missing Permissions")
    answer = await h.submit_form(user)
    assert "with the moderators" in answer.content and "could not put your request" in answer.content
    assert not h.cards()
