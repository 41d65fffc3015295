"""Runtime permission checks shared by the cogs (``default_member_permissions`` only hides commands).

Ranks, from Discord permissions read at the time of the interaction:

* **owner**: Administrator, Manage Server, or the server's owner;
* **moderator**: an owner, or a member with any of a cog's moderator permissions (by default
  Manage Messages or Timeout Members; a cog that accepts other ones passes them explicitly).

The check decorators raise :class:`app_commands.CheckFailure` with the cog's own message, which the
command tree's error handler shows to the user.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

T = TypeVar("T")
Interaction = discord.Interaction[Any]

#: Permissions that make a member one of the server's owners (besides being its owner).
OWNER_PERMISSIONS = ("administrator", "manage_guild")
#: Permissions that make a member a moderator by default (owners always are).
MODERATOR_PERMISSIONS = ("manage_messages", "moderate_members")
OUTSIDE_GUILD = "This command works only in a server."


def member_permissions(interaction: Interaction) -> discord.Permissions:
    """The caller's server-wide permissions; none outside a server."""
    user = interaction.user
    return user.guild_permissions if isinstance(user, discord.Member) else discord.Permissions.none()


def has_any_permission(interaction: Interaction, names: tuple[str, ...]) -> bool:
    """Whether the caller holds at least one of the named permissions (e.g. ``"moderate_members"``)."""
    perms = member_permissions(interaction)
    return any(getattr(perms, name) for name in names)


def is_owner(interaction: Interaction) -> bool:
    """Administrator, Manage Server, or the server's owner."""
    guild = interaction.guild
    return has_any_permission(interaction, OWNER_PERMISSIONS) or (
        guild is not None and guild.owner_id == interaction.user.id
    )


def is_moderator(interaction: Interaction, permissions: tuple[str, ...] = MODERATOR_PERMISSIONS) -> bool:
    """An owner, or a member with any of ``permissions``."""
    return is_owner(interaction) or has_any_permission(interaction, permissions)


def require(allowed: Callable[[Interaction], bool], message: str) -> Callable[[T], T]:
    """Check decorator: in a server, ``allowed(interaction)`` must hold, else ``message`` is shown."""

    def predicate(interaction: Interaction) -> bool:
        if not isinstance(interaction.user, discord.Member):
            raise app_commands.CheckFailure(OUTSIDE_GUILD)
        if not allowed(interaction):
            raise app_commands.CheckFailure(message)
        return True

    return app_commands.check(predicate)


def owners_only(message: str) -> Callable[[T], T]:
    """Check decorator: the server's owners only (see :func:`is_owner`)."""
    return require(is_owner, message)


def moderators_only(message: str, permissions: tuple[str, ...] = MODERATOR_PERMISSIONS) -> Callable[[T], T]:
    """Check decorator: owners and members with any of ``permissions`` (see :func:`is_moderator`)."""
    return require(lambda interaction: is_moderator(interaction, permissions), message)
