"""The REST API of the local Discord, one module per resource as in Discord's API reference.

:mod:`.base` holds what every handler shares, :mod:`.pipeline` what happens to every request
before and after its handler; the other modules are the resources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .application_commands import ApplicationCommandRoutes
from .base import Handler, Reply, Req, Resource, RouteTable
from .channels import ChannelRoutes
from .gateway import GatewayRoutes
from .guilds import GuildRoutes
from .interactions import InteractionRoutes
from .members import MemberRoutes
from .messages import MessageRoutes
from .users import UserRoutes
from .webhooks import WebhookRoutes

if TYPE_CHECKING:
    from primum.localdiscord.server import LocalDiscord

RESOURCES: tuple[type[Resource], ...] = (
    UserRoutes, GatewayRoutes, ApplicationCommandRoutes, ChannelRoutes, MessageRoutes, GuildRoutes,
    MemberRoutes, InteractionRoutes, WebhookRoutes,
)


def build_route_table(server: LocalDiscord) -> RouteTable:
    """Every route of every resource, bound to ``server``."""
    table = RouteTable()
    for resource in RESOURCES:
        table.add_all(resource(server).routes())
    return table


__all__ = ["RESOURCES", "Handler", "Reply", "Req", "Resource", "RouteTable", "build_route_table"]
