"""Everyday moderator tools beside the accountable ones: ``/mod warn``, ``unban``, ``tempban``, ``purge``.

Each is a case with a mandatory reason, checked with the same rank rules as the rest of ``/mod``
(the Moderation cog's own helpers), and added to its ``/mod`` group when this cog loads. A timed
ban is a row in ``scheduled_actions`` written before the ban, so it lifts itself on time even
across restarts; what fell due while Primum was down is lifted at start-up.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs._checks import is_moderator
from cogs._interactions import defer_first
from primum import display
from primum.domain.cases import CaseKind, InvalidInput, kind_label, validate_reason
from primum.domain.durations import parse_duration
from primum.domain.moderation_rules import Rank, check_action
from primum.domain.policy import ThresholdError
from primum.domain.removals import needs_second_moderator
from primum.runtime.scheduler import NewAction, RetryLater, ScheduledAction, Scheduler, Why
from primum.runtime.tasks import BackgroundTasks
from primum.storage.deescalation import ScheduledActionRepository

if TYPE_CHECKING:
    from primum.app import PrimumBot

log = logging.getLogger(__name__)
Interaction = discord.Interaction[Any]

TEMPBAN = "tempban"
TEMPBAN_MIN = timedelta(seconds=10)
TEMPBAN_MAX = timedelta(days=365)
PURGE_SCAN = 500  # messages looked at to find ``count`` by one member


class ModerationTools(commands.Cog):
    """Warn, unban, timed ban and purge, as subcommands of ``/mod``."""

    def __init__(self, bot: PrimumBot) -> None:
        self.bot = bot
        self.actions = ScheduledActionRepository(bot.db)
        self.scheduler = Scheduler(self.actions, bot.clock, name="moderation-tools")
        self.scheduler.register(TEMPBAN, self._lift_tempban)
        self._tasks = BackgroundTasks("moderation-tools", log)
        self._moved: list[app_commands.Command[Any, Any, Any]] = []

    # --- life cycle -------------------------------------------------------------------------------
    async def cog_load(self) -> None:
        """Move this cog's commands under ``/mod`` (the Moderation cog's group) and arm timed bans."""
        group = self._mod_group()
        mine = [c for c in self.__cog_app_commands__ if isinstance(c, app_commands.Command)]
        for command in mine:
            group.add_command(command)
            self._moved.append(command)
        self.__cog_app_commands__ = [c for c in self.__cog_app_commands__ if c not in mine]
        self._add_case_autocomplete()
        self._tasks.spawn(self._start(), "moderation-tools-start")

    def _add_case_autocomplete(self) -> None:
        """Case numbers to pick from in ``/appeal`` (your own cases) and ``/case show|amend`` (the server's)."""
        tree = self.bot.tree
        appeal = tree.get_command("appeal")
        if isinstance(appeal, app_commands.Command):
            appeal.autocomplete("case")(self._own_cases)
        case = tree.get_command("case")
        if isinstance(case, app_commands.Group):
            for name in ("show", "amend"):
                sub = case.get_command(name)
                if isinstance(sub, app_commands.Command):
                    sub.autocomplete("case")(self._server_cases)

    async def _case_choices(self, interaction: Interaction, current: str, *,
                            target_id: int | None) -> list[app_commands.Choice[int]]:
        moderation = self.bot.get_cog("Moderation")
        if moderation is None or interaction.guild is None:
            return []
        found = await moderation.service.cases.search(  # type: ignore[attr-defined]
            interaction.guild.id, target_id=target_id, limit=100)
        typed = current.strip().lstrip("#")
        choices = []
        for history in found:
            if typed and not str(history.number).startswith(typed):
                continue
            original = history.original
            label = (f"#{history.number} {kind_label(original.kind)} · {original.created_at:%d %b %Y} · "
                     f"{original.reason}")
            choices.append(app_commands.Choice(name=label[:100], value=history.number))
        return choices[:25]

    async def _own_cases(self, interaction: Interaction, current: str) -> list[app_commands.Choice[int]]:
        return await self._case_choices(interaction, current, target_id=interaction.user.id)

    async def _server_cases(self, interaction: Interaction, current: str) -> list[app_commands.Choice[int]]:
        if not is_moderator(interaction):
            return []
        return await self._case_choices(interaction, current, target_id=None)

    async def cog_unload(self) -> None:
        """Undo cog_load; pending timed bans stay in the database."""
        await self._tasks.cancel_all()
        await self.scheduler.stop()
        moderation = self.bot.get_cog("Moderation")
        group = getattr(moderation, "mod", None)
        if isinstance(group, app_commands.Group):
            for command in self._moved:
                group.remove_command(command.name)
        self._moved.clear()

    async def _start(self) -> None:
        await self.bot.wait_until_ready()
        await self.scheduler.start()

    def _mod_group(self) -> app_commands.Group:
        moderation = self.bot.get_cog("Moderation")
        group = getattr(moderation, "mod", None)
        if not isinstance(group, app_commands.Group):
            raise RuntimeError("cogs.moderation_tools needs cogs.moderation loaded first")
        return group

    def _moderation(self) -> Any:
        moderation = self.bot.get_cog("Moderation")
        if moderation is None:
            raise app_commands.CheckFailure("Primum's moderation feature is not running.")
        return moderation

    async def _checked(self, interaction: Interaction, kind: CaseKind, user: discord.abc.User,
                       reason: str) -> tuple[discord.Guild, Any, Any, str] | None:
        """Rank rules and the reason, as for every ``/mod`` action; None (answered) when refused."""
        moderation = self._moderation()
        guild, policy, actor = await moderation._context(interaction, Rank.MODERATOR)
        target = moderation.party(guild.get_member(user.id) or user, guild, policy)
        try:
            text = validate_reason(reason)
        except InvalidInput as error:
            await moderation._answer(interaction, str(error))
            return None
        decision = check_action(kind, actor, target, moderation._bot_party(guild, policy))
        if not decision:
            await moderation._answer(interaction, decision.message)
            return None
        return guild, policy, target, text

    # --- /mod warn --------------------------------------------------------------------------------
    @app_commands.command(name="warn", description="Warn a member: they get it by DM, and it goes on their record")
    @app_commands.describe(member="Who to warn", reason="The warning (sent to them, kept on record)")
    async def warn(self, interaction: Interaction, member: discord.Member, reason: str) -> None:
        """A warning the member receives: a ``warn`` case and a DM (the warning is in /standing either way)."""
        checked = await self._checked(interaction, CaseKind.WARN, member, reason)
        if checked is None:
            return
        guild, _, target, text = checked
        await defer_first(interaction)
        moderation = self._moderation()
        case = await moderation.case_log.record(guild.id, CaseKind.WARN, target.user_id, interaction.user.id, text)
        delivered = await moderation._dm(
            target.user_id,
            f"**A warning from the moderators of {guild.name}**\n{text}\nThis is case #{case.number}; it is on "
            f"your record (see `/standing`). If you think it is wrong, `/appeal case:{case.number}` goes to a "
            "moderator who took no part in it.",
        )
        told = "They got it by DM." if delivered else ("Their DMs are closed, so they were not told directly; "
                                                       "the warning is in their /standing.")
        await moderation._answer(interaction, f"Warning recorded as case #{case.number}. {told}")

    # --- /mod unban -------------------------------------------------------------------------------
    @app_commands.command(name="unban", description="Lift a ban (a case with a reason)")
    @app_commands.describe(user="Who to unban (a user id works)", reason="Why (kept on record)")
    async def unban(self, interaction: Interaction, user: discord.User, reason: str) -> None:
        """Unban outside an overturned appeal; a pending timed ban of the same user is closed too."""
        moderation = self._moderation()
        guild, _, _ = await moderation._context(interaction, Rank.MODERATOR)
        try:
            text = validate_reason(reason)
        except InvalidInput as error:
            await moderation._answer(interaction, str(error))
            return
        await defer_first(interaction)
        try:
            await guild.unban(user, reason=f"{text} (by {interaction.user.id})"[:500])
        except discord.NotFound:
            await moderation._answer(interaction, f"{user.mention} is not banned here.")
            return
        except discord.HTTPException as error:
            log.warning("unban of %d refused by Discord: %s", user.id, error)
            await moderation._answer(interaction, f"Discord refused the unban ({error.status}); nothing changed.")
            return
        for action in await self.actions.pending((TEMPBAN,)):
            if action.guild_id == guild.id and action.user_id == user.id:
                await self.scheduler.cancel(action.id, "unbanned_early")
        case = await moderation.case_log.record(guild.id, CaseKind.UNBAN, user.id, interaction.user.id, text)
        await moderation._answer(interaction, f"{user.mention} is unbanned: case #{case.number}.")

    # --- /mod tempban -----------------------------------------------------------------------------
    @app_commands.command(name="tempban", description="Ban a member for a while; the ban lifts itself")
    @app_commands.describe(member="Who to ban", duration="How long, e.g. 30m, 12h, 7d",
                           reason="Why (sent to them, kept on record)")
    async def tempban(self, interaction: Interaction, member: discord.Member, duration: str, reason: str) -> None:
        """Scheduled before it is applied, so a crash between the two never leaves a ban without its end."""
        try:
            length = parse_duration(duration, minimum=TEMPBAN_MIN, maximum=TEMPBAN_MAX)
        except ThresholdError as error:
            await interaction.response.send_message(f"Not banned: {error}.", ephemeral=True)
            return
        checked = await self._checked(interaction, CaseKind.BAN, member, reason)
        if checked is None:
            return
        guild, policy, target, text = checked
        moderation = self._moderation()
        if needs_second_moderator(CaseKind.BAN, target, policy):
            await moderation._answer(interaction, "Banning a verified physician needs a second moderator: use "
                                                  "`/mod ban`, then `/mod unban` when the time is up.")
            return
        await defer_first(interaction)
        until = self.bot.clock.now() + length
        action = await self.scheduler.schedule(NewAction(
            kind=TEMPBAN, guild_id=guild.id, user_id=target.user_id, actor_id=interaction.user.id,
            expires_at=until, reason=text,
        ))
        case = await moderation.case_log.record(guild.id, CaseKind.BAN, target.user_id, interaction.user.id, text,
                                                duration_s=int(length.total_seconds()),
                                                details={"until": int(until.timestamp()), "action_id": action.id})
        if not await moderation._remove(guild, CaseKind.BAN, target.user_id, case):
            await self.scheduler.cancel(action.id, "ban_refused")
            await moderation._answer(interaction, f"Discord refused the ban; case #{case.number} records the attempt.")
            return
        self.bot.events.emit("tempban", guild_id=guild.id, user_id=target.user_id, case=case.number,
                             expires_at=until.isoformat(), duration_s=int(length.total_seconds()))
        await moderation._answer(interaction, f"Banned for {display.duration_words(length)}, until "
                                              f"{display.when_and_relative(until)}: case #{case.number}.")

    async def _lift_tempban(self, action: ScheduledAction, why: Why) -> str:
        guild = self.bot.get_guild(action.guild_id)
        if guild is None:
            raise RetryLater(f"guild {action.guild_id} is not available yet")
        assert action.user_id is not None
        try:
            await guild.unban(discord.Object(id=action.user_id), reason=f"timed ban ended ({action.reason})"[:500])
        except discord.NotFound:
            return "already_lifted"
        moderation = self.bot.get_cog("Moderation")
        if moderation is not None:
            await moderation.case_log.record(  # type: ignore[attr-defined]
                action.guild_id, CaseKind.UNBAN, action.user_id, None, "automatic: the timed ban ended",
                details={"action_id": action.id},
            )
        late = (self.bot.clock.now() - action.expires_at).total_seconds()
        self.bot.events.emit("tempban_lifted", guild_id=action.guild_id, user_id=action.user_id,
                             why=str(why), late_s=round(late, 3))
        return "lifted"

    # --- /mod purge -------------------------------------------------------------------------------
    @app_commands.command(name="purge", description="Delete a burst of recent messages here (a case)")
    @app_commands.describe(count="How many messages (1-100)", reason="Why (kept on record)",
                           member="Only this member's messages")
    async def purge(self, interaction: Interaction, count: app_commands.Range[int, 1, 100], reason: str,
                    member: discord.Member | None = None) -> None:
        """Bulk-delete the last ``count`` messages (of one member, when given); no text is kept."""
        moderation = self._moderation()
        if member is not None:
            checked = await self._checked(interaction, CaseKind.PURGE, member, reason)
            if checked is None:
                return
            guild, text = checked[0], checked[3]
        else:
            guild, _, _ = await moderation._context(interaction, Rank.MODERATOR)
            try:
                text = validate_reason(reason)
            except InvalidInput as error:
                await moderation._answer(interaction, str(error))
                return
        channel = interaction.channel
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            await moderation._answer(interaction, "Purge works in a text channel or a thread.")
            return
        await defer_first(interaction)
        matched = 0

        def wanted(message: discord.Message) -> bool:
            nonlocal matched
            if matched >= count or (member is not None and message.author.id != member.id):
                return False
            matched += 1
            return True

        try:
            deleted = await channel.purge(limit=count if member is None else PURGE_SCAN, check=wanted,
                                          before=discord.Object(id=interaction.id), reason=text[:500])
        except discord.HTTPException as error:
            log.warning("purge in channel %d refused: %s", channel.id, error)
            await moderation._answer(interaction, f"Discord refused the purge ({error.status}); nothing recorded.")
            return
        case = await moderation.case_log.record(
            guild.id, CaseKind.PURGE, member.id if member is not None else None, interaction.user.id, text,
            details={"messages": len(deleted), "channel_id": channel.id},
        )
        self.bot.events.emit("purge", guild_id=guild.id, channel_id=channel.id, count=len(deleted), case=case.number)
        await moderation._answer(interaction, f"Deleted {len(deleted)} message(s) in {channel.mention}: case "
                                              f"#{case.number}.")


async def setup(bot: PrimumBot) -> None:
    """Load the ModerationTools cog (after cogs.moderation, whose /mod group it extends)."""
    await bot.add_cog(ModerationTools(bot))
