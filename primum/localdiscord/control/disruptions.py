"""Things going wrong: dropped or invalidated gateway sessions, failing and slow REST answers."""

from __future__ import annotations

from .base import ControlBase


class Disruptions(ControlBase):
    """Gateway disruptions and scripted REST faults (see :mod:`primum.localdiscord.faults`)."""

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the bot's websocket (4000: resumable; discord.py reconnects and RESUMEs)."""
        await self.gateway.drop(code)

    async def send_reconnect(self) -> None:
        """Send op 7 RECONNECT."""
        await self.gateway.send_reconnect()

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION."""
        await self.gateway.invalidate(resumable)

    def fail_next(self, method: str, path_regex: str, status: int, code: int = 0, *,
                  message: str | None = None, retry_after: float | None = None, is_global: bool = False,
                  times: int = 1) -> None:
        """Make the next ``times`` matching requests fail (429 gets ``retry_after``, ``global`` and Via)."""
        self.faults.fail(method, path_regex, status, code, message, retry_after, is_global, times)

    def slow_next(self, method: str, path_regex: str, delay_s: float, *, times: int = 1) -> None:
        """Answer the next ``times`` matching requests ``delay_s`` late, after they took effect.

        A client killed while waiting has sent something it never learnt about (a DM that exists
        although its sender never saw the reply): the case exactly-once delivery must handle.
        """
        self.faults.delay(method, path_regex, delay_s, times)

    def clear_faults(self) -> None:
        """Forget every scripted failure and delay that has not fired yet."""
        self.faults.clear()
