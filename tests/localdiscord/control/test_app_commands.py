"""Using the bot's commands: autocomplete and context-menu apps."""

from __future__ import annotations

from primum.localdiscord import LocalDiscord, PhysicianServer
from tests.localdiscord.botkit import TinyBot


async def test_autocomplete_and_context_menus(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    doc = world.physician_ids[0]
    auto = await server.wait_interaction_response(server.autocomplete(doc, "condition", {"name": "dia"}, "name"))
    assert [c["value"] for c in auto.choices or []] == ["diabetes insipidus", "diabetes mellitus"]
    user_cmd = await server.wait_interaction_response(
        server.invoke_user_command(doc, "Report user", world.physician_ids[1]))
    assert server.world.messages[user_cmd.original_message_id].content == "Reported Dr. Rajesh Patel"  # type: ignore[index]
    said = server.user_says(world.physician_ids[1], world.general, "questionable take")
    flagged = await server.wait_interaction_response(server.invoke_message_command(doc, "Flag message", said.id))
    assert server.world.messages[flagged.original_message_id].content == "Flagged: questionable take"  # type: ignore[index]
