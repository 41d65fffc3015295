"""The server's state as the control mixins see it, and the helpers they share.

:class:`~primum.localdiscord.server.LocalDiscord` sets every attribute declared here; each
mixin in this package adds one group of control methods on top (what people do, what goes
wrong, what a test can look at or wait for).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from primum.localdiscord.errors import ControlError
from primum.localdiscord.interaction_payloads import interaction_metadata, interaction_payload
from primum.localdiscord.models import JSON, Attachment, Guild, Interaction, Message, RequestRecord, SpecViolation
from primum.localdiscord.payloads import message_payload

if TYPE_CHECKING:
    from primum.localdiscord.faults import FaultPlan
    from primum.localdiscord.gateway import Gateway, Session
    from primum.localdiscord.gateway_events import GatewayEvents
    from primum.localdiscord.message_bodies import MessageBodies
    from primum.localdiscord.spec import OpenApiSpec
    from primum.localdiscord.world import World


class ControlBase:
    """Declared state and shared helpers of :class:`LocalDiscord`."""

    token: str
    host: str
    port: int
    strict: bool
    interaction_deadline: float
    world: World
    application_id: int
    bot_user_id: int
    app_owner_id: int
    spec: OpenApiSpec | None
    gateway: Gateway
    content_gate: Callable[[Session, Any], Any]
    bodies: MessageBodies
    events: GatewayEvents
    faults: FaultPlan
    requests: list[RequestRecord]
    spec_violations: list[SpecViolation]
    unhandled: list[str]
    internal_errors: list[str]
    global_commands: list[JSON]
    commands_synced: list[int | None]
    interactions: dict[int, Interaction]
    interactions_by_token: dict[str, Interaction]
    interaction_metadata: dict[int, JSON]
    files: dict[int, Attachment]
    pin_times: dict[int, datetime]
    reactions: dict[int, list[str]]
    default_channel_id: int | None
    _request_mark: int
    _message_mark: int

    @property
    def http_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` must be set to."""
        return f"{self.http_url}/api/v10"

    @property
    def gateway_base(self) -> str:
        """What ``DiscordWebSocket.DEFAULT_GATEWAY`` must be set to (also the resume URL)."""
        return f"ws://{self.host}:{self.port}/ws"

    # ---- the "since" watermark of the wait helpers -----------------------------------------

    def _action(self) -> None:
        self._request_mark = len(self.requests)
        self._message_mark = max(self.world.messages, default=0)

    def mark(self) -> int:
        """Set the "since" watermark for the wait helpers to now, and return the request index."""
        self._action()
        return self._request_mark

    # ---- defaults ---------------------------------------------------------------------------

    def _guild(self, guild_id: int | None) -> Guild:
        if guild_id is not None:
            return self.world.guild(guild_id)
        if not self.world.guilds:
            raise ControlError("no guild has been created")
        return next(iter(self.world.guilds.values()))

    @property
    def guild(self) -> Guild:
        """The first (usually only) guild."""
        return self._guild(None)

    @property
    def guild_id(self) -> int:
        """Id of the first guild."""
        return self.guild.id

    def _default_channel(self) -> int:
        if self.default_channel_id is None:
            raise ControlError("no channel given and no default channel")
        return self.default_channel_id

    def _interaction_record(self, interaction: Interaction | int) -> Interaction:
        return interaction if isinstance(interaction, Interaction) else self.interactions[interaction]

    def _live_message(self, message_id: int) -> Message:
        msg = self.world.messages.get(message_id)
        if msg is None or msg.deleted:
            raise ControlError(f"no message {message_id}")
        return msg

    # ---- interactions ------------------------------------------------------------------------

    def _new_interaction(self, type_: int, user_id: int, channel_id: int, data: JSON | None,
                         message: Message | None = None, name: str | None = None) -> Interaction:
        """Record an interaction a user starts and send INTERACTION_CREATE (with its metadata kept)."""
        self._action()
        channel = self.world.channel(channel_id)
        iid = self.world.snowflakes.next()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        msg_json = message_payload(self.world, message, interactions=self.interaction_metadata) if message else None
        payload = interaction_payload(self.world, interaction_id=iid, token=token, type_=type_,
                                      app_id=self.application_id, bot_id=self.bot_user_id, user_id=user_id,
                                      channel_id=channel.id, data=data, message=msg_json)
        extra: JSON = {}
        if message is not None:
            extra["interacted_message_id"] = str(message.id)
        self.interaction_metadata[iid] = interaction_metadata(
            self.world, interaction_id=iid, type_=type_, user_id=user_id, guild_id=channel.guild_id,
            name=name, extra=extra)
        rec = Interaction(iid, token, type_, user_id, channel.id, channel.guild_id, payload, time.monotonic())
        self.interactions[iid] = rec
        self.interactions_by_token[token] = rec
        self.gateway.dispatch("INTERACTION_CREATE", payload)
        return rec
