"""``primum demo --scenario deescalation``: debate is welcome, belittling is not.

A civil policy debate in #politics changes nothing. Then two physicians start trading insults,
answering each other by mention: Primum posts a calm notice, then turns on a short slowmode that
lifts itself a few seconds later (the owner shortened it for the demo with /deescalation config).

Written against the demo framework's ``demo`` object: ``ids`` (the seeded ``PhysicianServer``),
``say(member, channel, text)``, ``slash(member, channel, "command sub", **options)``,
``narrate(text)`` and ``wait_event(type, timeout)``. Members are seed display names, channels
seed channel names. ``slash`` must take its first three parameters positional-only, because the
commands have options named ``member`` and ``channel``.
"""

from __future__ import annotations

from typing import Any

TITLE = "De-escalation: a civil debate passes; a heated exchange gets a notice, then a slowmode that lifts itself"
ORDER = 30

OWNER = "Dr. Priya Raman"
ALICE = "Dr. Amara Okafor"
BOB = "Dr. Rajesh Patel"
CHANNEL = "politics"
SLOWMODE_MINUTES = 0.1  # six seconds, so the demo shows it lifting itself

CIVIL = [
    (ALICE, "Single payer would cut administrative costs; the billing overhead numbers are stark."),
    (BOB, "I disagree. Wait times matter too, and the Canadian data worry me."),
    (ALICE, "Fair point. Germany's multi-payer model might be the better comparison."),
    (BOB, "Agreed that it's worth studying. Let's look at outcomes, not slogans."),
]
HEATED = [
    (ALICE, "{bob} honestly, you're an idiot if you believe that."),
    (BOB, "{alice} only a moron would cite that study."),
    (ALICE, "{bob} you idiot, did you even read the methods?"),
]


async def play(demo: Any) -> None:
    """Civil debate -> nothing; heated exchange -> notice -> slowmode -> it lifts itself."""
    mention = {"alice": f"<@{demo.member(ALICE)}>", "bob": f"<@{demo.member(BOB)}>"}
    demo.narrate("The owner shortens slowmode in #politics for this demo (normally 10 minutes).")
    await demo.slash(OWNER, CHANNEL, "deescalation config", setting="slowmode_minutes",
                     value=str(SLOWMODE_MINUTES), channel=demo.channel(CHANNEL))  # slash(..., /, **options)

    demo.narrate("A civil debate on health policy: disagreement is welcome, so Primum does nothing.")
    for member, text in CIVIL:
        await demo.say(member, CHANNEL, text)

    demo.narrate("Now two physicians start belittling each other, back and forth.")
    for member, text in HEATED:
        await demo.say(member, CHANNEL, text.format(**mention))
    notice = await demo.wait_event("heat_notice", 10)
    demo.narrate(f"Heat {notice['heat']:.2f}: Primum posts a calm notice (\"Let's take a breath…\").")
    slowmode = await demo.wait_event("slowmode", 10)
    demo.narrate(f"Heat keeps rising: {slowmode['seconds']} s slowmode until {slowmode['expires_at']}.")
    lifted = await demo.wait_event("slowmode_lifted", 30)
    demo.narrate(f"The slowmode lifts itself ({lifted['outcome']}, {lifted['late_s']:.2f} s after its time).")
