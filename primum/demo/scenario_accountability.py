"""``primum demo --scenario accountability``: every action on the record, appealable, with checks on moderators.

What the audience sees, in order:
1. a moderator hides a message with a reason; the author gets their text back by DM;
2. the member sees the case in ``/standing`` and appeals it;
3. the appeal goes to a moderator who took no part in the case, who overturns it; the decision and
   reason go back to the member and into the case (as an amendment: nothing is overwritten);
4. one moderator's ban of a verified physician waits for a second moderator, who confirms it.

Events: ``case`` (hide, then the overturning amendment, then the ban), ``appeal``,
``appeal_decided``, ``case_pending`` and ``case_confirmation``.
"""

from __future__ import annotations

from typing import Any

TITLE = "Accountable moderation: cases, appeals to an uninvolved moderator, two moderators to remove"
ORDER = 70

NADIA, MARCUS = "Dr. Nadia Haddad", "Dr. Marcus Reid"
AMARA, ELENA, TOM = "Dr. Amara Okafor", "Dr. Elena Vasquez", "Dr. Thomas O'Connell"


async def play(demo: Any) -> None:
    """Play the accountability scenario against the local Discord."""
    demo.narrate("A heated policy thread. A moderator hides one message and must say why.")
    await demo.say(ELENA, "politics", "Site-neutral payments would save Medicare billions.")
    sent = await demo.say(AMARA, "politics", "Only someone who has never run a clinic would say something that naive.")
    await demo.slash(NADIA, "politics", "mod hide", message=str(sent.id),
                     reason="Belittling a colleague instead of the argument")
    hidden = await demo.wait_event("case", where=lambda e: e["kind"] == "hide")
    number = hidden["number"]
    demo.narrate(f"Case #{number} is on the record; the author got their text back by DM with the reason.")

    demo.narrate("The member looks at their standing: nothing about them is hidden from them.")
    await demo.slash(AMARA, "politics", "standing")

    demo.narrate("She appeals. The appeal goes to a moderator who took no part in the case.")
    await demo.slash(AMARA, "politics", "appeal", case=number,
                     statement="I was criticising the proposal's realism, not Elena. I'll rephrase.")
    appeal = await demo.wait_event("appeal")
    demo.narrate(f"Appeal #{appeal['appeal_id']} assigned to {demo.transcript.name(appeal['reviewer_id'])}"
                 if appeal["reviewer_id"] else "No uninvolved moderator; the review queue takes it.")

    demo.narrate("The uninvolved moderator overturns the case and says why; the case gets an amendment.")
    await demo.slash(MARCUS, "review-queue", "mod decide", appeal=appeal["appeal_id"], outcome="overturn",
                     reason="Sharp, but aimed at the proposal. Rephrasing is the right fix.")
    decided = await demo.wait_event("appeal_decided")
    demo.narrate(f"Decision: {decided['outcome']}. The member was told by DM; /case show keeps both rows.")
    await demo.slash(MARCUS, "review-queue", "case show", case=number)

    demo.narrate("A single moderator tries to ban a verified physician: that waits for a second moderator.")
    await demo.slash(NADIA, "review-queue", "mod ban", member=demo.member(TOM),
                     reason="Repeated personal attacks after two warnings")
    pending = await demo.wait_event("case_pending")
    demo.narrate(f"Removal request #{pending['confirmation_id']} is waiting; nothing has happened to the member yet.")
    await demo.slash(MARCUS, "review-queue", "mod confirm", request=pending["confirmation_id"], decision="confirm")
    banned = await demo.wait_event("case", where=lambda e: e["kind"] == "ban")
    demo.narrate(f"Confirmed by a second moderator: case #{banned['number']}, appealable by DM.")
