"""Interactions: the bot's initial response to a slash command, component, modal or autocomplete."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from primum.localdiscord.errors import DiscordError, form_error, unknown
from primum.localdiscord.models import JSON, Callback, Interaction, Message, UploadedFile

from .base import Req, Resource, Route

if TYPE_CHECKING:
    from primum.localdiscord.server import LocalDiscord

#: Which callback types each interaction type accepts (1 ping, 2 command, 3 component, 4 autocomplete, 5 modal).
CALLBACK_TYPES: dict[int, set[int]] = {1: {1}, 2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}
EPHEMERAL = 64
LOADING = 128
MAX_CHOICES = 25


def post_app_message(server: LocalDiscord, rec: Interaction, body: JSON, files: list[UploadedFile], *,
                     deferred: bool = False, type_: int = 0) -> Message:
    """A message the app posts for an interaction (ephemeral when ``flags`` asks; "thinking…" if deferred)."""
    bodies = server.bodies
    msg = bodies.new_message(server.world.channel(rec.channel_id), server.bot_user_id)
    msg.webhook_id = server.application_id
    msg.interaction_id = rec.id
    msg.type = type_
    flags = int(body.get("flags") or 0)
    if deferred:
        msg.flags = LOADING
    else:
        bodies.apply(msg, {**body, "flags": flags & ~EPHEMERAL}, files, creating=True)
    msg.flags |= flags & EPHEMERAL
    bodies.store(msg)
    server.events.message("MESSAGE_CREATE", msg)
    return msg


class InteractionRoutes(Resource):
    """``POST /interactions/{interaction_id}/{interaction_token}/callback``."""

    def routes(self) -> Iterable[Route]:
        return [("POST", "/interactions/{interaction_id}/{interaction_token}/callback", self.callback)]

    def _interaction_for(self, req: Req) -> Interaction:
        rec = self.s.interactions.get(req.int_param("interaction_id"))
        if rec is None or rec.token != req.params["interaction_token"]:
            raise unknown("interaction")
        return rec

    async def callback(self, req: Req) -> Any:
        rec = self._interaction_for(req)
        if rec.acked:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        if time.monotonic() - rec.created > self.s.interaction_deadline:
            raise unknown("interaction")
        body = req.body
        type_ = int(body.get("type", 0))
        if type_ not in CALLBACK_TYPES.get(rec.type, set()):
            raise form_error("type", "INTERACTION_CALLBACK_TYPE_INVALID",
                             f"Callback type {type_} is not valid for interaction type {rec.type}")
        data: JSON = body.get("data") or {}
        message: Message | None = None
        if type_ in (4, 5):
            message = post_app_message(self.s, rec, data, req.files, deferred=type_ == 5,
                                       type_=20 if rec.type == 2 else 0)
            rec.original_message_id = message.id
        elif type_ in (6, 7):
            source = self.w.interaction_source(rec)
            rec.original_message_id = source.id if source else None
            if type_ == 7 and source is not None:
                self.s.bodies.apply(source, data, req.files, creating=False)
                source.edited_at = self.w.now()
                self.s.events.message("MESSAGE_UPDATE", source)
                message = source
        elif type_ == 8:
            choices = data.get("choices") or []
            if len(choices) > MAX_CHOICES:
                raise form_error("data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        elif type_ == 9:
            for key in ("custom_id", "title", "components"):
                if not data.get(key):
                    raise form_error(f"data.{key}", "BASE_TYPE_REQUIRED", "This field is required")
        rec.callbacks.append(Callback(type=type_, data=data, at=time.monotonic(), files=list(req.files)))
        if req.query.get("with_response", "").lower() not in ("1", "true"):
            return None
        resource: JSON = {"type": type_}
        if message is not None:
            resource["message"] = self.message_json(message)
        return {
            "interaction": {
                "id": str(rec.id),
                "type": rec.type,
                "response_message_id": str(message.id) if message else None,
                "response_message_loading": type_ == 5,
                "response_message_ephemeral": bool(message and message.ephemeral),
            },
            "resource": resource,
        }
