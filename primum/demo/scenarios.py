"""The demo's scenarios: the built-in basics and every ``primum/demo/scenario_<name>.py`` module.

Each scenario module has ``async def play(demo)`` and optional ``TITLE``, ``ORDER`` (int) and ``SETTINGS``
(a dict of kindness setting overrides).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from primum.demo.runner import Demo

Play = Callable[["Demo"], Awaitable[None]]
SCENARIO_PREFIX = "scenario_"


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
