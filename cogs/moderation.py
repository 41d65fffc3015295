"""Accountable moderation: every action is an append-only case that members can see and appeal.

A thin adapter over :class:`primum.services.cases.ModerationService`: Discord members become
:class:`~primum.domain.cases.Party` values, the service decides and records, and this cog does the
Discord side (delete, kick, ban, DMs, review cards, the transparency channel, the weekly report).

Commands: ``/standing`` and ``/appeal`` (everyone), ``/case show|list|amend`` and ``/mod kick|ban|
note|hide|confirm|decide`` (moderators), the "Hide message" context menu (moderators) and
``/mod-settings`` (owners). Every command checks ranks at run time as well as through
``default_member_permissions``.

Other features put their actions on the record with one line::

    self.bot.dispatch("primum_action", ActionRecord(guild_id, "slowmode", channel_id, None, reason, ...))
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from cogs._dm import send_dm
from cogs._embeds import settings_embed
from cogs._interactions import answer, defer_first
from cogs._moderation_views import (
    AppealButton,
    ConfirmButton,
    ReasonModal,
    StatementModal,
    appeal_view,
    confirmation_view,
)
from cogs._pages import send_pages
from primum import display
from primum.domain.cases import (
    CHANNEL_KINDS,
    ActionRecord,
    AppealStatus,
    Case,
    CaseHistory,
    CaseKind,
    CaseStatus,
    InvalidInput,
    ModerationPolicy,
    Party,
    PolicyError,
    Rank,
    action_from_event,
    check_action,
    interactions_from_message,
    kind_label,
    needs_second_moderator,
    parse_kind,
    rank_of,
    transparency_entry,
    validate_evidence_url,
    validate_reason,
)
from primum.reporting.weekly import load_rows, render_report
from primum.runtime.clock import from_iso, to_iso
from primum.runtime.tasks import BackgroundTasks
from primum.services.cases import ModerationService, Refused, RemovalRequest
from primum.services.names import with_live_names
from primum.storage.cases import Appeal, Confirmation

if TYPE_CHECKING:
    from primum.app import PrimumBot

log = logging.getLogger(__name__)

Interaction = discord.Interaction[Any]
MODERATOR_ROLE_NAMES = ("moderator", "moderators", "mod")
VERIFIED_ROLE_NAMES = ("verified physician", "verified")
REVIEW_CHANNEL_NAMES = ("review-queue", "mod-log", "modlog", "mod_log")
SWEEP_SECONDS = 60.0
#: Commands that open a form (a modal) and so cannot be deferred first; the form's submission is.
OPENS_FORM = frozenset({"appeal", "mod hide"})
REPORT_KEY = "moderation_report_sent"
REPORT_EVERY = timedelta(days=7)
_MESSAGE_LINK = re.compile(r"channels/(?:\d+|@me)/(?P<channel>\d+)/(?P<message>\d+)")


class Denied(app_commands.CheckFailure):
    """A runtime rank check failed; the message is shown to the user (and logged at INFO)."""


def _when(case: Case) -> str:
    return f"<t:{int(case.created_at.timestamp())}:f>"


class Moderation(commands.Cog):
    """Cases, standing, appeals, two-moderator removals, transparency and the owners' report."""

    def __init__(self, bot: PrimumBot) -> None:
        self.bot = bot
        self.service = ModerationService(bot.db, bot.clock, bot.events)
        self.case_log = self.service.case_log
        self._tasks = BackgroundTasks("moderation", log)
        self._hide_menu = app_commands.ContextMenu(name="Hide message", callback=self._hide_context)
        self._hide_menu.default_permissions = discord.Permissions(manage_messages=True)
        self._hide_menu.guild_only = True

    # --- life cycle -------------------------------------------------------------------------------
    async def cog_load(self) -> None:
        """Register the persistent buttons, the context menu, the transparency hook and the sweep."""
        self.bot.add_dynamic_items(ConfirmButton, AppealButton)
        self.bot.tree.add_command(self._hide_menu)
        self.case_log.add_hook(self._post_transparency)
        self.bot.events.subscribe(self._case_for_event)
        self._tasks.spawn(self._sweep_forever(), "moderation-sweep")

    async def cog_unload(self) -> None:
        """Undo cog_load."""
        await self._tasks.cancel_all()
        self.case_log.remove_hook(self._post_transparency)
        self.bot.events.unsubscribe(self._case_for_event)
        self.bot.tree.remove_command(self._hide_menu.name, type=discord.AppCommandType.message)
        self.bot.remove_dynamic_items(ConfirmButton, AppealButton)

    async def _sweep_forever(self) -> None:
        await self.bot.wait_until_ready()
        while True:
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("moderation sweep failed; retrying in %.0f s", SWEEP_SECONDS, exc_info=True)
            await asyncio.sleep(SWEEP_SECONDS)

    async def sweep(self) -> None:
        """Appeal reminders, expired removal requests, old interaction records and the weekly report.

        Restart-safe: every deadline is stored, so a sweep after downtime catches up. Tests call it
        directly after moving a fake clock.
        """
        for appeal in await self.service.due_reminders():
            await self._remind(appeal)
        for confirmation in await self.service.expire_confirmations():
            await self._close_card(confirmation.review_channel_id, confirmation.review_message_id,
                                   f"Request #{confirmation.id} expired without a second moderator.")
        await self.service.prune_interactions()
        await self.service.expire_statements()
        for guild in self.bot.guilds:
            await self._maybe_weekly_report(guild)

    # --- other features' actions ------------------------------------------------------------------
    def _case_for_event(self, event: dict[str, Any]) -> None:
        """Put hides, slowmodes, cooldowns and verification decisions on the record as cases."""
        if event.get("source") == "bot-process":
            return  # another process's bot records its own actions
        action = action_from_event(event)
        if action is not None:
            self.bot.dispatch("primum_action", action)

    @commands.Cog.listener()
    async def on_primum_action(self, action: ActionRecord | dict[str, Any]) -> None:
        """Record an action another feature dispatched with ``bot.dispatch("primum_action", ...)``."""
        try:
            await self.case_log.record_action(action)
        except InvalidInput as error:
            log.warning("an action could not be put on the record: %s", error)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Remember who replied to or mentioned whom (ids and times only) for the conflict check."""
        if message.guild is None or message.author.bot:
            return
        replied_to: int | None = None
        if message.reference is not None:
            resolved = message.reference.resolved
            if isinstance(resolved, discord.Message):
                replied_to = resolved.author.id
            elif message.reference.message_id is not None:
                cached = discord.utils.get(self.bot.cached_messages, id=message.reference.message_id)
                replied_to = cached.author.id if cached is not None else None
        mentioned = [user.id for user in message.mentions if not user.bot]
        found = interactions_from_message(message.channel.id, message.author.id, self.bot.clock.now(), replied_to,
                                          mentioned)
        if found:
            await self.service.interactions.add_many(message.guild.id, found)

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

    _answer = staticmethod(answer)  # privately, whether or not the interaction was deferred

    async def interaction_check(self, interaction: Interaction) -> bool:
        """Acknowledge every command first (not those opening a form): slow Discord or database, still an answer."""
        await defer_first(interaction, opens_form=OPENS_FORM)
        return True

    # --- /standing and /appeal --------------------------------------------------------------------
    @app_commands.command(name="standing", description="What Primum has on record about you, and how to appeal")
    @app_commands.guild_only()
    async def standing(self, interaction: Interaction) -> None:
        """Show members their own nudges, cooldowns and cases, privately: nothing is hidden from them."""
        guild = interaction.guild
        assert guild is not None
        policy = await self.service.policy(guild.id)
        standing = await self.service.standing(guild.id, interaction.user.id)
        lines = [f"**Your standing in {guild.name}**"]
        if standing.nudges:
            lines.append("Recent be-kind nudges (private, no penalty):")
            for nudge in standing.nudges:
                outcome = nudge.outcome or "open"
                lines.append(f"• <t:{int(nudge.created_at.timestamp())}:d> in <#{nudge.channel_id}>: "
                             f"{nudge.category.replace('_', ' ')} → {outcome}")
        else:
            lines.append("No recent be-kind nudges.")
        timed_out = getattr(interaction.user, "timed_out_until", None)
        cooldowns = [f"• until <t:{int(c.expires_at.timestamp())}:t> ({c.reason})" for c in standing.cooldowns]
        if not cooldowns and timed_out is not None and timed_out > self.bot.clock.now():
            cooldowns.append(f"• timed out until <t:{int(timed_out.timestamp())}:t>")
        lines.append("Active cooldowns:" if cooldowns else "No active cooldowns.")
        lines.extend(cooldowns)
        if standing.cases:
            lines.append("Cases about you:")
            for history in standing.cases:
                lines.append(self._member_case_line(history, standing.appeals.get(history.number), policy, guild))
            lines.append("To appeal a case: `/appeal case:<number>`. A moderator who took no part in it decides, "
                         "and you'll get the decision and the reason by DM.")
        else:
            lines.append("No moderation cases about you.")
        self.bot.events.emit("command", name="standing", user_id=interaction.user.id)
        await send_pages(interaction, lines)

    def _member_case_line(self, history: CaseHistory, appeal: Appeal | None, policy: ModerationPolicy,
                          guild: discord.Guild) -> str:
        current = history.current
        who = ("Primum" if history.original.actor_id is None
               else self._name(guild, history.original.actor_id) if policy.show_moderator_names else "a moderator")
        bits = [f"• **#{history.number}** {kind_label(history.original.kind)} {_when(history.original)} by {who}",
                f"reason: {current.reason}"]
        if current.duration_s:
            bits.append(f"for {display.duration_words(current.duration_s)}")
        if current.status is not CaseStatus.ACTIVE:
            bits.append(f"now **{current.status.value}**")
        if appeal is not None:
            bits.append(f"appeal: {appeal.status.value}")
        return " · ".join(bits)

    @app_commands.command(name="appeal", description="Appeal a moderation case about you")
    @app_commands.describe(case="The case number (see /standing)",
                           statement="Why it should be reconsidered (leave empty to write it in a form)")
    async def appeal(self, interaction: Interaction, case: app_commands.Range[int, 1],
                     statement: app_commands.Range[str, 0, 2000] | None = None) -> None:
        """Members may appeal any case about them; in a DM too (a removed member can still appeal)."""
        if statement:
            await self._file_appeal(interaction, case, statement)
            return

        async def submitted(form: Interaction, text: str) -> None:
            await self._file_appeal(form, case, text)

        await interaction.response.send_modal(StatementModal(case, submitted))

    async def _file_appeal(self, interaction: Interaction, number: int, statement: str) -> None:
        await defer_first(interaction)
        history = await self.service.case_log.history(number)
        guild = self.bot.get_guild(history.original.guild_id) if history is not None else None
        if history is None or guild is None or (interaction.guild is not None and interaction.guild.id != guild.id):
            await self._answer(interaction, f"There is no case #{number} here; /standing lists yours.")
            return
        policy = await self.service.policy(guild.id)
        candidates = [self.party(m, guild, policy) for m in guild.members if not m.bot]
        try:
            appeal = await self.service.file_appeal(guild.id, number, interaction.user.id, statement,
                                                    [c for c in candidates if c.rank >= Rank.MODERATOR], policy,
                                                    self._member_party(guild, policy, interaction.user.id))
        except (Refused, InvalidInput) as error:
            log.info("appeal of case %d refused: %s", number, error)
            await self._answer(interaction, str(error))
            return
        reviewer = (f"<@{appeal.reviewer_id}>" if appeal.reviewer_id
                    else "any moderator who took no part in it or in the conversation behind it")
        card = await self._post(
            self._review_channel(guild, policy),
            f"**Appeal #{appeal.id}** of case #{number} ({kind_label(history.original.kind)}), for {reviewer}.\n"
            f"Case reason: {history.current.reason}\nThe member writes: {appeal.statement}\n"
            f"Decide with the buttons or `/mod decide appeal:{appeal.id}`; a reminder follows in "
            f"{policy.appeal_reminder_hours} h.",
            view=appeal_view(appeal.id),
        )
        if card is not None:
            await self.service.appeals.set_review_message(appeal.id, card.channel.id, card.id)
        if appeal.reviewer_id is not None:
            await self._dm(appeal.reviewer_id, f"You've been asked to review appeal #{appeal.id} (case #{number}) in "
                                               f"{guild.name}; you took no part in the case.")
        await self._answer(interaction, f"Your appeal of case #{number} is with a moderator who took no part in it. "
                                        "You'll get the decision and the reason by DM.")

    async def _remind(self, appeal: Appeal) -> None:
        guild = self.bot.get_guild(appeal.guild_id)
        if guild is None:
            return
        policy = await self.service.policy(guild.id)
        text = (f"Reminder: appeal #{appeal.id} of case #{appeal.case_id} has waited more than "
                f"{policy.appeal_reminder_hours} h for a decision.")
        await self._post(self._review_channel(guild, policy), text)
        if appeal.reviewer_id is not None:
            await self._dm(appeal.reviewer_id, f"{text} ({guild.name})")

    async def handle_decision(self, interaction: Interaction, appeal_id: int, outcome: str, reason: str) -> None:
        """An uninvolved moderator upholds or overturns; tell the member, amend the case, undo a ban."""
        try:
            guild, policy, reviewer = await self._context(interaction, Rank.MODERATOR)
        except Denied as error:
            await self._answer(interaction, str(error))
            return
        status = AppealStatus.OVERTURNED if outcome == "overturn" else AppealStatus.UPHELD
        pending = await self.service.appeals.get(appeal_id)
        appellant = self._member_party(guild, policy, pending.appellant_id) if pending is not None else None
        try:
            appeal, case = await self.service.decide_appeal(appeal_id, guild.id, reviewer, status, reason,
                                                            policy, appellant)
        except (Refused, InvalidInput) as error:
            log.info("appeal %d decision refused: %s", appeal_id, error)
            await self._answer(interaction, str(error))
            return
        history = await self.service.case_log.history(appeal.case_id)
        assert history is not None
        extra = ""
        if status is AppealStatus.OVERTURNED and history.original.kind is CaseKind.BAN and history.original.target_id:
            try:
                await guild.unban(discord.Object(id=history.original.target_id), reason=f"appeal #{appeal_id}")
                await self.case_log.record(guild.id, CaseKind.UNBAN, history.original.target_id, reviewer.user_id,
                                           f"appeal #{appeal_id} overturned case #{appeal.case_id}")
                extra = " The ban was lifted."
            except discord.NotFound:
                extra = " (They were no longer banned.)"
            except discord.HTTPException as error:
                log.warning("could not lift a ban after an appeal: %s", error)
                extra = " Primum could not lift the ban; please do it in Server Settings → Bans."
        if status is AppealStatus.OVERTURNED and history.original.kind is CaseKind.COOLDOWN \
                and history.original.target_id:
            extra = await self._end_cooldown(guild.id, history.original.target_id, reviewer.user_id,
                                             f"appeal #{appeal_id} overturned case #{appeal.case_id}")
        verdict = "overturned" if status is AppealStatus.OVERTURNED else "upheld"
        await self._dm(appeal.appellant_id,
                       f"Your appeal of case #{appeal.case_id} in {guild.name} was decided: the case was **{verdict}**."
                       f"\nReason: {appeal.decision_reason}")
        await self._close_card(appeal.review_channel_id, appeal.review_message_id,
                               f"Case {verdict} by {self._name(guild, reviewer.user_id)}.")
        await self._answer(interaction, f"Appeal #{appeal_id}: case #{appeal.case_id} {verdict} (case row {case.id}); "
                                        f"the member has been told.{extra}")

    async def _end_cooldown(self, guild_id: int, user_id: int, actor_id: int, reason: str) -> str:
        """An overturned cooldown ends now, through de-escalation so its timer and record agree."""
        deescalation: Any = self.bot.get_cog("Deescalation")
        if deescalation is None:
            return " De-escalation is not loaded; lift the timeout by hand if it is still running."
        result = await deescalation.service.lift_member(guild_id, user_id, reason=reason, actor_id=actor_id)
        return " The cooldown was lifted." if result.ok else " (The cooldown had already ended.)"

    # --- /case ------------------------------------------------------------------------------------
    case_group = app_commands.Group(
        name="case", description="Moderators: the case log", guild_only=True,
        default_permissions=discord.Permissions(moderate_members=True),
    )

    @case_group.command(name="show", description="Show a case and its full history")
    @app_commands.describe(case="The case number")
    async def case_show(self, interaction: Interaction, case: app_commands.Range[int, 1]) -> None:
        """Moderators see everything on a case, amendments included, in order."""
        guild, _, _ = await self._context(interaction, Rank.MODERATOR)
        history = await self.service.case_log.history(case, guild.id)
        if history is None:
            await self._answer(interaction, f"There is no case #{case} here.")
            return
        appeal = await self.service.appeals.for_case(history.number)
        lines = [f"**Case #{history.number}** · {kind_label(history.original.kind)} · target "
                 f"{self._target(history.original)} · now **{history.current.status.value}**"]
        for row in history.rows:
            label = "original" if not row.is_amendment else f"amendment (row {row.id})"
            line = f"• {label} {_when(row)} by {self._name(guild, row.actor_id)}: {row.reason}"
            if row.duration_s:
                line += f" · {display.duration_words(row.duration_s)}"
            if row.evidence_url:
                line += f" · evidence: <{row.evidence_url}>"
            if row.conflict:
                line += " · ⚠ moderator was arguing with the member"
            if "confirmed_by" in row.details:
                line += f" · confirmed by {self._name(guild, int(row.details['confirmed_by']))}"
            lines.append(line)
        if appeal is not None:
            lines.append(f"Appeal #{appeal.id}: {appeal.status.value}"
                         + (f" by {self._name(guild, appeal.decided_by)}" if appeal.decided_by else ""))
        await send_pages(interaction, lines)

    def _target(self, case: Case) -> str:
        if case.target_id is None:
            return "—"
        return f"<#{case.target_id}>" if case.kind in {CaseKind.SLOWMODE} else f"<@{case.target_id}>"

    @case_group.command(name="list", description="Recent cases, filtered by member, moderator or kind")
    @app_commands.describe(member="Cases about this member", moderator="Cases by this moderator", kind="Only this kind")
    async def case_list(self, interaction: Interaction, member: discord.User | None = None,
                        moderator: discord.User | None = None,
                        kind: Literal["hide", "slowmode", "cooldown", "lift", "verification", "kick", "ban",
                                      "unban", "note", "forget"] | None = None) -> None:
        """The newest 15 cases matching the filters."""
        guild, _, _ = await self._context(interaction, Rank.MODERATOR)
        found = await self.service.cases.search(
            guild.id, target_id=member.id if member else None, actor_id=moderator.id if moderator else None,
            kind=parse_kind(kind) if kind else None, limit=15,
        )
        if not found:
            await self._answer(interaction, "No cases match.")
            return
        lines = []
        for history in found:
            current = history.current
            flag = " ⚠" if history.original.conflict else ""
            lines.append(f"**#{history.number}** {kind_label(history.original.kind)} · {self._target(history.original)}"
                         f" · by {self._name(guild, history.original.actor_id)} · {_when(history.original)} · "
                         f"{current.status.value}{flag}")
        await send_pages(interaction, lines)

    @case_group.command(name="amend", description="Add an amendment to a case (the original stays on record)")
    @app_commands.describe(case="The case number", reason="Why you amend it (kept on record)",
                           evidence="A new evidence link", duration_minutes="A corrected duration")
    async def case_amend(self, interaction: Interaction, case: app_commands.Range[int, 1], reason: str,
                         evidence: str | None = None,
                         duration_minutes: app_commands.Range[int, 0, 40_320] | None = None) -> None:
        """Nothing is overwritten: the amendment is a new row pointing to the old one."""
        guild, policy, actor = await self._context(interaction, Rank.MODERATOR)
        history = await self.service.case_log.history(case, guild.id)
        target = (self._member_party(guild, policy, history.original.target_id, history.original.kind)
                  if history is not None else None)
        try:
            row = await self.service.amend(guild.id, case, actor, reason, evidence,
                                           duration_minutes * 60 if duration_minutes is not None else None, target)
        except (Refused, InvalidInput) as error:
            log.info("amendment of case %d refused: %s", case, error)
            await self._answer(interaction, str(error))
            return
        await self._answer(interaction, f"Case #{row.number} amended (row {row.id}); the original stays on record.")

    # --- /mod -------------------------------------------------------------------------------------
    mod = app_commands.Group(
        name="mod", description="Moderators: accountable actions (each one is a case)", guild_only=True,
        default_permissions=discord.Permissions(moderate_members=True),
    )

    @mod.command(name="note", description="Put a note about a member on the record")
    @app_commands.describe(member="Who the note is about", reason="The note (kept on record)",
                           evidence="A link, e.g. to a message")
    async def mod_note(self, interaction: Interaction, member: discord.Member, reason: str,
                       evidence: str | None = None) -> None:
        """A note changes nothing in Discord but is part of the member's visible record."""
        await self._act(interaction, CaseKind.NOTE, member, reason, evidence)

    @mod.command(name="kick", description="Remove a member (a verified physician needs a second moderator)")
    @app_commands.describe(member="Who to remove", reason="Why (sent to them, kept on record)",
                           evidence="A link, e.g. to a message")
    async def mod_kick(self, interaction: Interaction, member: discord.Member, reason: str,
                       evidence: str | None = None) -> None:
        """Kick through Primum so that it is on the record and appealable."""
        await self._act(interaction, CaseKind.KICK, member, reason, evidence)

    @mod.command(name="ban", description="Ban a member (a verified physician needs a second moderator)")
    @app_commands.describe(member="Who to ban", reason="Why (sent to them, kept on record)",
                           evidence="A link, e.g. to a message")
    async def mod_ban(self, interaction: Interaction, member: discord.Member, reason: str,
                      evidence: str | None = None) -> None:
        """Ban through Primum so that it is on the record and appealable."""
        await self._act(interaction, CaseKind.BAN, member, reason, evidence)

    @mod.command(name="hide", description="Hide (delete) a message with a reason; its author gets the text back")
    @app_commands.describe(message="A message link, or the id of a message in this channel",
                           reason="Why (sent to the author, kept on record)", evidence="Another link, if any")
    async def mod_hide(self, interaction: Interaction, message: str, reason: str, evidence: str | None = None) -> None:
        """The slash form of the "Hide message" context menu."""
        guild, _, _ = await self._context(interaction, Rank.MODERATOR)
        match = _MESSAGE_LINK.search(message)
        channel_id = int(match["channel"]) if match else (interaction.channel_id or 0)
        raw_id = match["message"] if match else message.strip()
        channel = guild.get_channel_or_thread(channel_id)
        if not raw_id.isdigit() or not isinstance(channel, discord.TextChannel | discord.Thread):
            await self._answer(interaction, "Give a message link, or the id of a message in this channel.")
            return
        try:
            target = await channel.fetch_message(int(raw_id))
        except discord.NotFound:
            await self._answer(interaction, "That message no longer exists.")
            return
        except discord.HTTPException as error:
            log.info("could not fetch a message to hide: %s", error)
            await self._answer(interaction, "Primum can't read that message.")
            return
        await self._hide(interaction, target, reason, evidence)

    async def _hide_context(self, interaction: Interaction, message: discord.Message) -> None:
        """Context menu "Hide message": ask for the reason in a form, then hide."""
        await self._context(interaction, Rank.MODERATOR)

        async def submitted(form: Interaction, reason: str) -> None:
            await self._hide(form, message, reason, None)

        await interaction.response.send_modal(ReasonModal("Hide message", submitted))

    async def _hide(self, interaction: Interaction, message: discord.Message, reason: str,
                    evidence: str | None) -> None:
        guild, policy, actor = await self._context(interaction, Rank.MODERATOR)
        author = guild.get_member(message.author.id) or message.author
        try:
            text = validate_reason(reason)
            evidence_url = validate_evidence_url(evidence) or message.jump_url
        except InvalidInput as error:
            await self._answer(interaction, str(error))
            return
        decision = check_action(CaseKind.HIDE, actor, self.party(author, guild, policy), self._bot_party(guild, policy))
        if not decision:
            log.info("hide refused: %s", decision.code)
            await self._answer(interaction, decision.message)
            return
        conflict = await self.service.conflict(guild.id, actor.user_id, author.id, policy, message.channel.id)
        content = message.content
        try:
            await message.delete()
        except discord.NotFound:
            await self._answer(interaction, "That message was already deleted.")
            return
        except discord.HTTPException as error:
            log.warning("could not hide a message: %s", error)
            await self._answer(interaction, "Discord refused to delete that message; check Primum's permissions.")
            return
        case = await self.case_log.record(
            guild.id, CaseKind.HIDE, author.id, actor.user_id, text, evidence_url, None,
            {"channel_id": message.channel.id, "message_id": message.id, "rule": "moderator"},
            conflict=conflict is not None,
        )
        returned = f"\nYour message, for your own copy:\n>>> {content[:1500]}" if content else ""
        await self._dm(author.id,
                       f"A moderator hid your message in #{getattr(message.channel, 'name', 'a channel')} "
                       f"({guild.name}).\nReason: {text}\nThis is case #{case.number}; `/standing` shows it and "
                       f"`/appeal case:{case.number}` asks a moderator who took no part in it to review it.{returned}")
        await self._answer(interaction, self._done(case, conflict is not None))

    @staticmethod
    def _done(case: Case, conflict: bool) -> str:
        text = f"Done: case #{case.number} ({kind_label(case.kind)}) is on the record."
        if conflict:
            text += ("\n⚠ You were arguing with this member in the last hour. The case is marked; consider asking "
                     "another moderator next time.")
        return text

    async def _act(self, interaction: Interaction, kind: CaseKind, member: discord.Member | discord.User,
                   reason: str, evidence: str | None) -> None:
        guild, policy, actor = await self._context(interaction, Rank.MODERATOR)
        target_member = guild.get_member(member.id) or member
        target = self.party(target_member, guild, policy)
        try:
            text = validate_reason(reason)
            evidence_url = validate_evidence_url(evidence)
        except InvalidInput as error:
            await self._answer(interaction, str(error))
            return
        decision = check_action(kind, actor, target, self._bot_party(guild, policy))
        if not decision:
            log.info("%s refused: %s", kind, decision.code)
            await self._answer(interaction, decision.message)
            return
        conflict = await self.service.conflict(guild.id, actor.user_id, target.user_id, policy)
        if needs_second_moderator(kind, target, policy):
            await self._request_second(interaction, guild, policy, RemovalRequest(
                guild.id, kind, target.user_id, actor.user_id, text, evidence_url,
                {"channel_id": interaction.channel_id} if interaction.channel_id else None, conflict is not None,
            ))
            return
        await defer_first(interaction)
        case = await self.case_log.record(guild.id, kind, target.user_id, actor.user_id, text, evidence_url,
                                          conflict=conflict is not None)
        if kind is CaseKind.NOTE:
            await self._answer(interaction, self._done(case, conflict is not None))
            return
        ok = await self._remove(guild, kind, target.user_id, case)
        await self._answer(interaction, self._done(case, conflict is not None) if ok else
                           f"Discord refused the {kind.value}; case #{case.number} records the attempt.")

    async def _remove(self, guild: discord.Guild, kind: CaseKind, target_id: int, case: Case) -> bool:
        """Tell the member (before they lose the shared server), then kick or ban; amend on failure."""
        verb = "removed from" if kind is CaseKind.KICK else "banned from"
        await self._dm(target_id, f"You were {verb} {guild.name}.\nReason: {case.reason}\nThis is case "
                                  f"#{case.number}. To appeal, send me `/appeal case:{case.number}` here in DM; a "
                                  "moderator who took no part in it will decide.")
        audit = f"case #{case.number}: {case.reason}"[:500]
        try:
            if kind is CaseKind.KICK:
                await guild.kick(discord.Object(id=target_id), reason=audit)
            else:
                await guild.ban(discord.Object(id=target_id), reason=audit, delete_message_seconds=0)
        except discord.HTTPException as error:
            log.warning("%s of %d refused by Discord: %s", kind, target_id, error)
            await self.case_log.amend(case.number, actor_id=None, details={"failed": True},
                                      reason=f"not carried out: Discord refused ({error.status})")
            return False
        return True

    async def _request_second(self, interaction: Interaction, guild: discord.Guild, policy: ModerationPolicy,
                              request: RemovalRequest) -> None:
        pending = await self.service.request_removal(request, policy)
        card = await self._post(
            self._review_channel(guild, policy),
            f"**Removal request #{pending.id}**: {request.kind.value} of <@{request.target_id}> "
            f"(a verified physician), asked by <@{request.requester_id}>.\nReason: {request.reason}"
            + (f"\nEvidence: <{request.evidence_url}>" if request.evidence_url else "")
            + ("\n⚠ The requester was arguing with this member in the last hour." if request.conflict else "")
            + f"\nA second moderator must confirm within {policy.confirmation_expiry_hours} h "
              f"(buttons, or `/mod confirm request:{pending.id}`).",
            view=confirmation_view(pending.id),
        )
        if card is not None:
            await self.service.confirmations.set_review_message(pending.id, card.channel.id, card.id)
        warning = ("\n⚠ You were arguing with this member in the last hour; the case will be marked."
                   if request.conflict else "")
        await self._answer(interaction, f"Removing a verified physician needs a second moderator: request "
                                        f"#{pending.id} waits for one.{warning}")

    @mod.command(name="confirm", description="Confirm or decline another moderator's removal request")
    @app_commands.describe(request="The request number", decision="Confirm or decline")
    async def mod_confirm(self, interaction: Interaction, request: app_commands.Range[int, 1],
                          decision: Literal["confirm", "decline"] = "confirm") -> None:
        """The slash form of the Confirm/Decline buttons."""
        await self.handle_confirmation(interaction, request, decision == "confirm")

    async def handle_confirmation(self, interaction: Interaction, request_id: int, confirm: bool) -> None:
        """A second moderator decides; on confirm, the removal happens and becomes a case."""
        try:
            guild, policy, confirmer = await self._context(interaction, Rank.MODERATOR)
            request = await self.service.confirmations.get(request_id)
            target = self._member_party(guild, policy, request.target_id) if request is not None else None
            closed = await self.service.claim_confirmation(request_id, guild.id, confirmer, confirm, target)
        except (Denied, Refused) as error:
            log.info("confirmation %d refused: %s", request_id, error)
            await self._answer(interaction, str(error))
            return
        if not confirm:
            await self._close_card(closed.review_channel_id, closed.review_message_id,
                                   f"Declined by {self._name(guild, confirmer.user_id)}.")
            await self._dm(closed.requester_id,
                           f"Your removal request #{request_id} was declined by another moderator.")
            await self._answer(interaction, f"Request #{request_id} declined; nothing was done.")
            return
        await defer_first(interaction)
        await self._carry_out(guild, closed, confirmer.user_id, interaction)

    async def _carry_out(self, guild: discord.Guild, confirmation: Confirmation, confirmer_id: int,
                         interaction: Interaction) -> None:
        case = await self.service.removal_done(confirmation, confirmer_id)
        ok = await self._remove(guild, confirmation.kind, confirmation.target_id, case)
        if not ok:
            await self.service.removal_failed(confirmation.id)
        note = (f"Confirmed by {self._name(guild, confirmer_id)}: case #{case.number}." if ok
                else f"Confirmed, but Discord refused; case #{case.number} records the attempt.")
        await self._close_card(confirmation.review_channel_id, confirmation.review_message_id, note)
        await self._answer(interaction, note)

    @mod.command(name="decide", description="Decide an appeal (only if you took no part in the case)")
    @app_commands.describe(appeal="The appeal number", outcome="Uphold or overturn the case",
                           reason="Why (sent to the member, kept on the case)")
    async def mod_decide(self, interaction: Interaction, appeal: app_commands.Range[int, 1],
                         outcome: Literal["uphold", "overturn"], reason: str) -> None:
        """The slash form of the Uphold/Overturn buttons."""
        await self.handle_decision(interaction, appeal, outcome, reason)

    # --- /mod-settings ----------------------------------------------------------------------------
    settings_group = app_commands.Group(
        name="mod-settings", description="Owners: accountable-moderation settings", guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    @settings_group.command(name="show", description="Show this server's moderation settings")
    async def settings_show(self, interaction: Interaction) -> None:
        """Owners see every setting and its value."""
        _, policy, _ = await self._context(interaction, Rank.OWNER)
        rows = display.setting_rows(vars(policy), defaults=vars(ModerationPolicy()))
        embed = settings_embed("Moderation settings", rows, footer="Change with /mod-settings set or unset")
        await self._answer(interaction, "", embed=embed)

    @settings_group.command(name="set", description="Change moderation settings (leave an option out to keep it)")
    @app_commands.describe(
        transparency_channel="Public, redacted log of actions", review_channel="Where appeals and requests go",
        report_channel="Private channel for the weekly report", show_moderator_names="Name moderators publicly",
        two_moderator_rule="Removing a verified physician needs a second moderator",
        conflict_check="Warn and mark when a moderator acts on someone they were arguing with",
        conflict_window_minutes="How far back an argument counts", appeal_reminder_hours="Remind after this long",
    )
    async def settings_set(
        self, interaction: Interaction, transparency_channel: discord.TextChannel | None = None,
        review_channel: discord.TextChannel | None = None, report_channel: discord.TextChannel | None = None,
        show_moderator_names: bool | None = None, two_moderator_rule: bool | None = None,
        conflict_check: bool | None = None, conflict_window_minutes: app_commands.Range[int, 1, 10_080] | None = None,
        appeal_reminder_hours: app_commands.Range[int, 1, 720] | None = None,
    ) -> None:
        """Owners choose; every change is validated as a whole before it is stored."""
        guild, _, owner = await self._context(interaction, Rank.OWNER)
        changes: dict[str, Any] = {
            key: value for key, value in {
                "transparency_channel_id": transparency_channel.id if transparency_channel else None,
                "review_channel_id": review_channel.id if review_channel else None,
                "report_channel_id": report_channel.id if report_channel else None,
                "show_moderator_names": show_moderator_names, "two_moderator_rule": two_moderator_rule,
                "conflict_check": conflict_check, "conflict_window_minutes": conflict_window_minutes,
                "appeal_reminder_hours": appeal_reminder_hours,
            }.items() if value is not None
        }
        try:
            policy = await self.service.update_policy(guild.id, changes, owner.user_id)
        except PolicyError as error:
            await self._answer(interaction, str(error))
            return
        self.bot.events.emit("settings_changed", feature="moderation", guild_id=guild.id, keys=sorted(changes),
                             by=owner.user_id)
        await self._answer(interaction, "Saved. " + ", ".join(f"`{k}` = {getattr(policy, k)}" for k in changes))

    @settings_group.command(name="unset", description="Return a moderation setting to its default")
    async def settings_unset(
        self, interaction: Interaction,
        setting: Literal["transparency_channel_id", "review_channel_id", "report_channel_id", "show_moderator_names",
                         "two_moderator_rule", "conflict_check", "conflict_window_minutes",
                         "appeal_reminder_hours"],
    ) -> None:
        """Owners can always go back to the defaults."""
        guild, _, owner = await self._context(interaction, Rank.OWNER)
        await self.service.update_policy(guild.id, {setting: None}, owner.user_id)
        await self._answer(interaction, f"`{setting}` is back to its default.")

    @settings_group.command(name="report", description="The owners' report now, as chart images")
    async def settings_report(self, interaction: Interaction) -> None:
        """The weekly report on demand (privately)."""
        guild, _, _ = await self._context(interaction, Rank.OWNER)
        await defer_first(interaction)
        files = await self._report_files(guild)
        await self._answer(interaction, "The last 12 weeks:", files=files)

    async def _report_files(self, guild: discord.Guild) -> list[discord.File]:
        rows = await load_rows(self.bot.db, guild.id, self.bot.clock.now() - timedelta(weeks=12))
        known = with_live_names(await self.bot.names.names(guild.id), channels={c.id: c.name for c in guild.channels},
                                members={m.id: m.display_name for m in guild.members})
        charts = await asyncio.to_thread(render_report, rows, names=known.members, channel_names=known.channels)
        return [discord.File(io.BytesIO(png), filename=name) for name, png in charts.items()]

    async def _maybe_weekly_report(self, guild: discord.Guild) -> None:
        policy = await self.service.policy(guild.id)
        if policy.report_channel_id is None:
            return
        channel = guild.get_channel(policy.report_channel_id)
        if not isinstance(channel, discord.TextChannel):
            return
        now = self.bot.clock.now()
        last = await self.bot.guild_settings.get(guild.id, REPORT_KEY)
        if isinstance(last, str) and now - from_iso(last) < REPORT_EVERY:
            return
        await self.bot.guild_settings.set(guild.id, REPORT_KEY, to_iso(now), now=now)
        message = await self._post(channel, "**Weekly moderation report** (last 12 weeks)",
                                   files=await self._report_files(guild))
        if message is not None:
            self.bot.events.emit("report", guild_id=guild.id, channel_id=channel.id, charts=len(message.attachments))


async def setup(bot: PrimumBot) -> None:
    """Load the Moderation cog."""
    await bot.add_cog(Moderation(bot))
