"""``primum demo --scenario restart``: timed actions survive a SIGKILL.

Primum runs as its own process. A moderator turns on a timed slowmode in #general and cools one
member down; then the process is killed with SIGKILL while both are pending, and started again.
Both are in SQLite with their expiry in UTC, so the new process re-arms them and both lift on
time; whatever fell due while the bot was down is undone at once.

Uses the runner's ``demo.start_bot_process()``, ``demo.kill_bot()`` (SIGKILL), ``demo.slash``,
``demo.narrate`` and ``demo.wait_event``.
"""

from __future__ import annotations

import asyncio
from typing import Any

TITLE = "Restart safety: SIGKILL with a slowmode and a cooldown pending; both lift on time"
ORDER = 40

MODERATOR = "Dr. Nadia Haddad"
MEMBER = "Dr. Amara Okafor"
CHANNEL = "general"
SLOWMODE_MINUTES = 0.25  # 15 s: long enough to outlive the restart
COOLDOWN_MINUTES = 0.3  # 18 s


def _from_process(event: dict[str, Any]) -> bool:
    return event.get("source") == "bot-process"


async def play(demo: Any) -> None:
    """Slowmode and cooldown pending -> SIGKILL -> new process -> both lift on time, once."""
    await demo.start_bot_process()
    await demo.wait_event("ready", 30, where=_from_process)  # the child's own ready (commands synced)
    demo.narrate("A moderator slows #general down and gives one member a short cooldown (reasons required).")
    await demo.slash(MODERATOR, CHANNEL, "cooldown channel", reason="heated statin thread",
                     minutes=SLOWMODE_MINUTES, seconds=30)
    slowmode = await demo.wait_event("slowmode", 20)
    await demo.slash(MODERATOR, CHANNEL, "cooldown member", member=demo.member(MEMBER), reason="repeated insults",
                     minutes=COOLDOWN_MINUTES)
    cooldown = await demo.wait_event("cooldown", 20)
    stamp = demo.transcript.stamp_of
    demo.narrate(f"Pending: the slowmode is due to lift at {stamp(slowmode['expires_at'])} and the cooldown "
                 f"to end at {stamp(cooldown['expires_at'])} (on this transcript's clock).")

    await demo.kill_bot()
    await asyncio.sleep(1)
    demo.narrate("A new process starts: pending actions are read back from SQLite and re-armed.")
    await demo.start_bot_process()
    await demo.wait_event("ready", 30, where=_from_process)

    lifted = await demo.wait_event("slowmode_lifted", 40)
    demo.narrate(f"Slowmode lifted ({lifted['outcome']}): due at {stamp(slowmode['expires_at'])}, "
                 f"{lifted['late_s']:.2f} s late.")
    ended = await demo.wait_event("cooldown_lifted", 40)
    demo.narrate(f"Cooldown ended ({ended['outcome']}): due at {stamp(cooldown['expires_at'])}, "
                 f"{ended['late_s']:.2f} s late.")
