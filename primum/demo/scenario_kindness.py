"""``primum demo --scenario kindness``: physicians talk shop, disagree, and one of them gets a nudge.

What the audience sees, in order:
1. clinical shop talk (no nudge) and a civil disagreement (no nudge);
2. a belittling reply: a private nudge; the author edits it: ``nudge_outcome`` revised;
3. another belittling message whose nudge is ignored: after the (demo-short) window, kept;
   then a coded antisemitic jab (a documented code the model alone misses) is nudged, and a
   colleague who quotes it to reject it is not; so is a call for violence against a group, as a
   threat, though its author was nudged minutes before, and "kys" said to a colleague; a threat
   sent word by word ("watch" / "your" / "back") is read as one line and nudged;
4. with a hide threshold set by the owner, a threatening message is hidden and its full text
   returned to its author by DM; the mod-log gets a case with scores but no text.

Events: ``nudge``, ``nudge_outcome`` (revised, then kept), ``hide`` and ``sanction_notice`` (the DM
naming the case and how to appeal).
"""

from __future__ import annotations

from typing import Any

TITLE = "Be kind: shop talk and debate pass; a belittling reply is nudged, revised, kept, hidden"
ORDER = 20

OWNER = "Dr. Priya Raman"
AMARA, RAJ, ELENA, SAM = "Dr. Amara Okafor", "Dr. Rajesh Patel", "Dr. Elena Vasquez", "Dr. Samuel Whitfield"


async def play(demo: Any) -> None:
    """Play the be-kind scenario against the local Discord."""
    demo.narrate("Owners make the outcome window short for the demo (normally 30 minutes).")
    await demo.slash(OWNER, "general", "kind-settings window", which="outcome", duration="10s")

    demo.narrate("Clinical shop talk: blunt words about diseases are not unkind to anyone.")
    await demo.say(AMARA, "clinical-cases", "58M, STEMI, door-to-balloon 52 minutes. Killer LAD lesion, "
                   "we nuked it with tenecteplase first because cath lab was 2 hours out.")
    await demo.say(RAJ, "clinical-cases", "Reasonable. I'd still have given a loading dose of ticagrelor.")

    demo.narrate("Civil disagreement: debate is welcome.")
    await demo.say(ELENA, "clinical-cases", "I disagree — the PLATO data don't support ticagrelor after lysis; "
                   "clopidogrel is the studied option there.")

    demo.narrate("A belittling reply: Primum nudges its author privately, right after it is posted.")
    sent = await demo.say(SAM, "clinical-cases", "Did they even teach you pharmacology? Read the trial.")
    nudge = await demo.wait_event("nudge", 10)
    demo.narrate(f"Nudge sent privately (category {nudge['category']}, score {nudge['score']}).")

    demo.narrate("The author edits the message; Primum counts that as revised, with no penalty.")
    await demo.edit(sent, "I read the trial differently — can you share the subgroup data?")
    revised = await demo.wait_event("nudge_outcome", 10)
    demo.narrate(f"Outcome: {revised['outcome']}.")

    demo.narrate("Another belittling message; this time the author ignores the nudge.")
    await demo.say(RAJ, "politics", "Oh sweetie, bless your heart. Maybe leave the ECGs to the grown-ups.")
    await demo.wait_event("nudge", 10)
    kept = await demo.wait_event("nudge_outcome", 20)
    demo.narrate(f"The window ran out with the message unchanged: {kept['outcome']}. The message stays up and "
                 "nothing else happens to its author: a nudge is never a sanction.")

    demo.narrate("A coded antisemitic jab: the triple-parenthesis echo carries no unkind word, so the model "
                 "alone reads it as neutral; Primum's list of documented codes makes it a nudge (never a hide).")
    await demo.say(SAM, "venting", "Funny how (((they))) always end up on the hospital board.")
    coded = await demo.wait_event("nudge", 10)
    demo.narrate(f"Nudged privately (category {coded['category']}).")
    demo.narrate("A colleague quotes it to reject it: naming the code is counter-speech, not a use of it.")
    await demo.say(AMARA, "venting", 'Quoting "(((they)))" back at you: that echo is an antisemitic code. Not here.')
    await demo.expect_no_event("nudge", 3)
    demo.narrate("No nudge for the colleague who called it out.")

    demo.narrate("A call for violence against a group: the model reads it as talk about refugees and scores it "
                 "under the cut-off; Primum's list of such calls makes it a nudge as a threat and alerts the "
                 "moderators, though the author was nudged minutes ago: a graver "
                 "message is never swallowed by the nudge window.")
    await demo.say(SAM, "politics", "Refugees should be shot at the border, simple as that.")
    call = await demo.wait_event("nudge", 10)
    demo.narrate(f"Nudged privately (category {call['category']}).")

    demo.narrate("Telling a colleague to kill themselves, in chat shorthand: the model scores \"kys\" under the "
                 "cut-off; Primum's list of orders and wishes to die makes it a nudge as a threat and alerts "
                 "the moderators (\"you'll kill yourself with these hours\" would not match).")
    await demo.say(ELENA, "politics", "kys lol")
    told = await demo.wait_event("nudge", 10)
    demo.narrate(f"Nudged privately (category {told['category']}).")

    demo.narrate("One line sent as quick short messages, each harmless alone: Primum reads the run whole "
                 "and nudges the piece that completes it (a nudge only: no piece is hidden for the line).")
    for piece in ("watch", "your", "back"):
        await demo.say(RAJ, "general", piece)
    pieced = await demo.wait_event("nudge", 10)
    demo.narrate(f"Nudged privately for the whole line (category {pieced['category']}).")

    demo.narrate("The owner turns on hiding at 0.9: only clearly threatening messages are hidden.")
    await demo.slash(OWNER, "general", "kind-settings threshold", action="hide", value="0.9")
    await demo.say(ELENA, "general", "Report me again and watch your back.")
    hidden = await demo.wait_event("hide", 10)
    demo.narrate(f"Hidden (category {hidden['category']}); the author got the full text back by DM: "
                 f"{'yes' if hidden['returned'] else 'no'}. The mod-log case has scores, not the text.")
    notice = await demo.wait_event("sanction_notice", 10)
    demo.narrate(f"A second DM names the case (#{notice['case_number']}) and how to appeal it with /appeal.")
