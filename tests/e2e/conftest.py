"""End-to-end harness: the real discord.py client (PrimumBot) against the local Discord.

Every test gets a fresh local Discord seeded with a physician server, a fresh database and a
FakeScorer. The test fails if the bot or discord.py logged an ERROR, or if any REST request broke
Discord's OpenAPI specification or hit an unknown route.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from primum.demo.stack import Stack, settings_for
from primum.inference.fake import FakeScorer
from primum.localdiscord.client import DiscordErrorGuard

pytestmark = pytest.mark.e2e


@pytest.fixture
def scorer_factory() -> Callable[[], FakeScorer]:
    """Override in a test module to change the scorer (e.g. a degraded one)."""
    return FakeScorer


@pytest.fixture
def stack_settings(tmp_path: Path):
    """Override in a test module to change the bot's settings."""
    return settings_for(tmp_path / "primum.sqlite3")


@pytest.fixture
async def stack(tmp_path: Path, stack_settings, scorer_factory) -> AsyncIterator[Stack]:
    """A started stack; checks for ERROR logs, spec violations and unknown routes afterwards."""
    guard = DiscordErrorGuard()
    guard.install()
    the_stack = Stack(
        db_path=stack_settings.database_path, settings=stack_settings, scorer_factory=scorer_factory, validate=True
    )
    try:
        await the_stack.start()
        yield the_stack
    finally:
        await the_stack.stop()
        guard.uninstall()
    guard.check()
    the_stack.server.assert_clean()
