"""Templated benign rows that break two shortcuts the first model learned (train split only).

1. "Second person means unkind": almost every unkind row says "you", so praise, thanks and civil
   disagreement addressed to "you" scored high. These templates address a colleague kindly or
   disagree with the argument, not the person.
2. "Strong words mean unkind": venting at institutions ("prior auth is the dumbest system") and
   self-deprecation ("I'm the worst at names") are kind in our policy; the target is a system or
   oneself, never a colleague.

Deterministic for a seed; never used for dev, so it cannot flatter the reported metrics.
"""

from __future__ import annotations

import random

TOPICS = (
    "the sepsis bundle", "anticoagulation bridging", "the new EHR rollout", "insulin drips in DKA",
    "early mobility after surgery", "the heart failure pathway", "CT in minor head injury",
    "opioid tapering", "the vaccine schedule", "scope of practice", "resident duty hours",
    "the stroke alert protocol", "antibiotic stewardship", "the palliative care consult",
    "ventilator weaning", "the trauma activation criteria", "hyperkalemia management",
    "the night float schedule", "breast cancer screening intervals", "the new sedation policy",
    "pediatric fever workups", "the troponin algorithm", "chest tube management", "delirium prevention",
    "the discharge checklist", "prenatal screening", "the med rec process", "contrast allergies",
)

SYSTEMS = (
    "prior auth", "the EHR", "RVU-based pay", "the pager system", "our parking situation",
    "the insurance portal", "the billing software", "the new scheduling tool", "the fax machine",
    "mandatory online modules", "the call room wifi", "hospital admin's latest email",
    "the credentialing process", "the printer on 4 West", "the badge reader",
)

KIND_SECOND_PERSON = (
    "Thanks for your help with {t} today, you saved me hours.",
    "You were right about {t}, I checked the guideline and changed my plan.",
    "Your talk on {t} was the clearest one I've heard all year.",
    "Could you share your slides on {t}? I'd love to use them with the students.",
    "I think you're underestimating how hard {t} is for a small hospital, but I see your point.",
    "Not sure I agree with you on {t}; the data looks mixed to me. Happy to compare notes.",
    "You make a fair point about {t}, though I'd still start with the conservative option.",
    "Respectfully, I read the {t} trial differently than you do. Here's why.",
    "Great question about {t}, you got me rethinking my approach.",
    "You did a great job leading the discussion on {t}.",
    "I hear you on {t}, and I still think we should wait for the full results.",
    "Are you free to talk about {t} after rounds? I'd value your take.",
    "You're overestimating the risk with {t}, in my view, but it's a reasonable concern.",
    "Your point about {t} changed my mind, thank you.",
    "I disagree with your conclusion on {t}, but I appreciate the careful write-up.",
    "Honestly you're the person I ask whenever {t} comes up.",
    "Sorry if I was short with you about {t} earlier, long shift.",
    "You and your team handled {t} beautifully last night.",
    "Congrats on the paper about {t}! You earned it.",
    "I think you've got {t} backwards, the newer guideline changed it. Easy to miss.",
)

VENTING_AT_SYSTEMS = (
    "{s} is the dumbest thing about this job.",
    "{s} is absolute garbage and I'm tired of pretending otherwise.",
    "Whoever designed {s} clearly never worked a night shift.",
    "{s} crashed again, this is so stupid.",
    "I hate {s} with a passion.",
    "{s} is ridiculous, three hours lost today.",
    "Can we talk about how useless {s} is?",
    "{s} is a joke and everyone knows it.",
    "Honestly {s} makes me want to scream.",
    "{s} is the worst part of my week, every week.",
)

SELF_DEPRECATING = (
    "I'm the worst at remembering names, sorry everyone.",
    "I feel like an idiot, I forgot to sign my notes again.",
    "Rookie mistake on my part with {t}, lesson learned.",
    "I was completely wrong about {t}, thanks for correcting me.",
    "My handwriting is so bad even I can't read it.",
    "Total brain fog today, I asked the same question about {t} twice.",
    "I'm hopeless with {t}, can someone walk me through it?",
    "I botched my presentation on {t}, but at least I survived.",
)


def synthetic_rows(seed: int = 13, n: int = 450) -> list[tuple[str, str]]:
    """(text, kind) pairs, all benign; kinds: friendly, civil_disagreement, venting."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    pools = (
        (KIND_SECOND_PERSON, "friendly"),
        (VENTING_AT_SYSTEMS, "venting"),
        (SELF_DEPRECATING, "friendly"),
    )
    attempts = 0
    while len(out) < n and attempts < n * 20:
        attempts += 1
        templates, kind = rng.choices(pools, weights=(0.55, 0.3, 0.15))[0]
        template = rng.choice(templates)
        text = template.format(t=rng.choice(TOPICS), s=rng.choice(SYSTEMS))
        text = text[0].upper() + text[1:]
        if text not in seen:
            seen.add(text)
            out.append((text, kind))
    return out
