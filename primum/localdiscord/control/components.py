"""Using what the bot sent: clicking buttons, choosing in selects, filling in and submitting modals."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from primum.localdiscord.errors import ControlError
from primum.localdiscord.models import JSON, Interaction, Message

from .base import ControlBase


def _find_component(msg: Message, custom_id: str) -> JSON:
    def walk(node: Any) -> JSON | None:
        if isinstance(node, dict):
            if node.get("custom_id") == custom_id and node.get("type") != 1:
                return node
            for value in node.values():
                hit = walk(value)
                if hit is not None:
                    return hit
        elif isinstance(node, list):
            for item in node:
                hit = walk(item)
                if hit is not None:
                    return hit
        return None

    found = walk(msg.components)
    if found is None:
        ids = re.findall(r"'custom_id': '([^']*)'", repr(msg.components))
        raise ControlError(f"message {msg.id} has no component {custom_id!r}; it has {ids}")
    if found.get("disabled"):
        raise ControlError(f"component {custom_id!r} is disabled")
    return found


class _ModalAnswers:
    """The values a user typed or chose, checked against each field of the modal."""

    def __init__(self, values: Mapping[str, str | Sequence[str]]) -> None:
        self.remaining = dict(values)

    def field(self, comp: JSON) -> JSON:
        cid = comp.get("custom_id", "")
        out: JSON = {"type": comp["type"], "custom_id": cid}
        if "id" in comp:
            out["id"] = comp["id"]
        given = self.remaining.pop(cid, None)
        if comp["type"] == 4:
            text = "" if given is None else str(given)
            if comp.get("required", True) and not text:
                raise ControlError(f"modal field {cid!r} is required")
            if text and len(text) < int(comp.get("min_length", 0)):
                raise ControlError(f"modal field {cid!r} is shorter than {comp['min_length']}")
            if len(text) > int(comp.get("max_length", 4000)):
                raise ControlError(f"modal field {cid!r} is longer than {comp['max_length']}")
            out["value"] = text
        else:
            out["values"] = [] if given is None else ([given] if isinstance(given, str) else list(given))
        return out

    def rows(self, modal: JSON) -> list[JSON]:
        rows: list[JSON] = []
        for comp in modal.get("components", []):
            if comp["type"] == 1:
                rows.append({"type": 1, "id": comp.get("id", 0),
                             "components": [self.field(c) for c in comp["components"]]})
            elif comp["type"] == 18:
                rows.append({"type": 18, "id": comp.get("id", 0), "component": self.field(comp["component"])})
            elif comp["type"] == 10:
                rows.append({"type": 10, "id": comp.get("id", 0)})
        if self.remaining:
            raise ControlError(f"modal has no fields {sorted(self.remaining)}")
        return rows


class Components(ControlBase):
    """A user interacts with the bot's buttons, selects and modals."""

    def _component_interaction(self, user_id: int, message_id: int, custom_id: str,
                               values: list[str] | None) -> Interaction:
        msg = self._live_message(message_id)
        if msg.author_id != self.bot_user_id:
            raise ControlError("only the bot's own components can be used")
        if msg.ephemeral and msg.interaction_id is not None:
            owner = self.interactions[msg.interaction_id].user_id
            if owner != user_id:
                raise ControlError("that ephemeral message is only visible to its invoker")
        comp = _find_component(msg, custom_id)
        data: JSON = {"custom_id": custom_id, "component_type": comp["type"]}
        if "id" in comp:
            data["id"] = comp["id"]
        if comp["type"] == 2:
            if values is not None:
                raise ControlError("buttons take no values")
            if comp.get("style") == 5 or "url" in comp:
                raise ControlError("link buttons do not create interactions")
        else:
            chosen = list(values or [])
            low, high = int(comp.get("min_values", 1)), int(comp.get("max_values", 1))
            if not low <= len(chosen) <= high:
                raise ControlError(f"select needs {low}..{high} values")
            if comp["type"] == 3:
                options = [o["value"] for o in comp.get("options", [])]
                bad = [v for v in chosen if v not in options]
                if bad:
                    raise ControlError(f"{bad} are not options of {custom_id!r}: {options}")
            data["values"] = chosen
        return self._new_interaction(3, user_id, msg.channel_id, data, message=msg)

    def click_button(self, user_id: int, message_id: int, custom_id: str) -> Interaction:
        """A user clicks a button the bot sent."""
        return self._component_interaction(user_id, message_id, custom_id, None)

    def choose(self, user_id: int, message_id: int, custom_id: str, values: Sequence[str]) -> Interaction:
        """A user picks ``values`` in a select menu the bot sent."""
        return self._component_interaction(user_id, message_id, custom_id, list(values))

    def submit_modal(self, interaction: Interaction | int, values: Mapping[str, str | Sequence[str]]
                     ) -> Interaction:
        """The user fills in and submits the modal the bot opened on ``interaction``."""
        rec = self._interaction_record(interaction)
        modal = rec.modal
        if modal is None:
            raise ControlError(f"the bot did not answer interaction {rec.id} with a modal")
        data = {"custom_id": modal["custom_id"], "components": _ModalAnswers(values).rows(modal)}
        source = self.world.interaction_source(rec)
        return self._new_interaction(5, rec.user_id, rec.channel_id, data, message=source)
