"""What a client asks before it connects: the gateway URL and the bot's application."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .base import Req, Resource, Route


class GatewayRoutes(Resource):
    """``/gateway``, ``/gateway/bot`` and ``/oauth2/applications/@me`` (discord.py's login)."""

    def routes(self) -> Iterable[Route]:
        return [
            ("GET", "/oauth2/applications/@me", self.get_application),
            ("GET", "/gateway", self.get_gateway),
            ("GET", "/gateway/bot", self.get_gateway_bot),
        ]

    async def get_application(self, req: Req) -> Any:
        return self.s.application_json()

    async def get_gateway(self, req: Req) -> Any:
        return {"url": self.s.gateway_base}

    async def get_gateway_bot(self, req: Req) -> Any:
        return {
            "url": self.s.gateway_base,
            "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
        }
