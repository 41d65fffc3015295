"""The "This was a mistake" loop end to end: report → one #mod-log digest → a verdict per report → the member told."""

from __future__ import annotations

from typing import Any

import pytest

from primum.demo.stack import Stack
from tests.e2e.test_faults import deferred_answer

pytestmark = pytest.mark.e2e

UNKIND = "Did they even teach you pharmacology? Read the label."
NADIA = "Dr. Nadia Haddad"


def buttons(message: Any) -> list[str]:
    return [c["custom_id"] for row in message.components for c in row["components"]]


async def nudge_and_report(stack: Stack, author: int) -> int:
    server = stack.server
    server.user_says(author, stack.seeded.general, UNKIND)
    dm = await server.wait_dm(author)
    mistake = next(cid for cid in buttons(dm) if ":mistake:" in cid)
    click = server.click_button(author, dm.id, mistake)
    await server.wait_interaction_response(click)

    def answered() -> bool:  # acknowledged first; the answer follows once the report is stored
        message = server.original_message(click)
        return message is not None and bool(message.content)

    await server.wait_for(answered, 10, what="the answer to the mistake button")
    return int(mistake.rsplit(":", 1)[1])


async def test_reports_reach_moderators_in_one_digest_and_each_gets_a_verdict(stack: Stack) -> None:
    server, ids = stack.server, stack.seeded
    owner = ids.owner_id
    record = server.invoke_slash(owner, "kind-reports digest", {"minutes": 0.05}, channel_id=ids.general)
    assert "3 seconds" in await deferred_answer(stack, record)
    first, second = ids.physician_ids[0], ids.physician_ids[1]
    await nudge_and_report(stack, first)
    await nudge_and_report(stack, second)

    card = await server.wait_message(ids.mod_log, predicate=lambda m: "reported as a mistake" in m.content,
                                     timeout=15)
    await server.wait_for(lambda: stack.events.of_type("report_digest"), 5, what="the digest event")
    assert len(stack.events.of_type("report_digest")) == 1  # one post for both reports, not one ping each
    assert card.content.startswith("**2 nudge(s) reported as a mistake**") and card.mention_ids == []
    assert "<t:" in card.content and UNKIND not in card.content  # times as timestamps; no message text
    assert len(buttons(card)) == 4  # a verdict pair per report

    # A member cannot give verdicts, even with the button in front of them.
    refused = server.click_button(first, card.id, buttons(card)[0])
    await server.wait_interaction_response(refused)
    assert "Only moderators" in refused.response.content

    nadia = ids.user(NADIA)
    mistake = next(cid for cid in buttons(card) if cid.startswith("primum:review:mistake:"))
    click = server.click_button(nadia, card.id, mistake)
    await server.wait_interaction_response(click)
    await server.wait_for(lambda: stack.events.of_type("report_verdict"), 5, what="the verdict")
    told = await server.wait_dm(first)
    assert "agrees it was a mistake" in told.content
    await server.wait_for(lambda: len(buttons(server.world.messages[card.id])) == 2, 5, what="the card redrawn")
    redrawn = server.world.messages[card.id]
    assert "✓ a mistake, decided by" in redrawn.content
    # The other member hears only when their own report is decided.
    assert not [m for m in server.dms_to(second) if "A moderator reviewed" in m.content]


async def test_the_reports_list_pages_and_decides_in_place(stack: Stack) -> None:
    server, ids = stack.server, stack.seeded
    for index in range(5):
        await nudge_and_report(stack, ids.physician_ids[index])
    nadia = ids.user(NADIA)
    record = server.invoke_slash(nadia, "kind-reports list", {}, channel_id=ids.general)
    await server.wait_interaction_response(record)
    page = record.response
    assert page.ephemeral and "(1–4 of 5)" in page.content
    ids_on_page = [c["custom_id"] for row in page.components for c in row["components"]]
    assert "primum:review:page:4" in ids_on_page
    later = server.click_button(nadia, record.original_message_id, "primum:review:page:4")
    await server.wait_interaction_response(later)
    assert "(5–5 of 5)" in later.response.content
