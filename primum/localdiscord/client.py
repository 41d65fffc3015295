"""discord.py side of the harness: point the real client at a :class:`LocalDiscord`, run it, guard errors.

This is the only module of the package that imports ``discord``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from types import TracebackType
from typing import Any

import discord
import discord.gateway
import discord.http
import yarl

from .server import LocalDiscord

GUARDED_LOGGERS = ("discord", "primum", "cogs")


class DiscordRedirect:
    """Restores discord.py's REST base and gateway URL; usable as a callable or context manager."""

    def __init__(self, base: str, gateway: yarl.URL) -> None:
        self._base = base
        self._gateway = gateway

    def __call__(self) -> None:
        discord.http.Route.BASE = self._base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._gateway

    def __enter__(self) -> DiscordRedirect:
        return self

    def __exit__(self, *exc: object) -> None:
        self()


def point_discord_py_at(server: LocalDiscord) -> DiscordRedirect:
    """Send all of discord.py's REST (incl. interaction webhooks) and gateway traffic to ``server``.

    A non-sharded ``Client`` never asks ``/gateway/bot``; it connects straight to
    ``DEFAULT_GATEWAY``, so both globals must change. Returns the restorer.
    """
    restore = DiscordRedirect(discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    discord.http.Route.BASE = server.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(server.gateway_base + "/")
    return restore


async def no_identify_delay(shard_id: int | None, *, initial: bool = False) -> None:
    """Replacement ``before_identify_hook``: discord.py otherwise sleeps 5 s before every re-IDENTIFY."""
    return None


def fast_client_kwargs(**overrides: Any) -> dict[str, Any]:
    """Client kwargs that keep tests fast: ``on_ready`` after 50 ms instead of 2 s, no chunk wait."""
    kwargs: dict[str, Any] = {"guild_ready_timeout": 0.05, "heartbeat_timeout": 20.0}
    kwargs.update(overrides)
    return kwargs


def default_intents() -> discord.Intents:
    """The intents Primum runs with: defaults plus members and message content."""
    intents = discord.Intents.default()
    intents.members = True
    intents.message_content = True
    return intents


class DiscordErrorGuard(logging.Handler):
    """Collects ERROR records: discord.py logs and swallows exceptions raised in listeners and commands."""

    def __init__(self, loggers: Iterable[str] = GUARDED_LOGGERS) -> None:
        super().__init__(level=logging.ERROR)
        self.loggers = tuple(loggers)
        self.records: list[logging.LogRecord] = []
        self._allowed: list[re.Pattern[str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not any(p.search(message) for p in self._allowed):
            self.records.append(record)

    def allow(self, pattern: str) -> None:
        """Ignore ERROR records whose message matches ``pattern`` (for tests that expect one)."""
        self._allowed.append(re.compile(pattern))

    def format_all(self) -> str:
        """All collected records, with tracebacks."""
        fmt = logging.Formatter("%(name)s: %(message)s")
        return "\n".join(fmt.format(r) for r in self.records)

    def check(self) -> None:
        """Raise AssertionError if anything was logged at ERROR."""
        if self.records:
            raise AssertionError(f"{len(self.records)} ERROR log record(s):\n{self.format_all()}")

    def install(self) -> None:
        """Attach to the guarded loggers."""
        for name in self.loggers:
            logging.getLogger(name).addHandler(self)

    def uninstall(self) -> None:
        """Detach from the guarded loggers."""
        for name in self.loggers:
            logging.getLogger(name).removeHandler(self)

    def __enter__(self) -> DiscordErrorGuard:
        self.install()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.uninstall()


@contextlib.contextmanager
def discord_error_guard(loggers: Iterable[str] = GUARDED_LOGGERS, *, check: bool = True
                        ) -> Iterator[DiscordErrorGuard]:
    """Collect ERROR logs from discord/primum/cogs; on a clean exit, fail if any were logged."""
    guard = DiscordErrorGuard(loggers)
    with guard:
        yield guard
    if check:
        guard.check()


async def start_client(client: discord.Client, server: LocalDiscord, *, timeout: float = 10.0  # noqa: ASYNC109
                       ) -> asyncio.Task[None]:
    """Start ``client`` against ``server`` in a task and wait for ``on_ready``.

    If the client dies while starting (bad token, crashing payload parser) its exception is
    raised here rather than surfacing as a timeout.
    """
    if client.before_identify_hook.__func__ is discord.Client.before_identify_hook:  # type: ignore[attr-defined]
        client.before_identify_hook = no_identify_delay  # type: ignore[method-assign]
    task = asyncio.create_task(client.start(server.token), name="discord-client")
    deadline = asyncio.get_running_loop().time() + timeout
    while not client.is_ready():
        if task.done():
            task.result()
            raise RuntimeError("discord client stopped before becoming ready")
        if asyncio.get_running_loop().time() > deadline:
            task.cancel()
            raise TimeoutError(f"discord client not ready after {timeout}s")
        await asyncio.sleep(0.01)
    return task


async def stop_client(client: discord.Client, task: asyncio.Task[None]) -> None:
    """Close the client and reap its task (close the bot before stopping the server)."""
    await client.close()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, timeout=5)


@contextlib.asynccontextmanager
async def running(client: discord.Client, server: LocalDiscord, *, timeout: float = 10.0  # noqa: ASYNC109
                  ) -> AsyncIterator[discord.Client]:
    """``async with running(bot, server):`` — redirected, started, ready; closed and restored after."""
    with point_discord_py_at(server):
        task = await start_client(client, server, timeout=timeout)
        try:
            yield client
        finally:
            await stop_client(client, task)
