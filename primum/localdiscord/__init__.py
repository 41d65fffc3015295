"""A loopback Discord (gateway v10 + REST) that the real discord.py client connects to.

Used by ``primum demo`` and every end-to-end test. The discord.py side of the harness lives in
:mod:`primum.localdiscord.client` (the only module here that imports ``discord``)::

    async with LocalDiscord(validate=True) as server:          # validate=True: the spec must exist
        ids = seed_physician_server(server)                     # seed *before* the bot connects
        with DiscordErrorGuard() as guard:                       # any ERROR log fails the test
            async with running(make_bot(), server):             # redirect, start, wait for on_ready
                server.user_says(ids.physician_ids[0], ids.general, "hello")
                reply = await server.wait_message(ids.general)  # first bot message since that action
                rec = server.invoke_slash(ids.owner_id, "slowmode", {"seconds": 30})
                await server.wait_interaction_response(rec)
        guard.check()
        server.assert_clean()                                   # no OpenAPI violations / unknown routes

Layout: :mod:`.server` wires the parts together; :mod:`.routes` is the REST API, one module per
resource as in Discord's API reference (its :mod:`~.routes.pipeline` validates every request
against the OpenAPI spec); :mod:`.gateway` the websocket; :mod:`.control` what tests make people
do, what they look at and wait for; :mod:`.world` the state and Discord's permission rules;
:mod:`.message_bodies`, :mod:`.gateway_events` and the ``*payloads`` modules the shapes shared
by REST and control.
"""

from .errors import ControlError, DiscordError
from .ids import Intent, Perm
from .models import (
    Attachment,
    Callback,
    Channel,
    ChannelType,
    Guild,
    Interaction,
    Member,
    Message,
    Overwrite,
    RequestRecord,
    Role,
    SpecViolation,
    User,
)
from .seed import PhysicianServer, seed_physician_server
from .server import DEFAULT_TOKEN, LocalDiscord
from .spec import ENV_VAR as OPENAPI_ENV_VAR
from .spec import OpenApiSpec, default_spec_path

__all__ = [
    "DEFAULT_TOKEN",
    "OPENAPI_ENV_VAR",
    "Attachment",
    "Callback",
    "Channel",
    "ChannelType",
    "ControlError",
    "DiscordError",
    "Guild",
    "Intent",
    "Interaction",
    "LocalDiscord",
    "Member",
    "Message",
    "OpenApiSpec",
    "Overwrite",
    "Perm",
    "PhysicianServer",
    "RequestRecord",
    "Role",
    "SpecViolation",
    "User",
    "default_spec_path",
    "seed_physician_server",
]
