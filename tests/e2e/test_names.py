"""Names for reports end to end: the bot remembers channel names and moderators' display names.

Real discord.py against the local Discord: at start-up every channel and moderator (not other
members), then a new channel, a moderator's new nickname, and ``/privacy forgetme`` removing a
moderator's name (not put back by that command) until they moderate again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from primum.demo.stack import Stack
from primum.storage.names import KnownNames, known_names
from tests.e2e.test_moderation import event, slash, uid

pytestmark = pytest.mark.e2e

NADIA, MARCUS, OWNER, AMARA = "Dr. Nadia Haddad", "Dr. Marcus Reid", "Dr. Priya Raman", "Dr. Amara Okafor"


async def names_when(stack: Stack, ok: Callable[[KnownNames], bool], what: str) -> KnownNames:
    """Poll the database until ``ok`` holds (the cog writes from its own listener tasks)."""
    assert stack.bot is not None
    names = KnownNames()
    for _ in range(200):
        names = await known_names(stack.bot.db, stack.seeded.guild_id)
        if ok(names):
            return names
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}: {names}")


async def test_channels_and_moderators_are_remembered_and_forgotten_on_request(stack: Stack) -> None:
    general = stack.seeded.channel("general")
    names = await names_when(stack, lambda n: general in n.channels and uid(stack, MARCUS) in n.members,
                             "the names seen at start-up")
    assert names.channels[general] == "general"
    assert names.members[uid(stack, NADIA)] == NADIA and names.members[uid(stack, MARCUS)] == MARCUS
    assert names.members[uid(stack, OWNER)] == OWNER
    assert uid(stack, AMARA) not in names.members  # members who do not moderate are not kept

    channel = stack.server.create_channel("journal-club")
    await names_when(stack, lambda n: n.channels.get(channel.id) == "journal-club", "a new channel")
    stack.server.update_member(uid(stack, NADIA), nick="Nadia (mod)")
    await names_when(stack, lambda n: n.members.get(uid(stack, NADIA)) == "Nadia (mod)", "a moderator's nickname")

    text = await slash(stack, NADIA, "privacy forgetme")
    assert "display name" in text
    await event(stack, "case")
    await slash(stack, AMARA, "standing")  # another command, answered after hers
    names = await known_names(stack.bot.db, stack.seeded.guild_id)  # type: ignore[union-attr]
    assert uid(stack, NADIA) not in names.members and uid(stack, MARCUS) in names.members

    await slash(stack, NADIA, "mod note", member=uid(stack, AMARA), reason="keeps derailing")
    await names_when(stack, lambda n: n.members.get(uid(stack, NADIA)) == "Nadia (mod)", "her name after she acts")
