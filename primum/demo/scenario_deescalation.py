"""``primum demo --scenario deescalation``: debate is welcome, belittling is not.

A civil policy debate in #politics changes nothing. One sharp line in a civil thread gets its
author a private nudge and nothing more: no notice, no slowmode, and the civil member is never
touched. Then two physicians start trading insults, answering each other by mention: Primum
posts a calm notice, then turns on a short slowmode that lifts itself a few seconds later (the
owner shortened it for the demo with /deescalation config). Last, the owner puts #general in
observe mode: Primum only reports to #mod-log what it would have done, and a moderator answers
the report with its Wrong button (a labelled example for ``primum calibrate --from-db``).

Written against the demo framework's ``demo`` object: ``ids`` (the seeded ``PhysicianServer``),
``say(member, channel, text)``, ``slash(member, channel, "command sub", **options)``,
``narrate(text)`` and ``wait_event(type, timeout)``. Members are seed display names, channels
seed channel names. ``slash`` must take its first three parameters positional-only, because the
commands have options named ``member`` and ``channel``.
"""

from __future__ import annotations

from typing import Any

TITLE = ("De-escalation: a civil debate passes; one sharp line is only nudged; a heated exchange gets a notice, "
         "then a slowmode that lifts itself; observe mode reports instead of acting")
ORDER = 30

OWNER = "Dr. Priya Raman"
ALICE = "Dr. Amara Okafor"
BOB = "Dr. Rajesh Patel"
ELENA, SAM, MEI = "Dr. Elena Vasquez", "Dr. Samuel Whitfield", "Dr. Mei-Lin Chen"
MODERATOR = "Dr. Nadia Haddad"
CHANNEL = "politics"
SLOWMODE_MINUTES = 0.1  # six seconds, so the demo shows it lifting itself

CIVIL = [
    (ALICE, "Single payer would cut administrative costs; the billing overhead numbers are stark."),
    (BOB, "I disagree. Wait times matter too, and the Canadian data worry me."),
    (ALICE, "Fair point. Germany's multi-payer model might be the better comparison."),
    (BOB, "Agreed that it's worth studying. Let's look at outcomes, not slogans."),
]
ONE_SHARP_LINE = [
    (ELENA, "Apixaban dose for her: 5 mg BID, she's 71, 62 kg, creatinine 1.1."),
    (SAM, "Honestly, only a clown would dose it that way. Did you sleep through residency?"),
    (ELENA, "Fair question, but she meets none of the reduction criteria; happy to go through them."),
    (SAM, "Ok, you're right, I misread her weight."),
]
HEATED = [
    (ALICE, "{bob} honestly, you're an idiot if you believe that."),
    (BOB, "{alice} only a moron would cite that study. Are you really this dense?"),
    (ALICE, "{bob} you idiot, did you even read the methods?"),
    (BOB, "{alice} moron. Read it yourself."),
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

    demo.narrate("One sharp line in a civil clinical thread: its author gets a private nudge, nothing more.")
    for member, text in ONE_SHARP_LINE:
        await demo.say(member, "clinical-cases", text)
    nudge = await demo.wait_event("nudge", 10)
    demo.narrate(f"Nudge sent privately (score {nudge['score']}). No notice, no slowmode, no cooldown: one "
                 "flagged message is never a sanction, and the civil member is never touched.")

    demo.narrate("Now two physicians start belittling each other, back and forth.")
    for member, text in HEATED:
        await demo.say(member, CHANNEL, text.format(**mention))
    notice = await demo.wait_event("heat_notice", 10)
    demo.narrate(f"Heat {notice['heat']:.2f}, two members flagged: Primum posts a calm notice "
                 "(\"Let's take a breath…\").")
    slowmode = await demo.wait_event("slowmode", 10)
    demo.narrate(f"Both keep going after the notice: {slowmode['seconds']} s slowmode until "
                 f"{slowmode['expires_at']}.")
    lifted = await demo.wait_event("slowmode_lifted", 30)
    demo.narrate(f"The slowmode lifts itself ({lifted['outcome']}, {lifted['late_s']:.2f} s after its time).")

    demo.narrate("Observe mode: the owner lets Primum only report in #general, as it does on a new server's "
                 "first week.")
    await demo.slash(OWNER, "general", "kind-settings observe", mode="on", channel=demo.channel("general"))
    await demo.say(MEI, "general", "Did they even teach you pharmacology? Read the label.")
    report = await demo.wait_event("observe_report", 10)
    demo.narrate(f"Nothing happened to the member; #mod-log got \"would have sent {report['action']}\" "
                 f"(score {report['score']}) with Correct / Wrong buttons.")
    posted = demo.server.bot_messages(demo.ids.mod_log)[-1]
    await demo.click(MODERATOR, posted, f"primum:observe:wrong:{report['report_id']}", label="Wrong")
    verdict = await demo.wait_event("observe_verdict", 10)
    demo.narrate(f"The verdict ({verdict['verdict']}) is stored as a labelled example for "
                 "`primum calibrate --from-db` (score and category only, no text).")
