"""``primum demo --scenario restart``: timed actions survive a crash.

A moderator turns on a timed slowmode in #general and cools one member down. The bot process is
then killed without any cleanup (``demo.kill_bot()``: the in-process equivalent of SIGKILL) while
both are pending, and started again (``demo.start_bot()``). Both are in SQLite with their expiry
in UTC, so the new process re-arms them and both lift on time; whatever fell due while the bot
was down is undone at once.

Uses ``demo.ids``, ``demo.slash``, ``demo.narrate``, ``demo.wait_event``, ``demo.kill_bot`` and
``demo.start_bot`` (either may be a coroutine function). ``demo.slash`` must take its first three
parameters positional-only (the command has an option named ``member``).
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

MODERATOR = "Dr. Nadia Haddad"
MEMBER = "Dr. Amara Okafor"
CHANNEL = "general"
SLOWMODE_MINUTES = 0.15  # 9 s
COOLDOWN_MINUTES = 0.2  # 12 s


async def _maybe_await(result: Any) -> None:
    if inspect.isawaitable(result):
        await result


async def play(demo: Any) -> None:
    """Slowmode and cooldown pending -> kill -> restart -> both lift on time, once."""
    ids = demo.ids
    demo.narrate("A moderator slows #general down and gives one member a short cooldown (reasons required).")
    await demo.slash(MODERATOR, CHANNEL, "cooldown channel", reason="heated statin thread",
                     minutes=SLOWMODE_MINUTES, seconds=30)
    slowmode = await demo.wait_event("slowmode", 10)
    await demo.slash(MODERATOR, CHANNEL, "cooldown member", member=ids.user(MEMBER), reason="repeated insults",
                     minutes=COOLDOWN_MINUTES)
    cooldown = await demo.wait_event("cooldown", 10)
    demo.narrate(f"Pending: slowmode until {slowmode['expires_at']}, cooldown until {cooldown['expires_at']}.")

    demo.narrate("The bot process is killed (no cleanup, like SIGKILL) …")
    await _maybe_await(demo.kill_bot())
    await asyncio.sleep(2)
    demo.narrate("… and started again: pending actions are read back from SQLite and re-armed.")
    await _maybe_await(demo.start_bot())

    lifted = await demo.wait_event("slowmode_lifted", 30)
    demo.narrate(f"Slowmode lifted ({lifted['outcome']}), {lifted['late_s']:.2f} s after its time.")
    ended = await demo.wait_event("cooldown_lifted", 30)
    demo.narrate(f"Cooldown ended ({ended['outcome']}), {ended['late_s']:.2f} s after its time.")
