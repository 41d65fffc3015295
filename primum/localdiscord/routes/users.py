"""Users: the bot's own user, other users, and opening a DM channel."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from primum.localdiscord.payloads import channel_payload, user_payload

from .base import Req, Resource, Route


class UserRoutes(Resource):
    """``/users/...``."""

    def routes(self) -> Iterable[Route]:
        return [
            ("GET", "/users/@me", self.get_me),
            ("GET", "/users/{user_id}", self.get_user),
            ("POST", "/users/@me/channels", self.create_dm),
        ]

    async def get_me(self, req: Req) -> Any:
        bot = self.w.users[self.s.bot_user_id]
        return {**user_payload(bot), "verified": True, "mfa_enabled": False, "email": None,
                "locale": "en-US"}

    async def get_user(self, req: Req) -> Any:
        return user_payload(self.w.user(req.int_param("user_id")))

    async def create_dm(self, req: Req) -> Any:
        user_id = int(req.body.get("recipient_id", 0))
        self.w.user(user_id)
        return channel_payload(self.w, self.s.dm_channel(user_id))
