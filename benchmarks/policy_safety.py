"""How safe the conversation-level policy keeps civil members under a bad model (pure domain, seeded).

Plays synthetic conversations through heat + the ladder with an injected clock. Civil
conversations (2-5 members, 40 messages, 5-90 s apart, replies to recent speakers) are scored by
"bad models" that flag civil messages anyway (including one that flags everything one member says
and 10% of everyone else's: a one-sided thread where the target or a defender is misjudged now and
then); nudges are assumed delivered and read at once (the worst case for the grace period).
Escalations are two members trading flagged messages after a civil start. Prints, per model, how
many conversations got any step, a notice, anything beyond a notice (slowmode, thread, heat alert)
and a cooldown, and for escalations the message (counted from the first flagged one) at which the
notice and the slowmode came.

    python benchmarks/policy_safety.py [--conversations 30] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from primum.domain.heat import HeatTracker
from primum.domain.ladder import (
    ChannelLadder,
    Cooldown,
    ModAlert,
    Notice,
    Slowmode,
    SuggestThread,
    decide,
)
from primum.domain.ladder_config import LadderConfig
from primum.domain.scored import ScoredMessage

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
THRESHOLD = 0.7
Flagger = Callable[[random.Random, int, int], float | None]  # (rng, author, index) -> score if flagged


@dataclass
class Result:
    any_step: int = 0
    notice: int = 0
    beyond_notice: int = 0
    cooldown: int = 0


def conversation(rng: random.Random, flag: Flagger, n: int = 40) -> list[type]:
    members = list(range(1, rng.randint(2, 5) + 1))
    tracker, state, config = HeatTracker(), ChannelLadder(), LadderConfig()
    seen: dict[int, datetime] = {}
    now, last_author, steps = T0, None, []
    for i in range(n):
        author = rng.choice([m for m in members if m != last_author] or members)
        now += timedelta(seconds=rng.uniform(5, 90))
        score = flag(rng, author, i)
        flagged = score is not None
        scored = ScoredMessage(
            guild_id=1, channel_id=1, message_id=i + 1, author_id=author, created_at=now,
            reply_to_author_id=last_author, mentioned_ids=(), score=score if flagged else 0.1,
            categories={"insult": score if flagged else 0.1}, nudged=flagged and author not in seen,
            author_nudges_recent=0, flagged=flagged, threshold=THRESHOLD, nudge_seen_at=seen.get(author),
        )
        if flagged:
            seen.setdefault(author, now)
        steps += [type(step) for step in decide(state, config, scored, tracker.observe(scored, now), now)]
        last_author = author
    return steps


def tally(rng: random.Random, flag: Flagger, count: int) -> Result:
    result = Result()
    for _ in range(count):
        steps = conversation(rng, flag)
        result.any_step += bool(steps)
        result.notice += Notice in steps
        result.beyond_notice += any(kind in steps for kind in (Slowmode, SuggestThread, ModAlert))
        result.cooldown += Cooldown in steps
    return result


def escalation(rng: random.Random, civil: int = 6, heated: int = 12) -> tuple[int | None, int | None]:
    tracker, state, config = HeatTracker(), ChannelLadder(), LadderConfig()
    now, notice_at, slowmode_at, seen = T0, None, None, {}
    for i in range(civil + heated):
        author = 1 + i % 2
        now += timedelta(seconds=rng.uniform(10, 40))
        flagged = i >= civil
        score = rng.uniform(0.8, 0.98) if flagged else 0.1
        scored = ScoredMessage(1, 1, i + 1, author, now, 3 - author, (), score, {"insult": score}, False, 0,
                               flagged=flagged, threshold=THRESHOLD, nudge_seen_at=seen.get(author))
        if flagged:
            seen.setdefault(author, now)
        for step in decide(state, config, scored, tracker.observe(scored, now), now):
            if isinstance(step, Notice) and notice_at is None:
                notice_at = i - civil + 1
            if isinstance(step, Slowmode) and slowmode_at is None:
                slowmode_at = i - civil + 1
    return notice_at, slowmode_at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    def one_member(rng: random.Random, author: int, index: int) -> float | None:
        return rng.uniform(THRESHOLD, 1.0) if author == 1 else None

    def rate(p: float) -> Flagger:
        return lambda rng, author, index: rng.uniform(THRESHOLD, 1.0) if rng.random() < p else None

    def one_member_and_noise(rng: random.Random, author: int, index: int) -> float | None:
        if author == 1 or rng.random() < 0.10:
            return rng.uniform(THRESHOLD, 1.0)
        return None

    def one_remark(rng: random.Random, author: int, index: int) -> float | None:
        return 0.9 if index == 20 else None

    models: list[tuple[str, Flagger]] = [
        ("flags everything one civil member says", one_member),
        ("flags 13.6% of civil messages (the issue's measured rate)", rate(0.136)),
        ("flags 30% of civil messages", rate(0.30)),
        ("flags all of one member and 10% of everyone else", one_member_and_noise),
        ("one rude remark in a civil thread", one_remark),
    ]
    print(f"{args.conversations} civil conversations per model, 40 messages each (seed {args.seed})")
    print(f"{'model':<58} {'any step':>9} {'notice':>7} {'>notice':>8} {'cooldown':>9}")
    for name, flag in models:
        r = tally(rng, flag, args.conversations)
        print(f"{name:<58} {r.any_step:>9} {r.notice:>7} {r.beyond_notice:>8} {r.cooldown:>9}")
    results = [escalation(rng) for _ in range(10)]
    print("escalations (two members, every message flagged after 6 civil ones), message of the first step:")
    print("  notice:", [n for n, _ in results], " slowmode:", [s for _, s in results])


if __name__ == "__main__":
    main()
