"""``primum demo --scenario owners``: the everyday tools and the "This was a mistake" review loop.

What the audience sees, in order:
1. a member tells Primum a nudge was a mistake; a few seconds later (the owner shortened the
   batching for the demo) one #mod-log digest lists the report with its own verdict buttons;
2. a moderator gives the verdict; the member is told by DM; the verdict is kept as a labelled
   calibration example (score and label, no text) for ``primum calibrate --from-db``;
3. ``/mod warn`` (the member receives it by DM) and ``/mod tempban`` that lifts itself.

Events: ``nudge_report``, ``report_digest``, ``report_verdict``, ``case``, ``tempban``, ``tempban_lifted``.
"""

from __future__ import annotations

from typing import Any

TITLE = "Owners and moderators: a mistaken nudge reviewed and the member told; warn; a timed ban that lifts"
ORDER = 35

OWNER, NADIA = "Dr. Priya Raman", "Dr. Nadia Haddad"
SAM, RAJ, NEWCOMER = "Dr. Samuel Whitfield", "Dr. Rajesh Patel", "Alex Kim"


def _buttons(message: Any) -> list[str]:
    return [str(c["custom_id"]) for row in message.components for c in row["components"] if c.get("custom_id")]


async def play(demo: Any) -> None:
    """Play the owners' scenario against the local Discord."""
    demo.narrate("The owner batches mistake reports for 3 seconds in the demo (normally 30 minutes).")
    await demo.slash(OWNER, "general", "kind-reports digest", minutes=0.05)

    demo.narrate("A pointed but fair question gets a nudge; its author says the nudge was a mistake.")
    await demo.say(SAM, "clinical-cases", "Did they even teach you pharmacology? Read the trial.")
    nudge = await demo.wait_event("nudge", 15)
    # the nudge event is the decision; the DM exists once its delivery is reported
    await demo.wait_event("nudge_delivery", 15, where=lambda e: e.get("nudge_id") == nudge.get("nudge_id"))
    dm = demo.server.dms_to(demo.member(SAM))[-1]
    mistake = next(cid for cid in _buttons(dm) if ":mistake:" in cid)
    await demo.click(SAM, dm, mistake, label="This was a mistake")

    digest = await demo.wait_event("report_digest", 20)
    demo.narrate(f"One #mod-log post for {digest['reports']} report(s), not a ping per report.")
    card = next(m for m in reversed(demo.server.messages(demo.channel("mod-log")))
                if "reported as a mistake" in m.content)
    fair = next(cid for cid in _buttons(card) if cid.startswith("primum:review:fair:"))
    await demo.click(NADIA, card, fair, label="nudge was fair")
    verdict = await demo.wait_event("report_verdict", 15)
    demo.narrate(f"Verdict: {verdict['verdict']}. The member was told by DM; `primum calibrate --from-db` can "
                 "now use it (a score and a label, never the text).")

    demo.narrate("A warning the member actually receives, on the record like every action.")
    await demo.slash(NADIA, "general", "mod warn", member=demo.member(RAJ), reason="Keep it about the trial data")
    await demo.pause(0.5)

    demo.narrate("A timed ban of a spam account; Primum lifts it by itself (restart-safe).")
    await demo.slash(NADIA, "general", "mod tempban", member=demo.member(NEWCOMER), duration="15s",
                     reason="spam links in #general")
    await demo.wait_event("tempban", 15)
    lifted = await demo.wait_event("tempban_lifted", 40)
    demo.narrate(f"The ban lifted itself {lifted['late_s']:.2f} s after its time; both are cases.")
