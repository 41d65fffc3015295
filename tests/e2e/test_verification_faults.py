"""Verification answers under faults: a locked database and a slow or failing NPI Registry.

Every ``/verification`` command, button and form must be acknowledged within Discord's 3 s (so
nobody sees "The application did not respond"), and its follow-up must say whether the action was
done: a decision or a form the database refused says it was not done (and a retry works), a
re-check the registry did not answer says it is incomplete. Two re-check passes over a slow
registry (the periodic one and an owner's, or two owners') must not report the same finding twice.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from cogs._verification_views import APPROVE_ID
from primum.integrations.nppes_standin import DEMO_PHYSICIAN
from primum.runtime.clock import FakeClock
from primum.storage.database import BUSY_TIMEOUT_MS
from tests.e2e import verification_harness
from tests.e2e.test_faults import deferred_answer
from tests.e2e.verification_harness import FORM, Harness
from tests.storage.test_database_busy import hold_write_lock

pytestmark = pytest.mark.e2e

smtp = verification_harness.smtp
harness = verification_harness.harness
clocked = verification_harness.clocked


async def _hold_lock(h: Harness, seconds: float) -> threading.Thread:
    """Another process takes the database's write lock for ``seconds`` (reads still work: WAL)."""
    await h.wait_for(lambda: h.cog.recheck_passes >= 1, what="the start-up writes (Verify button, re-check)")
    held = threading.Event()
    holder = hold_write_lock(h.stack.db_path, seconds, held)
    await asyncio.to_thread(held.wait, 5)
    return holder


async def _approved(h: Harness, username: str) -> int:
    user = await h.newcomer(username, username.replace(".", " ").title())
    await h.submit_form(user)
    card = await h.wait_for(lambda: next(iter(h.cards()), None), what="review card")
    await h.click(h.moderator, card.id, APPROVE_ID)
    await h.event("verified", user_id=user)
    return user


async def test_owner_commands_are_acknowledged_while_another_process_holds_the_write_lock(harness: Harness) -> None:
    h = harness
    user = await h.newcomer("forget.locked", "Forget Locked")
    await h.submit_form(user)
    await h.event("verification_submitted", user_id=user)
    holder = await _hold_lock(h, 4.0)  # longer than Discord's 3 s, shorter than SQLite's busy wait
    owner, general = h.ids.owner_id, h.ids.channel("general")
    residents = h.server.invoke_slash(owner, "verification config residents", {"policy": "reject"},
                                      channel_id=general)
    forget = h.server.invoke_slash(owner, "verification forget", {"user": str(user), "reason": "asked by e-mail"},
                                   channel_id=general)
    show = h.server.invoke_slash(owner, "verification config show", {}, channel_id=general)
    assert "Residents listed only as 390200000X: **accept**" in await deferred_answer(h.stack, show, timeout=2.0)
    assert holder.is_alive()  # a read answered while the lock was held
    # The writes waited for the lock and then landed; the owner was acknowledged at once either way.
    assert "**reject**" in await deferred_answer(h.stack, residents)
    assert "Deleted 2 verification record(s)" in await deferred_answer(h.stack, forget)
    await asyncio.to_thread(holder.join, 10)
    assert await h.cog.service.repo.latest_for_member(h.ids.guild_id, user) is None


async def test_an_owner_command_the_database_refuses_says_it_was_not_done(harness: Harness) -> None:
    h = harness
    h.bot.db.write_retry_s = 0  # give up after SQLite's own busy wait instead of retrying for a minute
    holder = await _hold_lock(h, BUSY_TIMEOUT_MS / 1000 + 2.0)
    rec = h.server.invoke_slash(h.ids.owner_id, "verification config recheck", {"days": 7},
                                channel_id=h.ids.channel("general"))
    assert "not done" in await deferred_answer(h.stack, rec)
    await asyncio.to_thread(holder.join, 10)
    h.bot.db.write_retry_s = 60.0
    assert (await h.cog.service.config(h.ids.guild_id)).recheck_days == 30  # unchanged, as the owner was told
    rec = h.server.invoke_slash(h.ids.owner_id, "verification config recheck", {"days": 7},
                                channel_id=h.ids.channel("general"))
    assert "every **7** days" in await deferred_answer(h.stack, rec)


async def test_a_decision_and_a_form_the_database_refuses_say_they_were_not_done(harness: Harness) -> None:
    h = harness
    waiting = await h.newcomer("locked.card", "Locked Card")
    await h.submit_form(waiting)
    card = await h.wait_for(lambda: next(iter(h.cards()), None), what="review card")
    latecomer = await h.newcomer("locked.form", "Locked Form")
    opened = await h.click(latecomer, h.verify_message().id, "primum:verification:start")
    h.bot.db.write_retry_s = 0  # give up after SQLite's own busy wait instead of retrying for a minute
    # Writes queue one behind the other, and each waits out SQLite's busy wait: hold the lock for both.
    holder = await _hold_lock(h, 2 * BUSY_TIMEOUT_MS / 1000 + 2.0)

    approve = h.server.click_button(h.moderator, card.id, APPROVE_ID)
    form = h.server.submit_modal(opened, FORM)
    assert "not done" in await deferred_answer(h.stack, approve)
    assert "not done" in await deferred_answer(h.stack, form)
    assert "Verified Physician" not in h.server.role_names(waiting) and h.events.of_type("verified") == []
    assert len(h.cards()) == 1  # the refused form posted no card

    await asyncio.to_thread(holder.join, 10)
    h.bot.db.write_retry_s = 60.0
    retried = await deferred_answer(h.stack, h.server.click_button(h.moderator, card.id, APPROVE_ID))
    assert "Approved" in retried and "Verified Physician" in h.server.role_names(waiting)
    again = await h.click(latecomer, h.verify_message().id, "primum:verification:start")
    assert "with the moderators" in await deferred_answer(h.stack, h.server.submit_modal(again, FORM))


async def test_a_slow_registry_still_gets_the_member_an_answer(harness: Harness) -> None:
    h = harness
    user = await h.newcomer("slow.registry", "Slow Registry")
    h.registry.hang_next(1, seconds=4.0)  # longer than Discord's 3 s, shorter than the lookup's timeout
    opened = await h.click(user, h.verify_message().id, "primum:verification:start")
    text = await deferred_answer(h.stack, h.server.submit_modal(opened, FORM))
    assert "with the moderators" in text


async def test_two_rechecks_over_a_slow_registry_report_a_finding_once(clocked: Harness) -> None:
    h = clocked
    clock = h.stack.clock
    assert isinstance(clock, FakeClock)
    user = await _approved(h, "twice.checked")
    await h.wait_for(lambda: h.cog.recheck_passes >= 1, what="the start-up re-check pass")
    clock.advance(days=31)
    h.registry.deactivate(DEMO_PHYSICIAN)
    h.registry.hang_next(2, seconds=2.0)
    owner, general = h.ids.owner_id, h.ids.channel("general")
    first = h.server.invoke_slash(owner, "verification recheck", {}, channel_id=general)
    second = h.server.invoke_slash(owner, "verification recheck", {}, channel_id=general)
    answers = [await deferred_answer(h.stack, first), await deferred_answer(h.stack, second)]
    assert sorted(answers) == ["Re-check done; 0 finding(s) posted to the mod log.",
                               "Re-check done; 1 finding(s) posted to the mod log."]
    alerts = [m for m in h.server.bot_messages(h.ids.mod_log) if "Registry re-check" in m.content]
    assert len(alerts) == 1 and f"<@{user}>" in alerts[0].content
    assert len(h.events.of_type("verification_recheck")) == 1


async def test_a_recheck_the_registry_did_not_answer_says_it_is_incomplete(clocked: Harness) -> None:
    h = clocked
    clock = h.stack.clock
    assert isinstance(clock, FakeClock)
    await _approved(h, "outage.checked")
    await h.wait_for(lambda: h.cog.recheck_passes >= 1, what="the start-up re-check pass")
    clock.advance(days=31)
    h.registry.outage()
    rec = h.server.invoke_slash(h.ids.owner_id, "verification recheck", {}, channel_id=h.ids.channel("general"))
    text = await deferred_answer(h.stack, rec)
    assert "Not complete" in text and "did not answer for 1 NPI" in text
    h.registry.recover()  # the NPI was not marked checked: the next pass looks it up
    rec = h.server.invoke_slash(h.ids.owner_id, "verification recheck", {}, channel_id=h.ids.channel("general"))
    assert "Not complete" not in await deferred_answer(h.stack, rec)
    assert h.registry.lookups(DEMO_PHYSICIAN) >= 3
