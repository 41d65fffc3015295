"""What people do: join and leave the guild."""

from __future__ import annotations

from primum.localdiscord import LocalDiscord, PhysicianServer
from tests.localdiscord.botkit import TinyBot


async def test_member_join_and_leave(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    newbie = server.create_user("fresh.intern", global_name="Dr. Lena Novak")
    server.member_join(newbie.id)
    await server.wait_for(lambda: bot.joined == [newbie.id])
    guild = bot.get_guild(world.guild_id)
    assert guild is not None and guild.get_member(newbie.id) is not None
    server.member_leave(newbie.id)
    await server.wait_for(lambda: bot.left == [newbie.id])
    assert guild.get_member(newbie.id) is None
