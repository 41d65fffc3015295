"""Interaction webhooks: followup messages, and reading, editing or deleting the original response."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from primum.localdiscord.errors import unknown
from primum.localdiscord.models import JSON, Interaction, Message, UploadedFile

from .base import Req, Resource, Route
from .interactions import LOADING, post_app_message

_HOOK = "/webhooks/{webhook_id}/{webhook_token}"


class WebhookRoutes(Resource):
    """``/webhooks/{application_id}/{interaction_token}[/messages/@original|{message_id}]``."""

    def routes(self) -> Iterable[Route]:
        yield "POST", _HOOK, self.followup
        for target in ("/messages/@original", "/messages/{message_id}"):
            yield "GET", _HOOK + target, self.get_webhook_message
            yield "PATCH", _HOOK + target, self.edit_webhook_message
            yield "DELETE", _HOOK + target, self.delete_webhook_message

    def _webhook_interaction(self, req: Req) -> Interaction:
        if req.int_param("webhook_id") != self.s.application_id:
            raise unknown("Webhook")
        rec = self.s.interactions_by_token.get(req.params["webhook_token"])
        if rec is None or not rec.acked:
            raise unknown("Webhook")
        return rec

    def _webhook_message(self, req: Req) -> tuple[Interaction, Message]:
        rec = self._webhook_interaction(req)
        raw = req.params.get("message_id")
        mid = rec.original_message_id if raw is None else int(raw)
        allowed = {rec.original_message_id, *rec.followup_ids}
        msg = self.w.messages.get(mid) if mid is not None else None
        if msg is None or msg.deleted or mid not in allowed:
            raise unknown("Message")
        return rec, msg

    def _edit(self, msg: Message, body: JSON, files: list[UploadedFile]) -> None:
        """Apply an edit (a webhook cannot change flags) and clear "thinking…"."""
        self.s.bodies.apply(msg, {k: v for k, v in body.items() if k != "flags"}, files, creating=False)
        msg.flags &= ~LOADING

    async def followup(self, req: Req) -> Any:
        rec = self._webhook_interaction(req)
        original = self.w.messages.get(rec.original_message_id) if rec.original_message_id else None
        if original is not None and original.flags & LOADING and not original.deleted:
            # The first followup after a deferral replaces the "thinking" message.
            self._edit(original, req.body, req.files)
            self.s.events.message("MESSAGE_UPDATE", original)
            return self.message_json(original)
        msg = post_app_message(self.s, rec, req.body, req.files)
        rec.followup_ids.append(msg.id)
        return self.message_json(msg)

    async def get_webhook_message(self, req: Req) -> Any:
        return self.message_json(self._webhook_message(req)[1])

    async def edit_webhook_message(self, req: Req) -> Any:
        _, msg = self._webhook_message(req)
        was_loading = bool(msg.flags & LOADING)
        self._edit(msg, req.body, req.files)
        if not was_loading:
            msg.edited_at = self.w.now()
        self.s.events.message("MESSAGE_UPDATE", msg)
        return self.message_json(msg)

    async def delete_webhook_message(self, req: Req) -> Any:
        rec, msg = self._webhook_message(req)
        msg.deleted = True
        if msg.id == rec.original_message_id:
            rec.original_deleted = True
        self.s.events.message_delete(msg)
        return None
