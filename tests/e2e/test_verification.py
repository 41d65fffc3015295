"""Physician verification end to end (the cog): onboarding, a request pending across a restart and
approved after it, owner commands (data deletion), the periodic registry re-check, and a registry
outage waited out across a restart (also as the demo scenario).

The harness (:mod:`tests.e2e.verification_harness`) drives real discord.py against the local
Discord, the local NPPES stand-in and a real local SMTP server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cogs._verification_views import APPROVE_ID, DENY_ID, START_ID
from primum.integrations.nppes_standin import DEMO_PHYSICIAN
from primum.runtime.clock import FakeClock
from tests.e2e import verification_harness
from tests.e2e.verification_harness import Harness, card_fields, has_button

pytestmark = pytest.mark.e2e

smtp = verification_harness.smtp
harness = verification_harness.harness
clocked = verification_harness.clocked


async def test_join_verify_restart_then_approve_after_restart(harness: Harness) -> None:
    h = harness
    user = await h.newcomer("amara.new", "Amara Okafor-Reyes")
    answer = await h.submit_form(user)
    assert "with the moderators" in answer.content and answer.ephemeral
    submitted = await h.event("verification_submitted", user_id=user)
    assert submitted["outcome"] == "queued" and submitted["name_match"] == "exact"
    card = await h.wait_for(lambda: next(iter(h.cards()), None), what="review card")
    fields = card_fields(card)
    assert DEMO_PHYSICIAN in fields["NPI Registry"] and "207RC0000X" in fields["Taxonomies"]
    assert fields["Name match"].startswith("Exact match") and "Amara Okafor-Reyes" in fields["Typed by the member"]
    assert "⚠ Caution" not in fields
    assert all(has_button(card, cid) for cid in (APPROVE_ID, DENY_ID))

    await h.stack.restart_bot()  # the request is pending; the pinned button and the card must keep working
    assert len([m for m in h.server.bot_messages(h.ids.channel("verify")) if m.pinned]) == 1  # not re-posted

    approve = await h.click(h.moderator, card.id, APPROVE_ID)
    verified = await h.event("verified", user_id=user)
    assert verified["role_granted"] is True and verified["notified"] == "dm"
    assert verified["reviewer_id"] == h.moderator and verified["taxonomy"] == "207RC0000X"
    names = h.server.role_names(user)
    assert "Verified Physician" in names and "Unverified" not in names
    welcome = await h.server.wait_dm(user)
    assert "verified you as a physician" in welcome.content
    assert "Approved" in (await h.answer(approve)).content
    await h.wait_for(lambda: not h.server.world.messages[card.id].components, what="card closed")
    assert "Approved by" in card_fields(h.server.world.messages[card.id])["Decision"]

    again = await h.click(user, h.verify_message().id, START_ID)  # verified members are told so
    assert again.modal is None

    h.server.member_leave(user)
    h.server.member_join(user)  # a verified physician who rejoins gets the role back
    await h.wait_for(lambda: "Verified Physician" in h.server.role_names(user), what="role restored on rejoin")


async def test_forget_user(harness: Harness) -> None:
    h = harness
    user = await h.newcomer("forget.me", "Forget Me")
    await h.submit_form(user)
    await h.event("verification_submitted", user_id=user)
    answer = await h.answer(await h.slash(h.ids.owner_id, "verification forget", "general", user=str(user),
                                             reason="the member asked by e-mail"))
    assert "Deleted 2 verification record(s)" in answer.content
    assert await h.cog.service.repo.latest_for_member(h.ids.guild_id, user) is None
    card = h.cards()[-1]
    stale = await h.click(h.moderator, card.id, APPROVE_ID)  # the card outlived the data: a clear answer
    assert "no request for this card" in (await h.answer(stale)).content


async def test_periodic_recheck_alerts_moderators(clocked: Harness) -> None:
    h = clocked
    clock = h.stack.clock
    assert isinstance(clock, FakeClock)
    user = await h.newcomer("recheck.doc", "Recheck Doc")
    await h.submit_form(user)
    card = await h.wait_for(lambda: next(iter(h.cards()), None), what="review card")
    await h.click(h.moderator, card.id, APPROVE_ID)
    await h.event("verified", user_id=user)
    await h.stack.restart_bot()  # last_checked_at is in the database, not in memory
    await h.wait_for(lambda: h.cog.recheck_passes >= 1, what="the start-up re-check pass")  # nothing due yet
    clock.advance(days=31)
    h.registry.deactivate(DEMO_PHYSICIAN)
    answer = await h.answer(await h.slash(h.ids.owner_id, "verification recheck", "general"))
    assert "1 finding" in answer.content
    alert = await h.wait_for(lambda: next((m for m in h.server.bot_messages(h.ids.mod_log)
                                           if "Registry re-check" in m.content), None), what="alert")
    assert f"<@{user}>" in alert.content and "deactivated" in alert.content
    assert (await h.event("verification_recheck", user_id=user))["registry_status"] == "deactivated"


async def test_registry_outage_waits_survives_a_restart_and_decides_when_the_registry_is_back(
        clocked: Harness) -> None:
    h = clocked
    clock = h.stack.clock
    assert isinstance(clock, FakeClock)
    user = await h.newcomer("outage.doc", "Outage Doc")
    h.registry.outage()
    answer = await h.submit_form(user)
    assert "waiting for the registry" in answer.content and "not your fault" in answer.content and answer.ephemeral
    submitted = await h.event("verification_submitted", user_id=user)
    assert submitted["outcome"] == "awaiting_registry" and not h.cards()
    assert h.registry.lookups(DEMO_PHYSICIAN) == 1  # one short attempt while the member waited

    await h.stack.restart_bot()  # the wait lives in the database, not in memory
    clock.advance(seconds=45)
    h.cog.service.waiting.scheduler.poke()
    await h.wait_for(lambda: h.registry.lookups(DEMO_PHYSICIAN) >= 2, what="a background lookup after the restart")
    request = await h.cog.service.repo.latest_for_member(h.ids.guild_id, user)
    assert request.status.value == "awaiting_registry" and request.typed is not None  # still down: still waiting

    h.registry.recover()
    clock.advance(minutes=5)
    h.cog.service.waiting.scheduler.poke()
    notified = await h.event("verification_registry_notified", user_id=user, timeout=15)
    assert notified["outcome"] == "queued" and notified["notified"] == "dm"
    dm = await h.server.wait_dm(user)
    assert "the NPI Registry answered" in dm.content and "with the moderators" in dm.content
    card = await h.wait_for(lambda: next(iter(h.cards()), None), what="review card after the registry came back")
    fields = card_fields(card)
    assert fields["Name match"].startswith("Exact match") and "Amara Okafor-Reyes" in fields["Typed by the member"]
    decided = await h.cog.service.repo.get(request.id)
    assert decided.status.value == "pending" and decided.typed is None
    await h.click(h.moderator, card.id, APPROVE_ID)
    assert (await h.event("verified", user_id=user))["role_granted"] is True
    assert await h.cog.service.repo.attempts_since(h.ids.guild_id, user, clock.now().replace(year=2000)) != []


def test_demo_scenario_shows_an_outage_waited_out(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    events_file = tmp_path / "events.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "primum.cli", "demo", "--scenario", "verification", "--model", "fake", "--events",
         str(events_file)], cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=240,
        check=False)
    assert result.returncode == 0, result.stderr
    assert "waiting for the registry" in result.stdout and "The registry comes back" in result.stdout
    events = [json.loads(line) for line in events_file.read_text(encoding="utf-8").splitlines()]
    outcomes = [e["outcome"] for e in events if e["type"] == "verification_submitted"]
    assert outcomes == ["queued", "invalid_npi", "awaiting_registry"]
    answered = next(e for e in events if e["type"] == "verification_registry_answered")
    notified = next(e for e in events if e["type"] == "verification_registry_notified")
    assert answered["outcome"] == "queued" and notified["notified"] == "dm"
