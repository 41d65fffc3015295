"""The rank rule at the Discord edge: read both ranks now and ask :mod:`primum.domain.ranks`.

Every moderator command or button that acts on one member calls :func:`refuse_target` (the
moderation cog reaches the same rule through ``check_action``), so a moderator never acts on
themselves, a peer or anyone higher, and an administrator never on another administrator or
the owner.
"""

from __future__ import annotations

from typing import Any

import discord

from primum.domain.ranks import Level, Person, level_from, rank_refusal

#: Role names that make someone a moderator even without a moderator permission.
MODERATOR_ROLE_NAMES = ("moderator", "moderators", "mod")
#: Permissions that make someone a moderator (Manage Server alone is a moderator, not an administrator:
#: the same ranks as the moderation cog's ``party``).
MODERATOR_PERMISSIONS = ("manage_messages", "moderate_members", "kick_members", "ban_members", "manage_guild")


def level_of(user: discord.abc.User, guild: discord.Guild) -> Level:
    """Someone's rank in ``guild`` from their permissions and roles, read at call time."""
    member = user if isinstance(user, discord.Member) else guild.get_member(user.id)
    if user.id == guild.owner_id:
        return Level.OWNER
    if member is None:
        return Level.MEMBER
    perms = member.guild_permissions
    return level_from(
        is_owner=False,
        is_admin=perms.administrator,
        is_moderator=any(getattr(perms, name) for name in MODERATOR_PERMISSIONS)
        or any(role.name.lower() in MODERATOR_ROLE_NAMES for role in member.roles),
    )


def refuse_target(interaction: discord.Interaction[Any], target: discord.abc.User | int) -> str | None:
    """None when the caller may act on ``target``; otherwise the sentence to show them."""
    guild = interaction.guild
    if guild is None:
        return "This works only in a server."
    target_user = guild.get_member(target) if isinstance(target, int) else target
    target_id = target if isinstance(target, int) else target.id
    target_level = level_of(target_user, guild) if target_user is not None else (
        Level.OWNER if target_id == guild.owner_id else Level.MEMBER)
    refusal = rank_refusal(Person(interaction.user.id, level_of(interaction.user, guild)),
                           Person(target_id, target_level), guild.me.id if guild.me is not None else None)
    return None if refusal is None else refusal.message
