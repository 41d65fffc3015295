"""The discord.py application: the bot class, its scorer and cogs, and ``primum run``.

``bot.py`` and ``primum run`` start it. Without ``DISCORD_TOKEN`` it runs the demo against the
local Discord instead of connecting to discord.com.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import pkgutil
import signal
import sys
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

import cogs
from cogs._interactions import report_failure
from primum.inference import Scorer
from primum.runtime.clock import Clock, SystemClock
from primum.runtime.events import EventSink
from primum.services.names import NameBook
from primum.services.observe import ObserveService
from primum.settings import Settings
from primum.storage import Database, DatabaseError, GuildSettingsRepository
from primum.storage.case_chain import seal as seal_case_chain
from primum.storage.policy import PolicyRepository

log = logging.getLogger("primum.bot")


def discover_extensions() -> list[str]:
    """Every module in ``cogs/`` that does not start with an underscore is one feature."""
    return sorted(
        f"cogs.{module.name}" for module in pkgutil.iter_modules(cogs.__path__) if not module.name.startswith("_")
    )


def intents() -> discord.Intents:
    """Message content and server members are privileged: enable both in the developer portal."""
    wanted = discord.Intents.default()
    wanted.message_content = True
    wanted.members = True
    return wanted


class PrimumTree(app_commands.CommandTree["PrimumBot"]):
    """One error handler for every slash command: a short ephemeral answer, the traceback in the log."""

    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        """Tell the user briefly; a failed command is answered like a failed button (``report_failure``)."""
        name = interaction.command and interaction.command.name
        if not isinstance(error, app_commands.CheckFailure | app_commands.TransformerError):
            await report_failure(interaction, getattr(error, "original", error), f"command {name}")
            return
        message = str(error) or "You can't use this command here."
        log.info("command %s refused: %s", name, message)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(message, ephemeral=True)
            else:
                await interaction.response.send_message(message, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not report a command error to the user")


class PrimumBot(commands.Bot):
    """The bot with its resources injected (settings, database, scorer, clock, event sink)."""

    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        scorer: Scorer,
        events: EventSink | None = None,
        clock: Clock | None = None,
        extensions: list[str] | None = None,
        **client_kwargs: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            tree_cls=PrimumTree,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **client_kwargs,
        )
        self.settings = settings
        self.db = db
        self.scorer = scorer
        self.events = events or EventSink()
        self.clock: Clock = clock or SystemClock()
        self.guild_settings = GuildSettingsRepository(db)
        #: Observe mode, shared by be-kind and de-escalation (the observe cog gives it its Discord side).
        self.observe = ObserveService(self.guild_settings, PolicyRepository(db), self.clock, self.events,
                                      new_server_days=settings.observe_new_server_days)
        #: Channel and moderator names as seen, for reports (the names cog keeps them current).
        self.names = NameBook(db, self.clock)
        self._extensions = extensions if extensions is not None else discover_extensions()
        self._scorer_task: asyncio.Task[None] | None = None

    async def setup_hook(self) -> None:
        """Load the cogs and register slash commands; never wait for the gateway here."""
        self._scorer_task = asyncio.create_task(self._start_scorer(), name="scorer-start")
        for name in self._extensions:
            await self.load_extension(name)
        await self._sync_commands()

    async def _start_scorer(self) -> None:
        """Load the model off the loop, then freeze what start-up allocated.

        The model and libraries leave hundreds of thousands of long-lived objects; frozen, they no
        longer make each full garbage collection a pause of a few hundred ms on the event loop.
        """
        await self.scorer.start()
        gc.collect()
        gc.freeze()

    async def _sync_commands(self) -> None:
        mode = self.settings.sync_commands
        if mode == "off":
            return
        if mode == "guild" and self.settings.dev_guild_id:
            guild = discord.Object(id=self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        log.info("registered %d slash commands (%s)", len(synced), mode)

    async def on_ready(self) -> None:
        """Log who we are and record the ``ready`` event."""
        assert self.user is not None
        log.info("connected as %s (%s) in %d guild(s)", self.user, self.user.id, len(self.guilds))
        self.events.emit("ready", user_id=self.user.id, guilds=[guild.id for guild in self.guilds])

    async def close(self) -> None:
        """Stop the scorer and close Discord; the database is closed by whoever opened it."""
        if self._scorer_task is not None and not self._scorer_task.done():
            self._scorer_task.cancel()
        await super().close()
        await self._drain_event_handlers()
        await self.scorer.close()

    async def _drain_event_handlers(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Let listeners already running finish, so none touches the database after it closes."""
        current = asyncio.current_task()
        pending = [
            task for task in asyncio.all_tasks()
            if task is not current and not task.done() and task.get_name().startswith("discord.py: on_")
        ]
        if pending:
            _, still_running = await asyncio.wait(pending, timeout=timeout)
            for task in still_running:
                task.cancel()


def make_scorer(settings: Settings) -> Scorer:
    """The configured be-kind scorer; torch is imported only when the real model is used."""
    if settings.model.backend == "fake":
        from primum.inference.fake import FakeScorer

        return FakeScorer()
    from primum.inference.transformer import load_scorer

    return load_scorer(settings.model)


async def run_bot(settings: Settings) -> None:
    """Connect to Discord with the real token until SIGINT/SIGTERM."""
    db = await Database.open(settings.database_path)
    await seal_case_chain(db)
    bot = PrimumBot(settings=settings, db=db, scorer=make_scorer(settings))
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
    try:
        async with bot:
            await bot.start(settings.token)
    finally:
        await db.close()
        log.info("shut down cleanly")


def run_with_token(settings: Settings) -> int:
    """The real bot until it stops; an exit status and one clear line instead of a traceback."""
    try:
        asyncio.run(run_bot(settings))
    except DatabaseError as error:
        print(f"primum: database error: {error}", file=sys.stderr)  # noqa: T201
        return 2
    except discord.LoginFailure:
        print("primum: Discord refused the token; check DISCORD_TOKEN in .env", file=sys.stderr)  # noqa: T201
        return 2
    except (aiohttp.ClientConnectionError, discord.GatewayNotFound, TimeoutError, OSError) as error:
        print(unreachable_message(error), file=sys.stderr)  # noqa: T201
        return 3
    return 0


def unreachable_message(error: BaseException) -> str:
    """One clear line for a bot that cannot reach Discord (no network, DNS, a proxy), not a traceback."""
    detail = str(error).strip() or type(error).__name__
    return (f"primum: could not reach Discord ({detail}). Check this machine's network connection and DNS, "
            "then run again; without DISCORD_TOKEN, `primum run` plays the offline demo instead.")

