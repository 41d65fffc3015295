"""Waiting for the bot: a request, a response to an interaction, a message, a DM, a gateway session."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

from primum.localdiscord.models import Interaction, Message, RequestRecord

from .views import Views

T = TypeVar("T")


class Waiting(Views):
    """Polling waits; by default each looks only at what happened since the last control action."""

    async def wait_for(
        self, predicate: Callable[[], T | None], timeout: float = 5.0, *, what: str | None = None  # noqa: ASYNC109
    ) -> T:
        """Poll ``predicate`` (server or bot-side state) until truthy; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what or predicate!r}")
            await asyncio.sleep(0.01)

    async def wait_request(self, method: str, path_regex: str, *, since: int | None = None,
                           timeout: float = 5.0) -> RequestRecord:  # noqa: ASYNC109
        """The first matching request (answered) since the last control action or ``since``."""
        start = self._request_mark if since is None else since

        def find() -> RequestRecord | None:
            return next((r for r in self.requests_to(method, path_regex, since=start) if r.status), None)

        return await self.wait_for(find, timeout, what=f"{method} {path_regex}")

    async def wait_interaction_response(
        self, interaction: Interaction | int, timeout: float = 5.0  # noqa: ASYNC109
    ) -> Interaction:
        """Wait until the bot acknowledged the interaction; return its record."""
        rec = self._interaction_record(interaction)
        await self.wait_for(lambda: rec.acked, timeout, what=f"a response to interaction {rec.id}")
        return rec

    async def wait_message(self, channel_id: int | None = None, *, author_id: int | None = None,
                           predicate: Callable[[Message], bool] | None = None, since: int | None = None,
                           timeout: float = 5.0) -> Message:  # noqa: ASYNC109
        """The first new message (default: by the bot) in a channel since the last control action."""
        floor = self._message_mark if since is None else since
        author = self.bot_user_id if author_id is None else author_id

        def find() -> Message | None:
            for msg in list(self.world.messages.values()):
                if (msg.id > floor and not msg.deleted and msg.author_id == author
                        and (channel_id is None or msg.channel_id == channel_id)
                        and not msg.flags & 128 and (predicate is None or predicate(msg))):
                    return msg
            return None

        return await self.wait_for(find, timeout, what=f"a message in {channel_id}")

    async def wait_dm(self, user_id: int, *, timeout: float = 5.0) -> Message:  # noqa: ASYNC109
        """The first new DM from the bot to a user since the last control action."""
        await self.wait_for(lambda: user_id in self.world.dm_by_user, timeout, what=f"a DM channel with {user_id}")
        return await self.wait_message(self.world.dm_by_user[user_id], timeout=timeout)

    async def wait_connected(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until a session is connected and everything queued has been written to it."""

        def done() -> bool:
            return any(s.conn is not None and not s.conn.ws.closed and s.conn.sent_upto >= s.seq
                       for s in self.gateway.live_sessions())

        await self.wait_for(done, timeout, what="a gateway session")
