"""``primum demo``: watch Primum moderate a simulated physician server, end to end.

Each scenario is a module ``primum/demo/scenario_<name>.py`` with ``async def play(demo)`` and
optional ``TITLE``, ``ORDER`` (int) and ``SETTINGS`` (a dict of kindness setting overrides). Every
scenario runs on a fresh local Discord and database; the transcript shows what members said and
what the bot did, and ``--events FILE`` records every bot action as JSON lines.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import pkgutil
import re
import shlex
import sys
import tempfile
import textwrap
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

from primum.demo.stack import Stack, settings_for
from primum.localdiscord import Interaction, Message, PhysicianServer
from primum.localdiscord.commands import OptionType, find_command, walk_path
from primum.localdiscord.errors import ControlError
from primum.localdiscord.models import ChannelType, RequestRecord
from primum.runtime.events import Event, EventSink

log = logging.getLogger(__name__)

Play = Callable[["Demo"], Awaitable[None]]
SCENARIO_PREFIX = "scenario_"
#: The longest bot message the transcript shows before it shortens it (at a word, with "…").
MESSAGE_WIDTH = 400
_MENTION = re.compile(r"<(#|@&|@!?)(\d{5,20})>")
_DISCORD_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")


@dataclass(frozen=True)
class Scenario:
    """One named part of the demo."""

    name: str
    title: str
    order: int
    play: Play
    settings: Mapping[str, Any]
    module: ModuleType | None = None


async def _play_basics(demo: Demo) -> None:
    """The bot connects, registers its commands and answers one."""
    demo.narrate("Primum connects to the local Discord and registers its slash commands.")
    names = sorted(command["name"] for command in demo.server.global_commands)
    demo.narrate(f"Registered commands: /{', /'.join(names)}")
    await demo.slash("Dr. Amara Okafor", "general", "status")
    await demo.slash("Alex Kim", "verify", "about")


BASICS = Scenario("basics", "Connecting and answering a slash command", 0, _play_basics, {})


def discover_scenarios() -> dict[str, Scenario]:
    """The built-in basics plus every ``scenario_*`` module in this package, in demo order."""
    found = {BASICS.name: BASICS}
    package = importlib.import_module("primum.demo")
    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith(SCENARIO_PREFIX):
            continue
        module = importlib.import_module(f"primum.demo.{info.name}")
        name = info.name.removeprefix(SCENARIO_PREFIX)
        doc = (module.__doc__ or name).strip().splitlines()[0]
        found[name] = Scenario(
            name=name,
            title=str(getattr(module, "TITLE", doc)),
            order=int(getattr(module, "ORDER", 50)),
            play=module.play,
            settings=dict(getattr(module, "SETTINGS", {})),
            module=module,
        )
    return dict(sorted(found.items(), key=lambda item: (item[1].order, item[0])))


class Transcript:
    """Prints members' messages and the bot's actions as they happen, readably."""

    def __init__(self, stack: Stack, out: TextIO) -> None:
        self._stack = stack
        self._out = out
        self._next_request = 0
        self._started = time.monotonic()

    def name(self, user_id: int) -> str:
        """A member's display name."""
        user = self._stack.server.world.users.get(user_id)
        return user.display_name if user is not None else str(user_id)

    def where(self, channel_id: int) -> str:
        """``#channel`` or ``DM to NAME``."""
        channel = self._stack.server.world.channels.get(channel_id)
        if channel is None:
            return f"<#{channel_id}>"
        if channel.type == ChannelType.DM:
            others = [uid for uid in channel.recipient_ids if uid != self._stack.server.bot_user_id]
            return f"DM to {self.name(others[0])}" if others else "DM"
        return f"#{channel.name}"

    def elapsed(self) -> float:
        """Seconds since the transcript started (the stamp on every line)."""
        return time.monotonic() - self._started

    def stamp_of(self, moment: datetime | str) -> str:
        """When a wall-clock moment (an event's ``expires_at``) falls, on the transcript's own clock."""
        when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
        seconds = self.elapsed() + (when - datetime.now(UTC)).total_seconds()
        return f"[{seconds:6.2f}s]"

    def line(self, text: str) -> None:
        """Write one stamped line."""
        self._out.write(f"[{self.elapsed():6.2f}s] {text}\n")
        self._out.flush()

    def member_said(self, message: Message, *, verb: str = "") -> None:
        """A member's message (the demo's own input)."""
        tag = f" ({verb})" if verb else ""
        self.line(f"{self.where(message.channel_id)}  {self.name(message.author_id)}{tag}: {message.content}")

    def event(self, event: Event) -> None:
        """A bot event (nudge, slowmode, …) as a compact line."""
        # Ids are in the events file; the transcript keeps what a person reads.
        fields = {k: v for k, v in event.items() if k not in {"type", "t", "source"} and not k.endswith("_id")}
        shown = ", ".join(f"{k}={v}" for k, v in fields.items() if not isinstance(v, list | dict))
        self.line(f"  ★ event {event['type']}" + (f" ({shown})" if shown else ""))

    def pump(self) -> None:
        """Describe the bot's REST calls made since the last pump."""
        requests = self._stack.server.requests
        while self._next_request < len(requests):
            record = requests[self._next_request]
            self._next_request += 1
            text = self._describe(record)
            if text:
                self.line(f"  ↳ Primum {text}")

    def _describe(self, record: RequestRecord) -> str | None:
        body = record.json if isinstance(record.json, dict) else {}
        params = _route_params(record)
        if record.status >= 400:
            return f"got {record.status} for {record.method} {record.route or record.path}"
        if record.method == "POST" and record.route == "/channels/{channel_id}/messages":
            return f"→ {self.where(int(params['channel_id']))}: {self._message_text(body, record)}"
        if record.method == "POST" and record.route and record.route.startswith("/interactions/"):
            data = body.get("data") or {}
            kind = body.get("type")
            if kind == 9:
                return f"opened a form: {data.get('title', '')}"
            if kind in (4, 7):
                private = " (only you can see this)" if int(data.get("flags", 0) or 0) & 64 else ""
                return f"answered{private}: {self._message_text(data, record)}"
            return None
        if record.method == "POST" and record.route and record.route.startswith("/webhooks/"):
            private = " (private)" if int(body.get("flags", 0) or 0) & 64 else ""
            return f"followed up{private}: {self._message_text(body, record)}"
        if record.method == "PATCH" and record.route and "/messages/@original" in record.route:
            return f"updated its answer: {self._message_text(body, record)}"
        if record.method == "PATCH" and record.route == "/channels/{channel_id}" and "rate_limit_per_user" in body:
            seconds = body["rate_limit_per_user"]
            where = self.where(int(params['channel_id']))
            return f"set slowmode on {where} to {seconds}s" if seconds else f"lifted slowmode on {where}"
        if record.method == "DELETE" and record.route == "/channels/{channel_id}/messages/{message_id}":
            return f"removed a message in {self.where(int(params['channel_id']))}"
        if record.method == "PATCH" and record.route == "/guilds/{guild_id}/members/{user_id}":
            if "communication_disabled_until" in body:
                until = body["communication_disabled_until"]
                who = self.name(int(params['user_id']))
                return f"timed out {who} until {until}" if until else f"lifted the timeout of {who}"
            return None
        if record.route == "/guilds/{guild_id}/members/{user_id}/roles/{role_id}":
            role = self._stack.server.world.guild(int(params['guild_id'])).roles.get(int(params['role_id']))
            verb = "gave" if record.method == "PUT" else "removed"
            return f"{verb} role {role.name if role else params['role_id']} {'to' if verb == 'gave' else 'from'} " \
                   f"{self.name(int(params['user_id']))}"
        if record.method == "PUT" and record.route == "/guilds/{guild_id}/bans/{user_id}":
            return f"banned {self.name(int(params['user_id']))}"
        if record.method == "DELETE" and record.route == "/guilds/{guild_id}/members/{user_id}":
            return f"removed {self.name(int(params['user_id']))} from the server"
        if record.method == "POST" and record.route and record.route.endswith("/threads"):
            return f"opened a thread: {body.get('name', '')}"
        if record.method == "PUT" and record.route and record.route.endswith("/pins/{message_id}"):
            return "pinned a message"
        return None

    def _message_text(self, body: Mapping[str, Any], record: RequestRecord) -> str:
        text = str(body.get("content") or "").replace("\n", " ⏎ ")
        embeds = body.get("embeds") or []
        for embed in embeds:
            title = embed.get("title") or ""
            description = str(embed.get("description") or "").replace("\n", " ⏎ ")
            text += f" [{title}] {description}".rstrip()
        buttons: list[str] = [
            str(child["label"]) for row in body.get("components") or [] for child in row.get("components") or []
            if child.get("label")
        ]
        if buttons:
            text += "  buttons: " + " | ".join(f"[{label}]" for label in buttons)
        files = [str(upload.filename) for upload in record.files]
        if files:
            text += "  files: " + ", ".join(files)
        return shorten(self.readable(readable_timestamps(text.strip())))

    def readable(self, text: str) -> str:
        """``<#id>``, ``<@id>`` and ``<@&id>`` as the names a Discord client shows."""
        def show(match: re.Match[str]) -> str:
            kind, raw = match.group(1), int(match.group(2))
            if kind == "#":
                return self.where(raw)
            if kind == "@&":
                for guild in self._stack.server.world.guilds.values():
                    if raw in guild.roles:
                        return f"@{guild.roles[raw].name}"
                return match.group(0)
            return f"@{self.name(raw)}"

        return _MENTION.sub(show, text)


def shorten(text: str, width: int = MESSAGE_WIDTH) -> str:
    """``text`` cut at a word boundary with "…" when longer than ``width`` (never mid-word)."""
    if len(text) <= width:
        return text
    return textwrap.shorten(text, width=width, placeholder=" …", break_long_words=False) or text[: width - 1] + "…"


def readable_timestamps(text: str, now: datetime | None = None) -> str:
    """Discord's ``<t:UNIX:STYLE>`` markup as a person's client would show it (UTC, to the second; "R": "in 15 s")."""
    def show(match: re.Match[str]) -> str:
        when = datetime.fromtimestamp(int(match.group(1)), UTC)
        if match.group(2) != "R":
            return f"{when:%H:%M:%S} UTC"
        seconds = round((when - (now or datetime.now(UTC))).total_seconds())
        return f"in {seconds} s" if seconds >= 0 else f"{-seconds} s ago"

    return _DISCORD_TIMESTAMP.sub(show, text)


def _route_params(record: RequestRecord) -> dict[str, str]:
    """``{channel_id: "123", …}`` from the matched route template and the request path."""
    if record.route is None:
        return {}
    template = record.route.strip("/").split("/")
    path = record.path.strip("/").split("/")[-len(template):]
    return {t[1:-1]: p for t, p in zip(template, path, strict=False) if t.startswith("{")}


class Demo:
    """What a scenario can do: act as members and watch the bot react."""

    def __init__(self, stack: Stack, transcript: Transcript, *, workdir: Path) -> None:
        self.stack = stack
        self.transcript = transcript
        self.workdir = workdir
        self._consumed: dict[str, int] = {}

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

    def on_event(event: Event) -> None:
        transcript.pump()
        transcript.event(event)

    events.subscribe(on_event)
    try:
        await stack.start()
        demo = Demo(stack, transcript, workdir=workdir)
        await scenario.play(demo)
        await demo.pause(0.2)
    finally:
        await stack.stop()
        events.unsubscribe(on_event)
    problems = stack.server.problems()
    if problems:
        raise RuntimeError(f"the local Discord saw problems: {problems}")
    if keep_db is not None:
        await copy_database(db_path, keep_db)


async def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy of a demo database (SQLite's backup API), for ``primum report`` afterwards."""
    from primum.storage import Database

    db = await Database.open(source, migrate=False)
    try:
        return await db.backup(target)
    finally:
        await db.close()


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


async def run_interactive(*, out: TextIO, backend: str) -> int:
    """Type as a member; watch the bot react. ``:as NAME``, ``:in CHANNEL``, ``/command``, ``:quit``."""
    with tempfile.TemporaryDirectory(prefix="primum-demo-") as tmp:
        db_path = Path(tmp) / "interactive.sqlite3"
        stack = Stack(db_path=db_path, settings=settings_for(db_path, backend=backend))
        transcript = Transcript(stack, out)

        def on_event(event: Event) -> None:
            transcript.pump()
            transcript.event(event)

        stack.events.subscribe(on_event)
        await stack.start()
        demo = Demo(stack, transcript, workdir=Path(tmp))
        who, where = "Dr. Amara Okafor", "general"
        out.write("Interactive demo. Type a message as a member. Commands: :as NAME, :in CHANNEL, "
                  "/command option:value (quote or just type multi-word values, e.g. "
                  "/kind test text:you are an idiot), :members, :quit\n")
        loop = asyncio.get_running_loop()
        try:
            while True:
                line = await loop.run_in_executor(None, _prompt, f"{who} in #{where}> ")
                if line is None or line.strip() in {":quit", ":q"}:
                    break
                line = line.strip()
                try:
                    if not line:
                        continue
                    if line.startswith(":as "):
                        demo.member(line[4:].strip())
                        who = line[4:].strip()
                    elif line.startswith(":in "):
                        where = line[4:].strip().lstrip("#")
                        demo.channel(where)
                    elif line == ":members":
                        out.write(", ".join(demo.ids.members) + "\n")
                    elif line.startswith("/"):
                        command, options = parse_command(line[1:])
                        options = coerce_options(demo, command, options)
                        await demo.slash(who, where, command, **options)
                    else:
                        await demo.say(who, where, line, settle=1.0)
                except (KeyError, ValueError, TimeoutError, ControlError) as error:
                    out.write(f"  ! {str(error).strip(chr(34) + chr(39))}\n")
        finally:
            await stack.stop()
    return 0


def _prompt(text: str) -> str | None:
    try:
        return input(text)
    except EOFError:
        return None


_OPTION = re.compile(r"^([a-z][a-z0-9_-]*)[:=](.*)$", re.DOTALL)


def parse_command(text: str) -> tuple[str, dict[str, str]]:
    """``kind test text:you are an idiot`` → ``("kind test", {"text": "you are an idiot"})``.

    Words are split like a shell (quotes keep a value together); as in Discord's own box, the words
    after ``name:`` (or ``name=``) up to the next ``other:`` belong to that option.
    """
    try:
        words = shlex.split(text)
    except ValueError as error:  # an unclosed quote
        raise ValueError(f"could not read the command: {error}") from None
    names: list[str] = []
    options: dict[str, str] = {}
    current: str | None = None
    for word in words:
        match = _OPTION.match(word)
        if match:
            current = match.group(1)
            options[current] = match.group(2)
        elif current is None:
            names.append(word)
        else:
            options[current] = f"{options[current]} {word}".strip()
    if not names:
        raise ValueError("type a command name after /, e.g. /status")
    return " ".join(names), options


def coerce_options(demo: Demo, command: str, options: Mapping[str, str]) -> dict[str, Any]:
    """Typed option values from typed text: numbers, yes/no, members and channels by name."""
    name, *path = command.split()
    schema, _ = walk_path(find_command(demo.server.global_commands, name, 1), path)
    types = {str(opt["name"]): int(opt["type"]) for opt in schema}
    typed: dict[str, Any] = {}
    for key, raw in options.items():
        if key not in types:
            raise ValueError(f"/{command} has no option {key!r}; it has: {', '.join(types) or 'none'}")
        kind = types[key]
        if kind == OptionType.INTEGER:
            typed[key] = int(raw)
        elif kind == OptionType.NUMBER:
            typed[key] = float(raw)
        elif kind == OptionType.BOOLEAN:
            typed[key] = raw.lower() in {"true", "yes", "y", "1", "on"}
        elif kind in (OptionType.USER, OptionType.MENTIONABLE):
            typed[key] = demo.member(int(raw) if raw.isdigit() else raw)
        elif kind == OptionType.CHANNEL:
            typed[key] = demo.channel(int(raw) if raw.isdigit() else raw.lstrip("#"))
        else:
            typed[key] = raw
    return typed


def _demo_command(args: argparse.Namespace) -> int:
    if args.list:
        for name, scenario in discover_scenarios().items():
            print(f"{name:16} {scenario.title}")  # noqa: T201
        return 0
    if args.interactive:
        return asyncio.run(run_interactive(out=sys.stdout, backend=args.model))
    names = [args.scenario] if args.scenario else []
    events_path = Path(args.events) if args.events else None
    keep_db = Path(args.keep_db) if args.keep_db else None
    return asyncio.run(run_demo(names, events_path=events_path, out=sys.stdout, backend=args.model,
                                keep_db=keep_db))


def run_demo_cli(argv: list[str]) -> int:
    """``primum run`` without a token: the full demo with default options."""
    parser = argparse.ArgumentParser(prog="primum demo")
    _add_demo_arguments(parser)
    return _demo_command(parser.parse_args(argv))


def _add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenario", help="play one scenario (see --list); default: all")
    parser.add_argument("--events", metavar="FILE", help="write every bot action as JSON lines")
    parser.add_argument("--interactive", action="store_true", help="type as a member and watch the bot react")
    parser.add_argument("--list", action="store_true", help="list the scenarios")
    parser.add_argument("--model", choices=("default", "fake"), default="default",
                        help="be-kind scorer: the shipped model (default) or the keyword fake")
    parser.add_argument("--keep-db", metavar="PATH",
                        help="keep the demo's database for `primum report`: the file PATH with --scenario, "
                             "else a folder PATH with one NAME.sqlite3 per scenario")
    parser.set_defaults(func=_demo_command)


DEMO_EPILOG = """examples:
  primum demo                                   # every scenario, with the shipped model
  primum demo --list                            # scenario names
  primum demo --scenario kindness --events out/events.jsonl
  primum demo --scenario kindness --keep-db demo.sqlite3
  primum report --db demo.sqlite3 --out report/  # then the owners' charts from the demo's data
  primum demo --interactive                     # type as a member; /kind test text:you are an idiot

No token and no network are needed: a local Discord runs on this machine."""


def register(subparsers: Any) -> None:
    """Add ``primum demo`` to the console script."""
    parser = subparsers.add_parser("demo", help="watch Primum moderate a simulated physician server",
                                   epilog=DEMO_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_demo_arguments(parser)
