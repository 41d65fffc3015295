"""``primum demo --scenario verification``: a physician joins and is verified; a typo is explained;
an outage of the registry is waited out.

What the audience sees, in order:
1. a new member joins and gets the Unverified role; #verify has a pinned **Verify** button;
2. she presses it and fills in the form (name, NPI, specialty, state); Primum checks the NPI's
   check digit, looks it up in (a local stand-in of) the NPPES NPI Registry, compares the name and
   posts a review card in the private #review-queue;
3. Primum restarts while the request is pending;
4. after the restart a moderator presses **Approve** on the card: Verified Physician is granted,
   Unverified removed, and a welcome DM sent;
5. another newcomer runs ``/verify`` with a mistyped NPI (bad check digit) and is told exactly why;
6. the registry goes down while a third physician submits: she is told at once that her request is
   waiting for the registry (not her fault, not counted); when the registry is back, the background
   retry decides it, her card reaches the review queue and she gets a DM.

Events: ``verification_submitted`` (queued, invalid_npi, awaiting_registry), ``verified``,
``verification_registry_answered`` and ``verification_registry_notified``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cogs._verification_views import APPROVE_ID, START_ID
from primum.domain.npi import make_npi
from primum.integrations.nppes_standin import DEMO_PHYSICIAN, demo_registry, physician

TITLE = "Physician verification: NPI Registry check, review queue, approval"
ORDER = 10
MODERATOR = "Dr. Nadia Haddad"
NEWCOMER = "Alex Kim"
#: The third physician, whose request waits out a registry outage.
WAITER_NPI = make_npi("167543210")
#: Seconds between background lookups in the demo (a real server waits 30 s, then longer).
DEMO_RETRY_S = (1.5,)
DEMO_QUICK_TIMEOUT_S = 15.0


def _bot_messages_with(demo: Any, channel: str, custom_id: str) -> list[Any]:
    return [m for m in demo.server.bot_messages(demo.channel(channel)) if custom_id in str(m.components)]


def _answer_text(demo: Any, interaction: Any) -> str:
    for message_id in [*interaction.followup_ids, interaction.original_message_id]:
        message = demo.server.world.messages.get(message_id) if message_id else None
        if message is not None and message.content:
            return str(message.content)
    return ""


async def play(demo: Any) -> None:
    """Play the verification scenario against the local Discord and a local NPPES stand-in."""
    async with demo_registry() as registry:
        demo.narrate("Primum looks NPIs up in a local stand-in of the NPPES NPI Registry (no internet needed); "
                     "it serves the registry's real response shapes.")
        # The local stand-in is healthy until the outage below; a busy demo machine must not look like one.
        demo.stack.settings = replace(demo.stack.settings, nppes_base_url=registry.url,
                                      nppes_quick_timeout_s=DEMO_QUICK_TIMEOUT_S)
        demo.bot.get_cog("Verification").nppes.base_url = registry.url
        demo.bot.get_cog("Verification").nppes.quick_timeout_s = DEMO_QUICK_TIMEOUT_S

        demo.narrate("A physician joins the server. Until verified she sees only #verify.")
        user = demo.server.create_user("amara.okafor.reyes", global_name="Amara Okafor-Reyes")
        demo.server.member_join(user.id)
        await demo.pause(0.5)

        button = _bot_messages_with(demo, "verify", START_ID)[-1]
        demo.narrate("She presses the pinned Verify button and fills in the form.")
        opened = await demo.click(user.id, button, START_ID, label="Verify")
        form = {"full_name": "Dr. Amara N. Okafor-Reyes, MD", "npi": DEMO_PHYSICIAN,
                "specialty": "Cardiology", "state": "NY"}
        submitted = await demo.submit(opened, form, who="Amara Okafor-Reyes")
        event = await demo.wait_event("verification_submitted", where=lambda e: e.get("outcome") == "queued")
        await demo.pause(0.3)
        demo.narrate(f"NPI {DEMO_PHYSICIAN}: check digit valid, active NPI-1 with a physician taxonomy, name "
                     f"{event['name_match']}. She is told: {_answer_text(demo, submitted)!r}")
        demo.narrate("The request waits in the private #review-queue with the registry facts and "
                     "Approve / Deny / Ask-for-more buttons.")

        await demo.restart_bot()
        demo.narrate("Primum restarted with the request pending; the card's buttons still work.")
        card = _bot_messages_with(demo, "review-queue", APPROVE_ID)[-1]
        await demo.click(MODERATOR, card, APPROVE_ID, label="Approve")
        verified = await demo.wait_event("verified")
        await demo.pause(0.3)
        roles = ", ".join(demo.server.role_names(user.id)) or "none"
        demo.narrate(f"Approved by a moderator: role granted={verified['role_granted']}, welcome sent by "
                     f"{verified['notified']}. Her roles now: {roles}.")

        demo.narrate("Another newcomer runs /verify and mistypes the last digit of the NPI.")
        opened = await demo.slash(NEWCOMER, "verify", "verify")
        typo = await demo.submit(opened, {**form, "full_name": "Alex Kim", "npi": "1234567890"}, who=NEWCOMER)
        refused = await demo.wait_event("verification_submitted", where=lambda e: e.get("outcome") == "invalid_npi")
        await demo.pause(0.3)
        demo.narrate(f"Refused before any lookup ({refused['problem']}); Alex is told privately: "
                     f"{_answer_text(demo, typo)!r}")

        await _outage_then_recovery(demo, registry)


async def _outage_then_recovery(demo: Any, registry: Any) -> None:
    registry.add(physician(WAITER_NPI, "Sofia", "Marchetti", state="NJ",
                           taxonomies=(("207P00000X", "Emergency Medicine", True),)))
    cog = demo.bot.get_cog("Verification")
    cog.service.waiting.delays_s = DEMO_RETRY_S
    demo.narrate("The NPI Registry goes down (every lookup now gets HTTP 503).")
    registry.outage()
    user = demo.server.create_user("sofia.marchetti", global_name="Sofia Marchetti")
    demo.server.member_join(user.id)
    await demo.pause(0.5)
    button = _bot_messages_with(demo, "verify", START_ID)[-1]
    opened = await demo.click(user.id, button, START_ID, label="Verify")
    submitted = await demo.submit(opened, {"full_name": "Sofia Marchetti", "npi": WAITER_NPI,
                                           "specialty": "Emergency Medicine", "state": "NJ"}, who="Sofia Marchetti")
    waiting = await demo.wait_event("verification_submitted", where=lambda e: e.get("outcome") == "awaiting_registry")
    demo.narrate(f"One short try failed, so she is told at once (request #{waiting['request_id']}, not counted "
                 f"against her attempts): {_answer_text(demo, submitted)!r}")
    await demo.pause(2.0)
    demo.narrate(f"Primum keeps asking in the background ({registry.lookups(WAITER_NPI)} lookups so far). "
                 "The registry comes back.")
    registry.recover()
    answered = await demo.wait_event("verification_registry_answered", timeout=20)
    notified = await demo.wait_event("verification_registry_notified", timeout=10)
    await demo.pause(0.3)
    demo.narrate(f"The background retry decided it after {answered['lookups']} background lookup(s): "
                 f"{answered['outcome']}, name {answered['name_match']}; the card is in #review-queue and she was "
                 f"told by {notified['notified']}.")
