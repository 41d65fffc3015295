"""The Moderation cog's shared ground: who is who, where moderation posts, and the ``/mod`` group.

:class:`ModerationBase` is the base of every part of the Moderation cog (standing, appeals, the
case log, actions on members, hiding messages, settings); each part is a class in its own
``cogs/_moderation_*.py`` module and :class:`cogs.moderation.Moderation` puts them together, so one
cog (one ``bot.get_cog("Moderation")``) still holds them all. This module holds what every part
needs: turning Discord members into :class:`~primum.domain.moderation_rules.Party` values, the
caller's rank check, the review channel, names, posting and closing review cards, and the
transparency hook.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs._dm import send_dm
from cogs._interactions import answer, defer_first
from primum.domain.cases import CHANNEL_KINDS, Case, CaseKind, kind_label
from primum.domain.moderation_policy import ModerationPolicy
from primum.domain.moderation_rules import Party, Rank, rank_of
from primum.domain.transparency import transparency_entry
from primum.services.moderation import ModerationService

if TYPE_CHECKING:
    from primum.app import PrimumBot

log = logging.getLogger(__name__)

Interaction = discord.Interaction[Any]
MODERATOR_ROLE_NAMES = ("moderator", "moderators", "mod")
VERIFIED_ROLE_NAMES = ("verified physician", "verified")
REVIEW_CHANNEL_NAMES = ("review-queue", "mod-log", "modlog", "mod_log")
#: Commands that open a form (a modal) and so cannot be deferred first; the form's submission is.
OPENS_FORM = frozenset({"appeal", "mod hide"})

#: ``/mod``: the moderators' actions; each part of the cog adds its subcommands with ``@MOD.command``.
MOD = app_commands.Group(
    name="mod", description="Moderators: accountable actions (each one is a case)", guild_only=True,
    default_permissions=discord.Permissions(moderate_members=True),
)


class Denied(app_commands.CheckFailure):
    """A runtime rank check failed; the message is shown to the user (and logged at INFO)."""


def when(case: Case) -> str:
    """A case row's time as a Discord timestamp (each reader sees their own time zone)."""
    return f"<t:{int(case.created_at.timestamp())}:f>"


class ModerationBase(commands.Cog):
    """What every part of the Moderation cog shares; see the module docstring."""

    mod = MOD

    def __init__(self, bot: PrimumBot) -> None:
        self.bot = bot
        self.service = ModerationService(bot.db, bot.clock, bot.events)
        self.case_log = self.service.case_log

    # --- who is who -------------------------------------------------------------------------------
    def _has_role(self, member: discord.Member, role_id: int | None, names: tuple[str, ...]) -> bool:
        if role_id is not None:
            return any(role.id == role_id for role in member.roles)
        return any(role.name.lower() in names for role in member.roles)

    def party(self, member: discord.Member | discord.User, guild: discord.Guild, policy: ModerationPolicy) -> Party:
        """Plain values the domain rules need (rank from roles and permissions, read now)."""
        if not isinstance(member, discord.Member):
            return Party(member.id, Rank.MEMBER, 0, is_owner=member.id == guild.owner_id, is_bot=member.bot)
        perms = member.guild_permissions
        rank = rank_of(
            is_owner=member.id == guild.owner_id,
            is_admin=perms.administrator,
            has_moderator_role=self._has_role(member, policy.moderator_role_id, MODERATOR_ROLE_NAMES),
            can_moderate=perms.moderate_members or perms.manage_messages or perms.kick_members or perms.ban_members
            or perms.manage_guild,  # the same ranks as cogs._ranks.level_of
        )
        return Party(
            user_id=member.id, rank=rank if not member.bot else Rank.MEMBER, top_role_position=member.top_role.position,
            is_owner=member.id == guild.owner_id, is_bot=member.bot,
            is_verified_physician=self._has_role(member, policy.verified_role_id, VERIFIED_ROLE_NAMES),
        )

    async def _context(self, interaction: Interaction, need: Rank) -> tuple[discord.Guild, ModerationPolicy, Party]:
        """The guild, its policy and the caller; raises Denied when the caller's rank is too low."""
        guild = interaction.guild
        if guild is None:
            raise Denied("This command works in a server.")
        policy = await self.service.policy(guild.id)
        actor = self.party(interaction.user, guild, policy)
        if actor.rank < need:
            raise Denied("Only the server's owners can do that." if need is Rank.OWNER
                         else "Only moderators and owners can do that.")
        return guild, policy, actor

    def _bot_party(self, guild: discord.Guild, policy: ModerationPolicy) -> Party:
        return self.party(guild.me, guild, policy)

    def _member_party(self, guild: discord.Guild, policy: ModerationPolicy, user_id: int | None,
                      kind: CaseKind | None = None) -> Party | None:
        """The person a case or request is about, for the rank rule (None for a channel)."""
        if user_id is None or kind in CHANNEL_KINDS:
            return None
        member = guild.get_member(user_id)
        if member is not None:
            return self.party(member, guild, policy)
        return Party(user_id, Rank.MEMBER, 0, is_owner=user_id == guild.owner_id)

    def _review_channel(self, guild: discord.Guild, policy: ModerationPolicy) -> discord.TextChannel | None:
        if policy.review_channel_id is not None:
            channel = guild.get_channel(policy.review_channel_id)
            return channel if isinstance(channel, discord.TextChannel) else None
        for name in REVIEW_CHANNEL_NAMES:
            channel = discord.utils.get(guild.text_channels, name=name)
            if channel is not None:
                return channel
        return None

    def _name(self, guild: discord.Guild | None, user_id: int | None) -> str:
        if user_id is None:
            return "Primum"
        member = guild.get_member(user_id) if guild is not None else None
        user = member or self.bot.get_user(user_id)
        return user.display_name if user is not None else str(user_id)

    # --- Discord side effects ---------------------------------------------------------------------
    async def _dm(self, user_id: int, content: str, **kwargs: Any) -> bool:
        """DM a member; False (logged at INFO) when their DMs are closed or they are unreachable."""
        return await send_dm(self.bot, user_id, content, **kwargs)

    async def _post(
        self, channel: discord.abc.Messageable | None, content: str, **kwargs: Any
    ) -> discord.Message | None:
        if channel is None:
            return None
        try:
            return await channel.send(content, **kwargs)
        except discord.Forbidden:
            log.warning("Primum may not post in a moderation channel; check its permissions")
        except discord.HTTPException as error:
            log.warning("could not post in a moderation channel: %s", error)
        return None

    async def _close_card(self, channel_id: int | None, message_id: int | None, note: str) -> None:
        """Remove the buttons from a review card and add what happened."""
        if channel_id is None or message_id is None:
            return
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            return
        try:
            message = await channel.fetch_message(message_id)
            await message.edit(content=f"{message.content}\n**{note}**", view=None)
        except discord.HTTPException as error:
            log.info("could not update review card %d: %s", message_id, error)

    async def _post_transparency(self, case: Case) -> None:
        """Case hook: a redacted line in the guild's transparency channel, when it has one."""
        guild = self.bot.get_guild(case.guild_id)
        if guild is None:
            return
        policy = await self.service.policy(guild.id)
        if policy.transparency_channel_id is None:
            return
        channel = guild.get_channel(policy.transparency_channel_id)
        if not isinstance(channel, discord.TextChannel):
            return
        entry = transparency_entry(case, policy, self._name(guild, case.actor_id) if case.actor_id else None)
        await self._post(channel, entry.line())

    @staticmethod
    def _done(case: Case, conflict: bool) -> str:
        text = f"Done: case #{case.number} ({kind_label(case.kind)}) is on the record."
        if conflict:
            text += ("\n⚠ You were arguing with this member in the last hour. The case is marked; consider asking "
                     "another moderator next time.")
        return text


    _answer = staticmethod(answer)  # privately, whether or not the interaction was deferred

    async def interaction_check(self, interaction: Interaction) -> bool:
        """Acknowledge every command first (not those opening a form): slow Discord or database, still an answer."""
        await defer_first(interaction, opens_form=OPENS_FORM)
        return True
