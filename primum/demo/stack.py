"""The whole of Primum on one machine: the local Discord, a seeded physician server, and the bot.

Used by ``primum demo`` and by the end-to-end tests, so both exercise the same wiring: the real,
unmodified discord.py client talks to the local Discord over loopback sockets. The bot runs in
this process by default; ``start_bot_process`` runs it as a child process instead, so a scenario
can kill it with SIGKILL and start it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from primum.app import PrimumBot, make_scorer
from primum.inference.protocol import Scorer
from primum.localdiscord import LocalDiscord, PhysicianServer, seed_physician_server
from primum.localdiscord.client import (
    DiscordRedirect,
    fast_client_kwargs,
    point_discord_py_at,
    start_client,
    stop_client,
)
from primum.runtime.clock import Clock, SystemClock
from primum.runtime.events import EventSink
from primum.settings import Settings
from primum.storage import Database

REPO_ROOT = Path(__file__).resolve().parents[2]
BOT_PROCESS_MODULE = "primum.demo.bot_process"


class Stack:
    """Local Discord + seeded server + Primum, started and stopped together."""

    def __init__(
        self,
        *,
        db_path: Path,
        settings: Settings | None = None,
        events: EventSink | None = None,
        scorer_factory: Callable[[], Scorer] | None = None,
        clock: Clock | None = None,
        validate: bool | None = None,
        extensions: list[str] | None = None,
    ) -> None:
        self.db_path = db_path
        self.settings = settings or Settings(database_path=db_path, sync_commands="global")
        self.events = events or EventSink()
        self.clock: Clock = clock or SystemClock()
        self._scorer_factory = scorer_factory or (lambda: make_scorer(self.settings))
        self._extensions = extensions
        self.server = LocalDiscord(validate=validate, now=self.clock.now)
        self.ids: PhysicianServer | None = None
        self.bot: PrimumBot | None = None
        self.db: Database | None = None
        self._bot_task: asyncio.Task[None] | None = None
        self._redirect: DiscordRedirect | None = None
        self._process: asyncio.subprocess.Process | None = None
        self._tail_task: asyncio.Task[None] | None = None
        self.bot_starts = 0

    @property
    def seeded(self) -> PhysicianServer:
        """Ids of the seeded physician server (after ``start``)."""
        if self.ids is None:
            raise RuntimeError("the stack has not been started")
        return self.ids

    async def start(self, *, with_bot: bool = True) -> Stack:
        """Start the local Discord, seed it, and (by default) connect the bot in this process."""
        await self.server.start()
        self.ids = seed_physician_server(self.server)
        self._redirect = point_discord_py_at(self.server)
        if with_bot:
            await self.start_bot()
        return self

    async def start_bot(self, *, timeout: float = 20.0) -> PrimumBot:  # noqa: ASYNC109
        """Open the database and connect a fresh PrimumBot; returns when it is ready."""
        if self.bot is not None:
            raise RuntimeError("the bot is already running")
        self.db = await Database.open(self.db_path)
        bot = PrimumBot(
            settings=self.settings,
            db=self.db,
            scorer=self._scorer_factory(),
            events=self.events,
            clock=self.clock,
            extensions=self._extensions,
            **fast_client_kwargs(),
        )
        self.bot = bot
        self.server.mark()
        try:
            self._bot_task = await start_client(bot, self.server, timeout=timeout)
        except BaseException:
            self.bot = None
            await self.db.close()
            self.db = None
            raise
        self.bot_starts += 1
        return bot

    async def stop_bot(self) -> None:
        """Close the bot gracefully (as on SIGTERM) and its database connection."""
        if self.bot is not None and self._bot_task is not None:
            await stop_client(self.bot, self._bot_task)
        self.bot, self._bot_task = None, None
        if self.db is not None:
            await self.db.close()
            self.db = None

    async def restart_bot(self) -> PrimumBot:
        """Stop and start the in-process bot on the same database."""
        await self.stop_bot()
        return await self.start_bot()

    # --- the bot as a separate process (for SIGKILL) ------------------------------------------
    async def start_bot_process(self, *, events_path: Path, timeout: float = 60.0) -> None:  # noqa: ASYNC109
        """Run the bot in a child process against this local Discord; wait until it is connected.

        The child writes its events to ``events_path``; they are tailed into this stack's sink.
        """
        if self._process is not None:
            raise RuntimeError("a bot process is already running")
        env = {
            **os.environ,
            "PRIMUM_LOCAL_DISCORD": self.server.http_url,
            "PRIMUM_LOCAL_DISCORD_TOKEN": self.server.token,
            "PRIMUM_DATABASE": str(self.db_path),
            "PRIMUM_EVENTS": str(events_path),
            "PRIMUM_MODEL_BACKEND": self.settings.model.backend,
            "PYTHONPATH": str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        }
        env.pop("DISCORD_TOKEN", None)
        self.server.mark()
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", BOT_PROCESS_MODULE, cwd=str(REPO_ROOT), env=env,
        )
        if self._tail_task is None:
            self._tail_task = asyncio.create_task(self._tail_events(events_path), name="tail-bot-events")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout

        def process_ready_count() -> int:
            return sum(1 for event in self.events.of_type("ready") if event.get("source") == "bot-process")

        start_count = process_ready_count()
        while process_ready_count() <= start_count:
            if self._process.returncode is not None:
                raise RuntimeError(f"bot process exited with {self._process.returncode} before it was ready")
            if loop.time() > deadline:
                raise TimeoutError("bot process not ready in time")
            await asyncio.sleep(0.05)
        self.bot_starts += 1

    async def kill_bot_process(self) -> None:
        """SIGKILL the bot process: no cleanup, no goodbye, exactly like a crash."""
        if self._process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            self._process.send_signal(signal.SIGKILL)
        await self._process.wait()
        self._process = None
        # The server notices the dead socket; drop the session so the next start IDENTIFYs afresh.
        await self.server.drop_connection(1001)

    async def stop_bot_process(self) -> None:
        """Ask the bot process to shut down gracefully (SIGTERM)."""
        if self._process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            self._process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self._process.wait(), timeout=15)
        except TimeoutError:
            self._process.kill()
            await self._process.wait()
        self._process = None

    async def _tail_events(self, path: Path) -> None:
        offset = 0
        while True:
            lines, offset = await asyncio.to_thread(_read_complete_lines, path, offset)
            for line in lines:
                event: dict[str, Any] = json.loads(line)
                kind = event.pop("type")
                event.pop("t", None)
                self.events.emit(kind, source="bot-process", **event)
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        """Close the bot (first, so discord.py does not log a reconnect error), then the server."""
        await self.stop_bot()
        await self.stop_bot_process()
        if self._tail_task is not None:
            self._tail_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._tail_task
            self._tail_task = None
        await self.server.stop()
        if self._redirect is not None:
            self._redirect()
            self._redirect = None

    async def __aenter__(self) -> Stack:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


def _read_complete_lines(path: Path, offset: int) -> tuple[list[str], int]:
    """Whole lines appended to ``path`` since ``offset`` (a partial last line waits for next time)."""
    if not path.exists():
        return [], offset
    lines: list[str] = []
    with path.open("rb") as handle:
        handle.seek(offset)
        for raw in handle:
            if not raw.endswith(b"\n"):
                break
            offset += len(raw)
            lines.append(raw.decode("utf-8"))
    return lines, offset


def settings_for(db_path: Path, *, backend: str = "fake", **kindness: Any) -> Settings:
    """Settings for a local run: the given scorer backend, commands registered globally."""
    base = Settings(database_path=db_path, sync_commands="global")
    settings = replace(base, model=replace(base.model, backend=backend))
    if kindness:
        settings = replace(settings, kindness=replace(settings.kindness, **kindness))
    return settings
