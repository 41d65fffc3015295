"""Play a history through the real pipeline: the local Discord, the real bot, an injected clock.

Every author becomes a verified member of the seeded physician server; their messages are posted
in one channel in order, and the injected clock moves by each gap (no real sleeping): heat decays,
nudge windows close and slowmodes lift exactly when they would have. After each message the
replay waits until the bot has finished reacting (every task the message started is done) before
the clock moves again, so the result does not depend on how busy the machine is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from primum.demo.stack import Stack
from primum.inference.protocol import KindnessScore, Scorer, ScorerState, Thresholds
from primum.localdiscord import ControlError
from primum.localdiscord.ids import Perm
from primum.localdiscord.models import Overwrite
from primum.replay.history import History, HistoryMessage
from primum.replay.posts import describe_request
from primum.replay.result import QUIET_TYPES, Action, BotPost, PlayedMessage, ReplayResult
from primum.runtime.clock import FakeClock
from primum.runtime.events import Event, EventSink
from primum.runtime.scheduler import Scheduler
from primum.settings import Settings

log = logging.getLogger(__name__)

#: Where a history without a start time (JSONL) begins on the injected clock.
DEFAULT_START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
#: After the last message the clock keeps going this long, so pending slowmodes and nudge windows end.
TAIL = timedelta(hours=2)
#: Heat is sampled at least this often across a gap, for the chart.
HEAT_STEP_S = 20.0
#: Below this heat the chart needs no more samples until the next message.
COLD = 0.005
HELD = re.compile(r"timed out|slowmode")


def _serves(task: asyncio.Task[Any]) -> bool:
    """Tasks that only wait and do no work for a message: the local Discord's connection handlers and
    gateway writer, and the ``asyncio.wait_for(event.wait(), …)`` of the bot's idle timer loops."""
    if task.get_name().startswith("localdiscord-"):
        return True
    qualname = getattr(task.get_coro(), "__qualname__", "")
    return qualname == "Event.wait" or qualname.startswith(("RequestHandler.", "WebSocketResponse.", "BaseProtocol."))


class SharedScorer:
    """One loaded model for many replays: ``close`` is a no-op; ``shutdown`` really closes it."""

    def __init__(self, inner: Scorer) -> None:
        self.inner = inner
        self._started = False

    @property
    def version(self) -> str:
        """The model's version."""
        return self.inner.version

    @property
    def state(self) -> ScorerState:
        """The model's state."""
        return self.inner.state

    @property
    def thresholds(self) -> Thresholds:
        """The model card's thresholds."""
        return self.inner.thresholds

    async def start(self) -> None:
        """Load once."""
        if not self._started:
            self._started = True
            await self.inner.start()

    async def score(self, texts: Any) -> list[KindnessScore]:
        """Score through the shared model."""
        return await self.inner.score(texts)

    async def close(self) -> None:
        """Kept open for the next replay."""

    async def shutdown(self) -> None:
        """Free the model."""
        await self.inner.close()


class ReplayError(RuntimeError):
    """The replay could not be carried out (not a problem with the file: that is a HistoryError)."""


async def replay(history: History, *, settings: Settings, scorer: Scorer, channel: str | None = None,
                 workdir: Path | None = None, settle_timeout_s: float = 20.0) -> ReplayResult:
    """Replay ``history`` on a fresh local Discord and database; return what Primum did."""
    with tempfile.TemporaryDirectory(prefix="primum-replay-") as tmp:
        base = workdir or Path(tmp)
        db_path = base / f"replay-{history.name}.sqlite3"
        session = _Session(history, replace(settings, database_path=db_path, sync_commands="global"), scorer,
                           channel=channel, settle_timeout_s=settle_timeout_s)
        return await session.run()


class _Session:
    def __init__(self, history: History, settings: Settings, scorer: Scorer, *, channel: str | None,
                 settle_timeout_s: float) -> None:
        self.history = history
        self.clock = FakeClock(history.started_at.astimezone(UTC) if history.started_at else DEFAULT_START)
        self.events = EventSink(clock=self.clock)
        self.stack = Stack(db_path=settings.database_path, settings=settings, events=self.events,
                           scorer_factory=lambda: scorer, clock=self.clock, validate=False)
        self.channel_name = (channel or history.channel_name or "general").lstrip("#")
        self.settle_timeout_s = settle_timeout_s
        self.members: dict[str, int] = {}
        self.discord_ids: dict[int, int] = {}  # history index -> Discord message id
        self.indexes: dict[int, int] = {}  # Discord message id -> history index
        self.current: int | None = None
        self.seen: set[int] = set()
        self.result = ReplayResult(history=history, channel=self.channel_name, scorer=scorer.version,
                                   started_at=self.clock.now(),
                                   nudge_window_s=settings.kindness.nudge_window_minutes * 60.0)
        self._next_request = 0
        self._baseline: set[asyncio.Task[Any]] = set()

    # --- set-up ---------------------------------------------------------------------------------
    async def run(self) -> ReplayResult:
        await self.stack.start(with_bot=False)
        try:
            self.channel_id = self._channel()
            self._create_members()
            bot = await self.stack.start_bot(timeout=120.0)
            bot.add_listener(self._on_message, "on_message")
            bot.add_listener(self._on_scored, "on_message_scored")
            self.events.subscribe(self._on_event)
            await self._ready()
            await self._play()
        finally:
            self.events.unsubscribe(self._on_event)
            await self.stack.stop()
        self.result.message_ids = dict(self.indexes)
        self.result.names = {uid: name for name, uid in self.stack.seeded.members.items()}
        self.result.names.update({uid: self.history.members()[key] for key, uid in self.members.items()})
        return self.result

    def _channel(self) -> int:
        ids = self.stack.seeded
        if self.channel_name in ids.channels:
            return ids.channel(self.channel_name)
        community = Perm.VIEW_CHANNEL | Perm.SEND_MESSAGES | Perm.READ_MESSAGE_HISTORY
        created = self.stack.server.create_channel(self.channel_name, overwrites=[
            Overwrite(ids.roles["Verified Physician"], 0, allow=community),
            Overwrite(ids.roles["Moderator"], 0, allow=community),
        ])
        return int(created.id)

    def _create_members(self) -> None:
        server, ids = self.stack.server, self.stack.seeded
        joined = self.clock.now() - timedelta(days=365)
        bots = {m.author_key for m in self.history.messages if m.is_bot}
        for number, (key, name) in enumerate(self.history.members().items()):
            username = re.sub(r"[^a-z0-9_.]", "", name.lower())[:24] or "member"
            user = server.create_user(f"{username}.{number}", global_name=name, bot=key in bots)
            server.add_member(user.id, roles=[ids.roles["Verified Physician"]], joined_at=joined)
            self.members[key] = user.id

    async def _ready(self) -> None:
        """Wait for the cogs' start-up work and the model, so only the replay's own tasks remain after."""
        bot = self.stack.bot
        assert bot is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 600.0
        while bot.scorer.state is ScorerState.LOADING:
            if loop.time() > deadline:
                raise ReplayError("the be-kind model did not load within 10 minutes")
            await asyncio.sleep(0.1)
        if bot.scorer.state is ScorerState.DEGRADED:
            raise ReplayError("the be-kind model failed to load; see the log")
        with contextlib.suppress(Exception):
            await bot.scorer.score(["warm-up"])  # starts the batcher's worker before the baseline
        for _ in range(250):
            scheduler = self._scheduler()
            if scheduler is None or scheduler.running:
                break
            await asyncio.sleep(0.02)
        service = self._deescalation()
        if service is not None:
            config = await service.config_for(self.stack.seeded.guild_id, self.channel_id)
            self.result.thresholds = tuple(config.thresholds)
        self._baseline = set(asyncio.all_tasks())
        self._next_request = len(self.stack.server.requests)

    # --- playing --------------------------------------------------------------------------------
    async def _play(self) -> None:
        for message in self.history.messages:
            await self._advance(message.after_s)
            await self._post(message)
        last = self.clock.now()
        while True:
            upcoming = await self._next_timer()
            if upcoming is None or upcoming > last + TAIL:
                break
            await self._advance((upcoming - self.clock.now()).total_seconds())
        self._sample_heat()

    async def _post(self, message: HistoryMessage) -> None:
        server = self.stack.server
        author = self.members[message.author_key]
        text, extra_mentions = self._with_mentions(message)
        reply = self.discord_ids.get(message.reply_to) if message.reply_to is not None else None
        attachments = [] if text.strip() else [("attachment.txt", b"(attachment)")]
        played = PlayedMessage(message=message, at=self.clock.now())
        self.result.messages.append(played)
        self.current = message.index
        self._sample_heat()

        def say(force: bool) -> Any:
            return server.user_says(author, self.channel_id, text, reply_to=reply, mentions=extra_mentions,
                                    attachments=attachments, force=force)

        try:
            posted = say(False)
        except ControlError as error:
            if not HELD.search(str(error)):
                raise ReplayError(f"{message.source}: the local Discord refused the message: {error}") from error
            played.held = "its author was timed out" if "timed out" in str(error) else str(error)
            posted = say(True)
        self.discord_ids[message.index] = posted.id
        self.indexes[posted.id] = message.index
        await self._settle(lambda: posted.id in self.seen)
        self._sample_heat()
        self.current = None

    def _with_mentions(self, message: HistoryMessage) -> tuple[str, list[int]]:
        """``@Name`` becomes a real mention ``<@id>``; mentions not written in the text are appended."""
        from primum.replay.loader import mention_at

        text, extra = message.text, []
        names = self.history.members()
        for key in message.mentions:
            uid = self.members[key]
            found = mention_at(text, names[key])
            raw = re.search(rf"<@!?{re.escape(key)}>", text)  # an export written without --markdown formatting
            if raw is not None:
                text = text[:raw.start()] + f"<@{uid}>" + text[raw.end():]
            elif found is not None:
                text = text[:found.start()] + f"<@{uid}>" + text[found.end():]
            else:
                extra.append(uid)
        return text, extra

    async def _advance(self, seconds: float) -> None:
        """Move the clock by ``seconds``, stopping at every timer on the way and letting it fire."""
        target = self.clock.now() + timedelta(seconds=seconds)
        while True:
            upcoming = await self._next_timer()
            stop = target if upcoming is None or upcoming > target else upcoming
            self._walk_to(stop)
            await self._fire_timers()
            if stop >= target:
                return

    def _walk_to(self, stop: datetime) -> None:
        """Move the clock to ``stop`` in small steps while there is heat to draw, then in one."""
        while self.clock.now() < stop:
            cold = bool(self.result.heat) and self.result.heat[-1][1] < COLD
            step = (stop - self.clock.now()).total_seconds()
            self.clock.advance(step if cold else min(HEAT_STEP_S, step))
            self._sample_heat()

    async def _fire_timers(self) -> None:
        """Run what is due by the injected clock: lifts (the scheduler) and nudge outcomes (the sweep)."""
        scheduler, kindness = self._scheduler(), self._kindness()
        self._baseline = {task for task in self._baseline if not task.done()} | set(asyncio.all_tasks())
        if scheduler is not None:
            await scheduler.run_due()
        if kindness is not None:
            await kindness.sweep()
        await self._settle(None)

    async def _next_timer(self) -> datetime | None:
        """The next moment a lift or a nudge outcome is due, after now (what is due now was fired)."""
        now = self.clock.now()
        times: list[datetime] = []
        scheduler, kindness = self._scheduler(), self._kindness()
        if scheduler is not None:
            times += [action.expires_at for action in scheduler.armed()]
        if kindness is not None:
            deadline = await kindness.repo.next_deadline()
            if deadline is not None:
                times.append(deadline)
        later = [moment for moment in times if moment > now]
        return min(later) if later else None

    async def _settle(self, seen: Callable[[], bool] | None) -> None:
        """Wait until the bot has seen the message and every task started since has finished."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settle_timeout_s
        quiet = 0
        current = asyncio.current_task()
        while quiet < 3:
            await asyncio.sleep(0.01)
            busy = [t for t in asyncio.all_tasks()
                    if t not in self._baseline and t is not current and not t.done() and not _serves(t)]
            quiet = quiet + 1 if not busy and (seen is None or seen()) else 0
            if loop.time() > deadline:
                log.warning("replay: the bot was still busy after %.0f s (%s); going on", self.settle_timeout_s,
                            ", ".join(sorted(f"{t.get_name()}:{getattr(t.get_coro(), '__qualname__', '?')}"
                                             for t in busy)) or "message not seen")
                self._baseline |= set(busy)
                break
        self._collect_posts()

    # --- observing ------------------------------------------------------------------------------
    async def _on_message(self, message: Any) -> None:
        self.seen.add(int(message.id))

    async def _on_scored(self, scored: Any) -> None:
        index = self.indexes.get(int(scored.message_id))
        if index is None:
            return
        played = self.result.messages[index]
        played.score, played.categories, played.nudged = scored.score, dict(scored.categories), scored.nudged

    def _on_event(self, event: Event) -> None:
        if event["type"] in QUIET_TYPES:
            return
        index = self.current
        for key in ("message_id", "trigger_message_id"):
            if isinstance(event.get(key), int) and event[key] in self.indexes:
                index = self.indexes[event[key]]
                break
        fields = {k: v for k, v in event.items() if k not in {"type", "t"}}
        self.result.actions.append(Action(event["type"], self.clock.now(), index, fields))

    def _collect_posts(self) -> None:
        requests = self.stack.server.requests
        while self._next_request < len(requests):
            record = requests[self._next_request]
            self._next_request += 1
            text = describe_request(record, self.stack.server.world)
            if text:
                self.result.posts.append(BotPost(self.clock.now(), self.current, text))

    def _sample_heat(self) -> None:
        service = self._deescalation()
        if service is None:
            return
        now = self.clock.now()
        self.result.heat.append((now, float(service.heat.channel_heat(self.channel_id, now))))

    # --- the bot's parts ----------------------------------------------------------------------
    def _cog_service(self, name: str) -> Any:
        bot = self.stack.bot
        cog = bot.get_cog(name) if bot is not None else None
        return getattr(cog, "service", None)

    def _deescalation(self) -> Any:
        return self._cog_service("Deescalation")

    def _scheduler(self) -> Scheduler | None:
        scheduler = getattr(self._deescalation(), "scheduler", None)
        return scheduler if isinstance(scheduler, Scheduler) else None

    def _kindness(self) -> Any:
        return self._cog_service("BeKind")
