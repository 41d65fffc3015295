"""Using what the bot sent: modals (with field checks) and buttons."""

from __future__ import annotations

import pytest

from primum.localdiscord import ControlError, LocalDiscord, PhysicianServer
from tests.localdiscord.botkit import TinyBot


async def test_modal_open_and_submit(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    doc = world.physician_ids[2]
    opened = await server.wait_interaction_response(server.invoke_slash(doc, "report"))
    assert opened.modal is not None and opened.modal["title"] == "Report a concern"
    custom_id = _first_input(opened.modal)
    with pytest.raises(ControlError, match="shorter"):
        server.submit_modal(opened, {custom_id: "abc"})
    submitted = await server.wait_interaction_response(
        server.submit_modal(opened, {custom_id: "Insulting a colleague"}))
    message = server.world.messages[submitted.original_message_id]  # type: ignore[index]
    assert message.ephemeral and message.content == "Report received: Insulting a colleague"


def _first_input(modal: dict[str, object]) -> str:
    for comp in modal["components"]:  # type: ignore[attr-defined]
        inner = comp.get("component") or comp["components"][0]
        return str(inner["custom_id"])
    raise AssertionError("no input")


async def test_button_click_updates_message(server: LocalDiscord, world: PhysicianServer, bot: TinyBot) -> None:
    started = await server.wait_interaction_response(server.invoke_slash(world.physician_ids[0], "vote"))
    message_id = started.original_message_id
    assert message_id is not None
    clicked = await server.wait_interaction_response(server.click_button(world.physician_ids[3], message_id,
                                                                         "vote:agree"))
    assert clicked.response_type == 7
    assert server.world.messages[message_id].content == "1 vote(s)"
    await server.wait_for(lambda: ("0 vote(s)", "1 vote(s)") in bot.edits)
    with pytest.raises(ControlError, match="no component"):
        server.click_button(world.physician_ids[3], message_id, "vote:nope")
