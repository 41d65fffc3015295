"""``primum demo --interactive``: type as a member and watch the bot react."""

from __future__ import annotations

import asyncio
import re
import shlex
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from primum.demo.runner import Demo
from primum.demo.stack import Stack, settings_for
from primum.demo.transcript import Transcript
from primum.localdiscord.commands import OptionType, find_command, walk_path
from primum.localdiscord.errors import ControlError


async def run_interactive(*, out: TextIO, backend: str) -> int:
    """Type as a member; watch the bot react. ``:as NAME``, ``:in CHANNEL``, ``/command``, ``:quit``."""
    with tempfile.TemporaryDirectory(prefix="primum-demo-") as tmp:
        db_path = Path(tmp) / "interactive.sqlite3"
        stack = Stack(db_path=db_path, settings=settings_for(db_path, backend=backend))
        transcript = Transcript(stack, out)
        stack.events.subscribe(transcript.follow)
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
