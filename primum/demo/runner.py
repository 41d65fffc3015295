"""The demo's runner: what a scenario can do (``Demo``), and playing scenarios on fresh stacks.

Every scenario runs on a fresh local Discord and database; the transcript shows what members said and
what the bot did, and ``--events FILE`` records every bot action as JSON lines.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

from primum.demo.scenarios import Scenario, discover_scenarios
from primum.demo.stack import Stack, settings_for
from primum.demo.transcript import Transcript
from primum.localdiscord import Interaction, Message, PhysicianServer
from primum.runtime.events import Event, EventSink

log = logging.getLogger(__name__)


class Demo:
    """What a scenario can do: act as members and watch the bot react."""

    def __init__(self, stack: Stack, transcript: Transcript, *, workdir: Path) -> None:
        self.stack = stack
        self.transcript = transcript
        self.workdir = workdir
        # The sink is shared by every scenario of one run (one --events file): a scenario waits only
        # for events emitted after it began, never for an earlier scenario's (a stale case number).
        earlier: dict[str, int] = {}
        for event in stack.events.events:
            earlier[event["type"]] = earlier.get(event["type"], 0) + 1
        self._consumed: dict[str, int] = earlier

    # --- handles -------------------------------------------------------------------------------
    @property
    def server(self) -> Any:
        """The local Discord (``primum.localdiscord.LocalDiscord``)."""
        return self.stack.server

    @property
    def ids(self) -> PhysicianServer:
        """Ids of the seeded physician server."""
        return self.stack.seeded

    @property
    def bot(self) -> Any:
        """The in-process PrimumBot (None while stopped or running as a process)."""
        return self.stack.bot

    @property
    def events(self) -> EventSink:
        """The event stream."""
        return self.stack.events

    def member(self, who: str | int) -> int:
        """A member id from a display name ("Dr. Amara Okafor"), a unique part of it ("Okafor"), or an id."""
        if isinstance(who, int):
            return who
        members = self.ids.members
        if who in members:
            return members[who]
        matches = [uid for name, uid in members.items() if who.lower() in name.lower()]
        if len(matches) != 1:
            raise KeyError(f"no single member matches {who!r}")
        return matches[0]

    def channel(self, where: str | int) -> int:
        """A channel id from its name ("general" or "#general") or an id."""
        return where if isinstance(where, int) else self.ids.channel(where)

    # --- acting --------------------------------------------------------------------------------
    def narrate(self, text: str) -> None:
        """A line of explanation in the transcript."""
        self.transcript.line(f"— {text}")

    async def pause(self, seconds: float = 0.3) -> None:
        """Let the bot react, then print what it did."""
        await asyncio.sleep(seconds)
        self.transcript.pump()

    async def say(self, who: str | int, where: str | int, text: str, *, reply_to: Message | int | None = None,
                  settle: float = 0.4) -> Message:
        """A member posts a message."""
        reference = reply_to.id if isinstance(reply_to, Message) else reply_to
        message: Message = self.server.user_says(self.member(who), self.channel(where), text, reply_to=reference)
        self.transcript.member_said(message)
        await self.pause(settle)
        return message

    async def edit(self, message: Message, text: str, *, settle: float = 0.4) -> Message:
        """The author edits a message."""
        edited: Message = self.server.user_edits(message.id, text)
        self.transcript.member_said(edited, verb="edited")
        await self.pause(settle)
        return edited

    async def delete(self, message: Message, *, settle: float = 0.4) -> None:
        """The author deletes a message."""
        self.server.user_deletes(message.id)
        self.transcript.line(f"{self.transcript.where(message.channel_id)}  "
                             f"{self.transcript.name(message.author_id)} deleted their message")
        await self.pause(settle)

    async def slash(self, who: str | int, where: str | int, command: str, /, **options: Any) -> Interaction:
        """A member runs a slash command; waits for the bot's answer."""
        users = self.server.world.users
        shown = " ".join(f"{k}:{self.transcript.name(v) if isinstance(v, int) and v in users else v}"
                         for k, v in options.items())
        self.transcript.line(f"{self.transcript.where(self.channel(where))}  "
                             f"{self.transcript.name(self.member(who))} ran /{command} {shown}".rstrip())
        record: Interaction = self.server.invoke_slash(self.member(who), command, options,
                                                       channel_id=self.channel(where))
        await self.server.wait_interaction_response(record, timeout=15)
        await self.pause(0.3)
        return record

    async def click(self, who: str | int, message: Message | int, custom_id: str, *, label: str = "") -> Interaction:
        """A member clicks a button on one of the bot's messages."""
        message_id = message.id if isinstance(message, Message) else message
        self.transcript.line(f"  {self.transcript.name(self.member(who))} clicked [{label or custom_id}]")
        record: Interaction = self.server.click_button(self.member(who), message_id, custom_id)
        await self.server.wait_interaction_response(record, timeout=15)
        await self.pause(0.3)
        return record

    async def submit(self, interaction: Interaction, values: Mapping[str, Any], *, who: str = "") -> Interaction:
        """A member submits the form (modal) the bot opened."""
        self.transcript.line(f"  {who or 'member'} submitted the form")
        record: Interaction = self.server.submit_modal(interaction, dict(values))
        await self.server.wait_interaction_response(record, timeout=15)
        await self.pause(0.3)
        return record

    async def wait_event(self, type_: str, timeout: float = 15.0, *,  # noqa: ASYNC109
                         where: Callable[[Event], bool] | None = None) -> Event:
        """The next event of ``type_`` that no earlier ``wait_event`` returned (waiting if needed)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            events = self.events.of_type(type_)
            for index in range(self._consumed.get(type_, 0), len(events)):
                if where is None or where(events[index]):
                    self._consumed[type_] = index + 1
                    self.transcript.pump()
                    return events[index]
            if loop.time() > deadline:
                raise TimeoutError(f"the bot did not emit {type_!r} within {timeout}s")
            await asyncio.sleep(0.05)
            self.transcript.pump()

    async def expect_no_event(self, type_: str, seconds: float = 3.0) -> None:
        """Wait ``seconds``; raise if the bot emitted a ``type_`` event no ``wait_event`` returned yet."""
        await self.pause(seconds)
        unexpected = self.events.of_type(type_)[self._consumed.get(type_, 0):]
        if unexpected:
            raise RuntimeError(f"the bot emitted {type_!r} where the scenario expects none")

    async def restart_bot(self) -> None:
        """Stop the in-process bot gracefully and start it again on the same database."""
        self.narrate("Restarting Primum…")
        await self.stack.restart_bot()
        await self.pause(0.2)

    async def start_bot_process(self) -> None:
        """Run the bot as a separate process (so it can be SIGKILLed)."""
        await self.stack.stop_bot()
        self.narrate("Starting Primum as its own process…")
        await self.stack.start_bot_process(events_path=self.workdir / "bot-process-events.jsonl")
        await self.pause(0.2)

    async def kill_bot(self) -> None:
        """SIGKILL the bot process."""
        self.narrate("SIGKILL: the bot process dies without any cleanup.")
        await self.stack.kill_bot_process()
        await self.pause(0.1)


async def run_scenario(scenario: Scenario, *, events: EventSink, out: TextIO, backend: str,
                       workdir: Path, validate: bool | None = None, keep_db: Path | None = None) -> None:
    """Play one scenario on a fresh stack."""
    db_path = workdir / f"{scenario.name}.sqlite3"
    settings = settings_for(db_path, backend=backend, **dict(scenario.settings))
    stack = Stack(db_path=db_path, settings=settings, events=events, validate=validate)
    transcript = Transcript(stack, out)
    out.write(f"\n=== {scenario.name}: {scenario.title} ===\n")

    events.subscribe(transcript.follow)
    try:
        await stack.start()
        demo = Demo(stack, transcript, workdir=workdir)
        await scenario.play(demo)
        await demo.pause(0.2)
    finally:
        await stack.stop()
        events.unsubscribe(transcript.follow)
    problems = stack.server.problems()
    if problems:
        raise RuntimeError(f"the local Discord saw problems: {problems}")
    if keep_db is not None:
        await copy_database(db_path, keep_db)


async def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy of a demo database (SQLite's backup API), for ``primum report`` afterwards."""
    from primum.storage import Database

    async with await Database.open(source, migrate=False) as db:
        return await db.backup(target)


def kept_db_targets(names: list[str], keep_db: Path) -> dict[str, Path]:
    """Where each scenario's database goes: ``keep_db`` itself for one scenario, else a file per scenario in it."""
    if len(names) == 1:
        return {names[0]: keep_db}
    return {name: keep_db / f"{name}.sqlite3" for name in names}


async def run_demo(names: list[str], *, events_path: Path | None, out: TextIO, backend: str,
                   keep_db: Path | None = None) -> int:
    """Play the chosen scenarios (all when ``names`` is empty); return a process exit code."""
    scenarios = discover_scenarios()
    unknown = [name for name in names if name not in scenarios]
    if unknown:
        print(f"primum demo: unknown scenario {', '.join(unknown)}; choose from: {', '.join(scenarios)}",  # noqa: T201
              file=sys.stderr)
        return 2
    chosen = [scenarios[name] for name in names] if names else list(scenarios.values())
    targets = kept_db_targets([s.name for s in chosen], keep_db) if keep_db is not None else {}
    existing = [str(path) for path in targets.values() if path.exists()]
    if existing:
        print(f"primum demo: --keep-db would overwrite {', '.join(existing)}; choose a new path",  # noqa: T201
              file=sys.stderr)
        return 2
    events = EventSink(events_path)
    try:
        with tempfile.TemporaryDirectory(prefix="primum-demo-") as tmp:
            for scenario in chosen:
                await run_scenario(scenario, events=events, out=out, backend=backend, workdir=Path(tmp),
                                   keep_db=targets.get(scenario.name))
    except Exception as error:
        log.exception("demo scenario failed")
        print(f"primum demo: failed: {error}", file=sys.stderr)  # noqa: T201
        return 1
    finally:
        events.close()
    counts: dict[str, int] = {}
    for event in events.events:
        counts[event["type"]] = counts.get(event["type"], 0) + 1
    out.write("\nEvents: " + ", ".join(f"{kind} ×{n}" for kind, n in sorted(counts.items())) + "\n")
    if events_path is not None:
        out.write(f"Event log written to {events_path}\n")
    if targets:
        out.write("Databases kept: " + ", ".join(str(p) for p in targets.values()) + "\n")
        example = targets.get("kindness") or next(iter(targets.values()))
        out.write(f"Draw the owners' weekly charts from one: primum report --db {example} --out report/\n")
    return 0
