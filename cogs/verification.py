"""Physician verification inside Discord: registry check, identity binding, and a human decision.

A newcomer gets the Unverified role and finds a pinned **Verify** button in #verify (``/verify``
does the same). The form (full name, NPI, specialty, state) is checked against the NPPES registry
by :mod:`primum.services.verification`; a qualifying request appears in the private review queue
with Approve / Deny / Ask-for-more buttons. Every button is persistent (custom_id based), so a
click after a restart works. This cog only translates Discord objects and performs side effects.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from cogs._channels import find_text_channel
from cogs._checks import is_moderator, owners_only
from cogs._ranks import refuse_target
from cogs._verification_card import (
    BINDING_FIELD,
    COLOR_APPROVED,
    COLOR_DENIED,
    COLOR_MORE,
    render_card,
)
from cogs._verification_views import (
    AskModal,
    AskView,
    EmailView,
    ReasonModal,
    ReviewView,
    VerifyButtonView,
    VerifyModal,
)
from primum.domain.cases import ActionRecord
from primum.domain.verification import (
    DEFAULT_NAMES,
    RequestStatus,
    ReviewAction,
    VerificationConfig,
    parse_domain_list,
)
from primum.domain.verification_review import ReviewCard
from primum.integrations.email_code import SmtpCodeSender
from primum.integrations.nppes import NppesClient
from primum.runtime.tasks import BackgroundTasks
from primum.services.verification import (
    RecheckFinding,
    Submission,
    SubmitOutcome,
    SubmitResult,
    VerificationService,
)
from primum.services.verification_email import EmailOutcome
from primum.storage.verification import StoredRequest, VerificationRepository

if TYPE_CHECKING:
    from primum.app import PrimumBot

log = logging.getLogger(__name__)
OWNERS_ONLY = "Only the server's owners (Manage Server) can change verification."
#: Reviewers are owners or members with Timeout Members or Manage Roles (the approval grants a role);
#: unlike the default moderators, Manage Messages alone is not enough.
REVIEWER_PERMISSIONS = ("moderate_members", "manage_roles")

VERIFY_TEXT = (
    "**Welcome! This community is for physicians (MD/DO).**\n"
    "Press **Verify** and enter your full name, NPI, specialty and state. Primum checks your NPI against the "
    "public NPI Registry; a moderator then confirms it is you. Only your NPI, its specialty code and the "
    "decision are kept. If the registry check refuses your NPI and you think it is wrong, press **Ask the "
    "moderators**."
)
#: The outcomes that leave the member a way to a human (the Ask the moderators button).
ASKABLE = frozenset({SubmitOutcome.INELIGIBLE})


def _with_field(embed: discord.Embed, name: str, value: str, color: int | None = None) -> discord.Embed:
    updated = embed.copy()
    for index, existing in enumerate(updated.fields):
        if existing.name == name:
            updated.set_field_at(index, name=name, value=value[:1024], inline=False)
            break
    else:
        updated.add_field(name=name, value=value[:1024], inline=False)
    if color is not None:
        updated.colour = discord.Colour(color)
    return updated


def _stamp(interaction: discord.Interaction[Any]) -> str:
    return f"<t:{int(interaction.created_at.timestamp())}:f>"


class Verification(commands.Cog):
    """``/verify``, the review queue, onboarding roles, periodic registry re-checks, owner settings."""

    verification = app_commands.Group(
        name="verification", description="Physician verification: settings and upkeep", guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )
    config_group = app_commands.Group(name="config", description="Verification settings for this server",
                                      parent=verification)

    def __init__(self, bot: PrimumBot, *, recheck_every_s: float = 6 * 3600.0) -> None:
        self.bot = bot
        self.recheck_every_s = recheck_every_s
        self.recheck_passes = 0  # completed periodic passes (tests wait for the first after a restart)
        self.nppes = NppesClient(bot.settings.nppes_base_url, clock=bot.clock,
                                 quick_timeout_s=bot.settings.nppes_quick_timeout_s)
        self.service = VerificationService(
            VerificationRepository(bot.db, bot.guild_settings), self.nppes, SmtpCodeSender(bot.settings.smtp),
            bot.clock, bot.events,
        )
        self.service.waiting.on_decided = self._registry_answered
        self._tasks = BackgroundTasks("verification", log)

    # --- life cycle ------------------------------------------------------------------------------
    async def cog_load(self) -> None:
        """Re-register the persistent views (clicks after a restart work), then start the upkeep task."""
        self.bot.add_view(VerifyButtonView(self))
        self.bot.add_view(ReviewView(self))
        self.bot.add_view(EmailView(self))
        self.bot.add_view(AskView(self))
        self._tasks.spawn(self._after_ready(), "verification-ready")

    async def cog_unload(self) -> None:
        """Stop background work; everything pending (requests waiting for the registry too) is in the database."""
        await self._tasks.cancel_all()
        await self.service.stop()
        await self.nppes.close()

    async def _after_ready(self) -> None:
        await self.bot.wait_until_ready()
        for guild in self.bot.guilds:
            self.service.server_names[guild.id] = guild.name
        try:
            await self.service.start()  # requests waiting for the registry: past-due retries run now
        except Exception:  # the rows stay; the next start picks them up, and the upkeep below must run
            log.exception("could not start the background registry retries")
        for guild in self.bot.guilds:
            await self.ensure_verify_message(guild)
        while True:  # restart-safe: what is due comes from last_checked_at in the database
            try:
                await self.run_recheck()
            except Exception:  # one bad pass must not end the upkeep for good
                log.exception("registry re-check pass failed; retrying in %.0f s", self.recheck_every_s)
            self.recheck_passes += 1
            await asyncio.sleep(self.recheck_every_s)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        """A new server: remember its name for e-mails and post the Verify button if #verify exists."""
        self.service.server_names[guild.id] = guild.name
        await self.ensure_verify_message(guild)

    # --- lookups of roles and channels ----------------------------------------------------------------
    @staticmethod
    def _role(guild: discord.Guild, role_id: int | None, key: str) -> discord.Role | None:
        role = guild.get_role(role_id) if role_id else None
        return role or discord.utils.get(guild.roles, name=DEFAULT_NAMES[key])

    @staticmethod
    def _channel(guild: discord.Guild, channel_id: int | None, key: str) -> discord.TextChannel | None:
        return find_text_channel(guild, channel_id, (DEFAULT_NAMES[key],))

    async def _member(self, guild: discord.Guild, user_id: int) -> discord.Member | None:
        member = guild.get_member(user_id)
        if member is not None:
            return member
        try:
            return await guild.fetch_member(user_id)
        except discord.NotFound:
            return None
        except discord.HTTPException as error:
            log.warning("could not fetch member %s: %s", user_id, error.status)
            return None

    # --- onboarding ----------------------------------------------------------------------------------
    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        """Newcomers get Unverified; a physician verified before gets the Verified role back."""
        if member.bot:
            return
        config = await self.service.config(member.guild.id)
        if await self.service.is_verified(member.guild.id, member.id):
            role = self._role(member.guild, config.verified_role_id, "verified_role")
            reason = "Primum: verified physician rejoined"
        else:
            role = self._role(member.guild, config.unverified_role_id, "unverified_role")
            reason = "Primum: new member, not yet verified"
        if role is None:
            log.warning("guild %s has no %s role to give", member.guild.id, reason)
            return
        try:
            await member.add_roles(role, reason=reason)
        except discord.HTTPException as error:
            log.warning("could not give role %s to a new member: %s", role.id, error.status)

    async def ensure_verify_message(self, guild: discord.Guild, *, force: bool = False) -> discord.Message | None:
        """Post and pin the Verify button in #verify unless Primum's pinned message is still there."""
        config = await self.service.config(guild.id)
        channel = self._channel(guild, config.verify_channel_id, "verify_channel")
        if channel is None:
            log.warning("guild %s has no verify channel; /verify still works", guild.id)
            return None
        if config.verify_message_id and not force:
            try:
                return await channel.fetch_message(config.verify_message_id)
            except discord.NotFound:
                pass
            except discord.HTTPException as error:
                log.warning("could not check the verify message: %s", error.status)
                return None
        try:
            message = await channel.send(VERIFY_TEXT, view=VerifyButtonView(self))
        except discord.HTTPException as error:
            log.warning("could not post the Verify button in #%s: %s", channel.name, error.status)
            return None
        try:
            await message.pin(reason="Primum: the Verify button")
        except discord.HTTPException as error:
            log.warning("could not pin the Verify button: %s", error.status)
        await self.service.update_config(guild.id, None, verify_message_id=message.id)
        return message

    # --- the form --------------------------------------------------------------------------------------
    @app_commands.command(name="verify", description="Verify that you are a physician (NPI + a moderator)")
    @app_commands.guild_only()
    async def verify(self, interaction: discord.Interaction[PrimumBot]) -> None:
        """Open the verification form (the same as the pinned Verify button)."""
        await self.open_form(interaction)

    async def open_form(self, interaction: discord.Interaction[Any]) -> None:
        """Show the form, unless the member is already verified."""
        if interaction.guild is None:
            await interaction.response.send_message("Verification happens inside a server.", ephemeral=True)
            return
        if await self.service.is_verified(interaction.guild.id, interaction.user.id):
            await interaction.response.send_message("You are already verified here.", ephemeral=True)
            return
        await interaction.response.send_modal(VerifyModal(self))

    async def handle_form(self, interaction: discord.Interaction[Any], full_name: str, npi: str, specialty: str,
                          state: str) -> None:
        """Check the submission; post a review card when it qualifies; tell the member privately."""
        guild = interaction.guild
        if guild is None:
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.service.submit(Submission(guild.id, interaction.user.id, full_name, npi, specialty,
                                                      state))
        for old in result.superseded:
            await self._close_card(guild, old, "Superseded by a newer request from the member.")
        if result.card is not None and result.request is not None:
            await self._post_card(guild, result.card)
        if result.outcome in {SubmitOutcome.INVALID_NPI, SubmitOutcome.INELIGIBLE, SubmitOutcome.RATE_LIMITED,
                              SubmitOutcome.AWAITING_REGISTRY}:
            log.info("verification form in guild %s: %s", guild.id, result.problem)
        view: discord.ui.View | None = EmailView(self) if result.outcome is SubmitOutcome.AWAITING_CODE else \
            AskView(self) if result.outcome in ASKABLE else None
        await interaction.followup.send(result.message, ephemeral=True, view=view or discord.utils.MISSING)

    async def _registry_answered(self, result: SubmitResult) -> None:
        """A request that waited for the registry was decided in the background: card, then a DM."""
        request = result.request
        guild = self.bot.get_guild(request.guild_id) if request is not None else None
        if request is None or guild is None:
            return
        if result.card is not None:
            await self._post_card(guild, result.card)
        text = f"Update on your verification request in **{guild.name}**: the NPI Registry answered.\n{result.message}"
        if result.outcome in ASKABLE:
            text += "\n(The **Ask the moderators** button is under the pinned message in #verify.)"
        notified = await self._notify(guild, request.user_id, text,
                                      "the NPI Registry answered about your verification request; please open your "
                                      "DMs, or press Verify again, to see what happens next.",
                                      view=EmailView(self) if result.outcome is SubmitOutcome.AWAITING_CODE else None)
        self.bot.events.emit("verification_registry_notified", guild_id=guild.id, user_id=request.user_id,
                             request_id=request.id, outcome=result.outcome.value, notified=notified)

    # --- a human review the member asks for ---------------------------------------------------------
    async def open_ask(self, interaction: discord.Interaction[Any]) -> None:
        """The Ask the moderators button: a short form for what the moderators should know."""
        if interaction.guild is None:
            await interaction.response.send_message("Please use the button in the server's #verify channel.",
                                                    ephemeral=True)
            return
        await interaction.response.send_modal(AskModal(self))

    async def handle_ask(self, interaction: discord.Interaction[Any], note: str) -> None:
        """Send the member's refused request to the review queue with their note."""
        guild = interaction.guild
        if guild is None:
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.service.request_review(guild.id, interaction.user.id, note)
        if result.card is not None:
            await self._post_card(guild, result.card)
        await interaction.followup.send(result.message, ephemeral=True)

    async def _post_card(self, guild: discord.Guild, card: ReviewCard) -> None:
        config = await self.service.config(guild.id)
        channel = self._channel(guild, config.review_channel_id, "review_channel")
        if channel is None:
            log.warning("guild %s has no review channel; request %d waits without a card", guild.id,
                        card.request_id)
            return
        try:
            message = await channel.send(embed=render_card(card), view=ReviewView(self))
        except discord.HTTPException as error:
            log.warning("could not post review card %d: %s", card.request_id, error.status)
            return
        await self.service.attach_card(card.request_id, channel.id, message.id)

    @staticmethod
    def _card_channel(guild: discord.Guild, request: StoredRequest) -> discord.TextChannel | None:
        """The channel of the request's review card; None when it has no card or the channel is gone."""
        if request.review_channel_id is None or request.review_message_id is None:
            return None
        channel = guild.get_channel(request.review_channel_id)
        return channel if isinstance(channel, discord.TextChannel) else None

    async def _close_card(self, guild: discord.Guild, request: StoredRequest, note: str) -> None:
        channel = self._card_channel(guild, request)
        if channel is None or request.review_message_id is None:
            return
        try:
            await channel.get_partial_message(request.review_message_id).edit(content=note, view=None)
        except discord.HTTPException as error:
            log.info("could not close review card %s: %s", request.review_message_id, error.status)

    # --- e-mail binding --------------------------------------------------------------------------------
    async def handle_email(self, interaction: discord.Interaction[Any], address: str) -> None:
        """Send a code to an allow-listed institutional address."""
        guild = await self._binding_guild(interaction)
        if guild is None:
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.service.send_code(guild.id, interaction.user.id, address)
        await interaction.followup.send(result.message, ephemeral=True,
                                        view=EmailView(self) if result.outcome is EmailOutcome.SENT
                                        else discord.utils.MISSING)

    async def handle_code(self, interaction: discord.Interaction[Any], code: str) -> None:
        """Check the code; on success mark the review card as bound."""
        guild = await self._binding_guild(interaction)
        if guild is None:
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.service.confirm_code(guild.id, interaction.user.id, code)
        if result.outcome is EmailOutcome.CONFIRMED and result.request is not None:
            await self._edit_card(guild, result.request, BINDING_FIELD,
                                  f"E-mail code confirmed at **{result.request.email_domain}**")
        await interaction.followup.send(result.message, ephemeral=True)

    async def _binding_guild(self, interaction: discord.Interaction[Any]) -> discord.Guild | None:
        """The server of an e-mail step: the interaction's, or (in a DM) the one request waiting for a code."""
        if interaction.guild is not None:
            return interaction.guild
        guild_ids = await self.service.repo.awaiting_code_guilds(interaction.user.id)
        guild = self.bot.get_guild(guild_ids[0]) if len(guild_ids) == 1 else None
        if guild is None:
            await interaction.response.send_message(
                "I cannot tell which server this is for; please press **Verify** in the server's #verify channel.",
                ephemeral=True)
        return guild

    async def _edit_card(self, guild: discord.Guild, request: StoredRequest, field: str, value: str,
                         color: int | None = None) -> None:
        channel = self._card_channel(guild, request)
        if channel is None or request.review_message_id is None:
            return
        try:
            message = await channel.fetch_message(request.review_message_id)
            if message.embeds:
                await message.edit(embed=_with_field(message.embeds[0], field, value, color))
        except discord.HTTPException as error:
            log.info("could not update review card %s: %s", request.review_message_id, error.status)

    # --- the review queue ------------------------------------------------------------------------------
    async def _reviewable(self, interaction: discord.Interaction[Any]) -> StoredRequest | None:
        if interaction.guild is None or interaction.message is None:
            return None
        if not is_moderator(interaction, REVIEWER_PERMISSIONS):
            log.info("review button refused for %s: not a moderator", interaction.user.id)
            await interaction.response.send_message("Only moderators can review verification requests.",
                                                    ephemeral=True)
            return None
        request = await self.service.request_for_card(interaction.guild.id, interaction.message.id)
        if request is None:
            await interaction.response.send_message("I have no request for this card any more (its data may "
                                                    "have been deleted).", ephemeral=True)
            return None
        refusal = refuse_target(interaction, request.user_id)
        if refusal is not None:
            log.info("review button refused for %s: rank rule", interaction.user.id)
            await interaction.response.send_message(refusal, ephemeral=True)
            return None
        return request

    async def handle_approve(self, interaction: discord.Interaction[Any]) -> None:
        """Approve: role, welcome DM (or a short note in #verify), card closed."""
        request = await self._reviewable(interaction)
        if request is None or interaction.guild is None:
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        decision = await self.service.decide(request.id, ReviewAction.APPROVE, interaction.user.id)
        if not decision.ok or decision.request is None:
            await interaction.followup.send(decision.message, ephemeral=True)
            return
        guild = interaction.guild
        granted = await self._grant(guild, request.user_id)
        notified = await self._notify(
            guild, request.user_id,
            f"Welcome to **{guild.name}**! A moderator verified you as a physician, so the community channels "
            "are now open to you. First, be kind: it's OK to disagree and to debate; it's not OK to belittle, "
            "gaslight or act maliciously.",
            "you are verified. Welcome! (Your DMs are closed, so I'm saying it here.)",
        )
        await self._finish_card(interaction, f"✅ Approved by {interaction.user.mention} {_stamp(interaction)}",
                                COLOR_APPROVED, keep_buttons=False)
        self.bot.events.emit("verified", guild_id=guild.id, user_id=request.user_id, request_id=request.id,
                             reviewer_id=interaction.user.id, taxonomy=request.taxonomy_code,
                             role_granted=granted, notified=notified)
        role_note = "the Verified Physician role was granted" if granted else \
            "**I could not grant the role** (is the member still here? is my role above it?)"
        await interaction.followup.send(f"Approved <@{request.user_id}>: {role_note}; member told by {notified}.",
                                        ephemeral=True)

    async def open_reason(self, interaction: discord.Interaction[Any], *, deny: bool) -> None:
        """Deny and Ask-for-more need a reason: open the modal."""
        request = await self._reviewable(interaction)
        if request is None or interaction.message is None:
            return
        if request.status not in {RequestStatus.PENDING, RequestStatus.MORE_INFO, RequestStatus.AWAITING_CODE}:
            await interaction.response.send_message(f"This request was already closed ({request.status.value}).",
                                                    ephemeral=True)
            return
        await interaction.response.send_modal(ReasonModal(self, deny=deny, message_id=interaction.message.id))

    async def handle_reason(self, interaction: discord.Interaction[Any], *, deny: bool, message_id: int,
                            reason: str) -> None:
        """Deny (tell the member why and how to appeal) or ask the member for more, by DM."""
        guild = interaction.guild
        if guild is None:
            return
        if not is_moderator(interaction, REVIEWER_PERMISSIONS):
            await interaction.response.send_message("Only moderators can review verification requests.",
                                                    ephemeral=True)
            return
        request = await self.service.request_for_card(guild.id, message_id)
        refusal = refuse_target(interaction, request.user_id) if request is not None else None
        if refusal is not None:
            await interaction.response.send_message(refusal, ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        if request is None:
            await interaction.followup.send("I have no request for this card any more.", ephemeral=True)
            return
        action = ReviewAction.DENY if deny else ReviewAction.ASK_MORE
        decision = await self.service.decide(request.id, action, interaction.user.id, reason)
        if not decision.ok:
            await interaction.followup.send(decision.message, ephemeral=True)
            return
        if deny:
            notified = await self._notify(
                guild, request.user_id,
                f"Your verification request in **{guild.name}** was not approved.\n**Reason:** {reason.strip()}\n\n"
                "To appeal, reply to the moderators (or press **Verify** again with corrected details).",
                "your verification request was not approved. Your DMs are closed: please open them and press "
                "Verify again, or ask the moderators, to learn why and how to appeal.",
            )
            line = f"❌ Denied by {interaction.user.mention} {_stamp(interaction)}\n**Reason:** {reason.strip()}"
            await self._finish_card(interaction, line, COLOR_DENIED, keep_buttons=False, message_id=message_id)
            self.bot.events.emit("verification_denied", guild_id=guild.id, user_id=request.user_id,
                                 request_id=request.id, reviewer_id=interaction.user.id, notified=notified)
            self.bot.dispatch("primum_action", ActionRecord(
                guild_id=guild.id, kind="verification", target_id=request.user_id, actor_id=interaction.user.id,
                reason=f"denied: {reason.strip()}",
                details={"request_id": request.id, "decision": "denied", "rule": "verification"},
            ))
            await interaction.followup.send(f"Denied; member told by {notified}.", ephemeral=True)
            return
        notified = await self._notify(
            guild, request.user_id,
            f"A moderator of **{guild.name}** needs a little more to verify you:\n> {reason.strip()}\n\n"
            "Please press **Verify** again with the details (your new request replaces this one), or reply to "
            "the moderators.",
            "a moderator needs more information to verify you. Your DMs are closed: please open them, or press "
            "Verify again.",
        )
        line = f"❓ {interaction.user.mention} asked for more {_stamp(interaction)}: {reason.strip()}"
        await self._finish_card(interaction, line, COLOR_MORE, keep_buttons=True, message_id=message_id,
                                field="Asked for more")
        self.bot.events.emit("verification_more_info", guild_id=guild.id, user_id=request.user_id,
                             request_id=request.id, reviewer_id=interaction.user.id, notified=notified)
        await interaction.followup.send(f"Question sent; member told by {notified}.", ephemeral=True)

    async def _finish_card(self, interaction: discord.Interaction[Any], line: str, color: int, *,
                           keep_buttons: bool, message_id: int | None = None, field: str = "Decision") -> None:
        message = interaction.message
        channel = interaction.channel
        try:
            if message is None or (message_id is not None and message.id != message_id):
                if not isinstance(channel, discord.TextChannel) or message_id is None:
                    return
                message = await channel.fetch_message(message_id)
            embed = message.embeds[0] if message.embeds else discord.Embed(title="Verification request")
            kwargs: dict[str, Any] = {"embed": _with_field(embed, field, line, color)}
            if not keep_buttons:
                kwargs["view"] = None
            await message.edit(**kwargs)
        except discord.HTTPException as error:
            log.warning("could not update the review card: %s", error.status)

    async def _grant(self, guild: discord.Guild, user_id: int) -> bool:
        config = await self.service.config(guild.id)
        member = await self._member(guild, user_id)
        verified = self._role(guild, config.verified_role_id, "verified_role")
        if member is None or verified is None:
            log.warning("cannot grant the verified role in guild %s (member present: %s, role found: %s)",
                        guild.id, member is not None, verified is not None)
            return False
        unverified = self._role(guild, config.unverified_role_id, "unverified_role")
        try:
            await member.add_roles(verified, reason="Primum: physician verification approved")
            if unverified is not None and unverified in member.roles:
                await member.remove_roles(unverified, reason="Primum: physician verification approved")
        except discord.HTTPException as error:
            log.warning("could not change roles after approval: %s", error.status)
            return False
        return True

    async def _notify(self, guild: discord.Guild, user_id: int, dm_text: str, fallback: str,
                      view: discord.ui.View | None = None) -> str:
        """DM the member; if DMs are closed, a short note in #verify. Returns "dm", "channel" or "none"."""
        member = await self._member(guild, user_id)
        user: discord.Member | discord.User | None = member or self.bot.get_user(user_id)
        if user is not None:
            try:
                await user.send(dm_text, view=view or discord.utils.MISSING)
                return "dm"
            except discord.Forbidden:
                log.info("member %s has closed DMs; leaving a short note in #verify", user_id)
            except discord.HTTPException as error:
                log.warning("DM to member %s failed: %s", user_id, error.status)
        if member is None:
            return "none"
        config = await self.service.config(guild.id)
        channel = self._channel(guild, config.verify_channel_id, "verify_channel")
        if channel is None:
            return "none"
        try:
            await channel.send(f"{member.mention}, {fallback}",
                               allowed_mentions=discord.AllowedMentions(users=[member]))
        except discord.HTTPException as error:
            log.warning("could not leave a note in #%s: %s", channel.name, error.status)
            return "none"
        return "channel"

    # --- upkeep --------------------------------------------------------------------------------------
    async def run_recheck(self) -> list[RecheckFinding]:
        """Re-check due NPIs against the registry and alert the moderators about changed ones."""
        report = await self.service.recheck()
        for finding in report.findings:
            guild = self.bot.get_guild(finding.request.guild_id)
            if guild is None:
                continue
            config = await self.service.config(guild.id)
            channel = self._channel(guild, config.modlog_channel_id, "modlog_channel") or \
                self._channel(guild, config.review_channel_id, "review_channel")
            if channel is None:
                log.warning("registry re-check finding for guild %s but no mod-log channel", guild.id)
                continue
            verified = finding.request.decided_at or finding.request.created_at
            text = (f"🔎 **Registry re-check:** the NPI of verified member <@{finding.request.user_id}> is now "
                    f"**{finding.registry_status.replace('_', ' ')}** in the NPPES registry (verified "
                    f"<t:{int(verified.timestamp())}:D>). Please review their Verified Physician role.")
            try:
                await channel.send(text)
            except discord.HTTPException as error:
                log.warning("could not post a re-check alert: %s", error.status)
        return report.findings

    # --- owner commands ------------------------------------------------------------------------------
    @config_group.command(name="show", description="Show this server's verification settings")
    @owners_only(OWNERS_ONLY)
    async def config_show(self, interaction: discord.Interaction[PrimumBot]) -> None:
        """Show the settings and what they resolve to."""
        assert interaction.guild is not None
        await interaction.response.send_message(await self._describe(interaction.guild), ephemeral=True)

    async def _describe(self, guild: discord.Guild) -> str:
        config = await self.service.config(guild.id)

        def show(item: discord.abc.Snowflake | None, how: str) -> str:
            return f"<@&{item.id}>" if how == "role" and item else f"<#{item.id}>" if item else "**missing**"

        return "\n".join([
            f"Unverified role: {show(self._role(guild, config.unverified_role_id, 'unverified_role'), 'role')}",
            f"Verified role: {show(self._role(guild, config.verified_role_id, 'verified_role'), 'role')}",
            f"Verify channel: {show(self._channel(guild, config.verify_channel_id, 'verify_channel'), 'ch')}",
            f"Review queue: {show(self._channel(guild, config.review_channel_id, 'review_channel'), 'ch')}",
            f"Mod log: {show(self._channel(guild, config.modlog_channel_id, 'modlog_channel'), 'ch')}",
            f"Residents listed only as 390200000X: **{config.residents.value}**",
            f"E-mail code binding: **{'on' if config.email_binding else 'off'}** "
            f"(domains: {', '.join(config.email_domains) or 'none'})",
            f"Registry re-check every **{config.recheck_days}** days; "
            f"at most {config.max_attempts_per_day} attempts per member per day",
        ])

    async def _save(self, interaction: discord.Interaction[PrimumBot], **changes: object) -> VerificationConfig:
        assert interaction.guild is not None
        config = await self.service.update_config(interaction.guild.id, interaction.user.id, **changes)
        self.bot.events.emit("verification_config", guild_id=interaction.guild.id, user_id=interaction.user.id,
                             keys=sorted(changes))
        await interaction.response.send_message("Saved.\n" + await self._describe(interaction.guild), ephemeral=True)
        return config

    @config_group.command(name="roles", description="Which roles mark unverified and verified members")
    @owners_only(OWNERS_ONLY)
    async def config_roles(self, interaction: discord.Interaction[PrimumBot], unverified: discord.Role | None = None,
                           verified: discord.Role | None = None) -> None:
        """Set the Unverified and Verified Physician roles (unset ones keep their current value)."""
        changes: dict[str, object] = {}
        if unverified is not None:
            changes["unverified_role_id"] = unverified.id
        if verified is not None:
            changes["verified_role_id"] = verified.id
        await self._save(interaction, **changes)

    @config_group.command(name="channels", description="Where the Verify button, review queue and alerts go")
    @owners_only(OWNERS_ONLY)
    async def config_channels(self, interaction: discord.Interaction[PrimumBot],
                              verify: discord.TextChannel | None = None, review: discord.TextChannel | None = None,
                              modlog: discord.TextChannel | None = None) -> None:
        """Set the verify, review-queue and mod-log channels (unset ones keep their current value)."""
        changes: dict[str, object] = {}
        if verify is not None:
            changes.update(verify_channel_id=verify.id, verify_message_id=None)
        if review is not None:
            changes["review_channel_id"] = review.id
        if modlog is not None:
            changes["modlog_channel_id"] = modlog.id
        await self._save(interaction, **changes)
        if verify is not None and interaction.guild is not None:
            await self.ensure_verify_message(interaction.guild)

    @config_group.command(name="residents", description="Accept NPIs listed only as trainees (390200000X)?")
    @owners_only(OWNERS_ONLY)
    async def config_residents(self, interaction: discord.Interaction[PrimumBot],
                               policy: Literal["accept", "reject"]) -> None:
        """Residents are often listed only as 390200000X; decide whether they may request review."""
        await self._save(interaction, residents=policy)

    @config_group.command(name="email", description="Bind identity with a code sent to an institutional e-mail")
    @app_commands.describe(domains="Allowed domains, e.g. 'mayo.edu, jhmi.edu' (subdomains included)")
    @owners_only(OWNERS_ONLY)
    async def config_email(self, interaction: discord.Interaction[PrimumBot], enabled: bool,
                           domains: str | None = None) -> None:
        """Turn the e-mail code on or off and set the allow-listed institutional domains."""
        changes: dict[str, object] = {"email_binding": enabled}
        if domains is not None:
            changes["email_domains"] = list(parse_domain_list(domains))
        await self._save(interaction, **changes)

    @config_group.command(name="recheck", description="How often verified NPIs are looked up again")
    @owners_only(OWNERS_ONLY)
    async def config_recheck(self, interaction: discord.Interaction[PrimumBot],
                             days: app_commands.Range[int, 1, 365]) -> None:
        """Set the re-check interval in days (30 by default)."""
        await self._save(interaction, recheck_days=days)

    @verification.command(name="post", description="Post (and pin) the Verify button in the verify channel")
    @owners_only(OWNERS_ONLY)
    async def post(self, interaction: discord.Interaction[PrimumBot]) -> None:
        """Re-post the pinned Verify button (e.g. after someone deleted it)."""
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        message = await self.ensure_verify_message(interaction.guild, force=True)
        await interaction.followup.send("Posted and pinned." if message else "I could not post it; see the log.",
                                        ephemeral=True)

    @verification.command(name="forget", description="Delete everything verification stored about a member")
    @app_commands.describe(user="Whose verification data to delete", reason="Why (kept on the record as a case)")
    @owners_only(OWNERS_ONLY)
    async def forget(self, interaction: discord.Interaction[PrimumBot], user: discord.User,
                     reason: app_commands.Range[str, 3, 400]) -> None:
        """Per-user data deletion (their roles are left as they are); the forget becomes a case."""
        assert interaction.guild is not None
        refusal = refuse_target(interaction, user)
        if refusal is not None:
            await interaction.response.send_message(refusal, ephemeral=True)
            return
        removed = await self.service.forget_user(interaction.guild.id, user.id)
        self.bot.dispatch("primum_action", ActionRecord(
            guild_id=interaction.guild.id, kind="forget", target_id=user.id, actor_id=interaction.user.id,
            reason=f"verification data deleted: {reason}",
            details={"scope": "verification", "rows": removed, "rule": "privacy"},
        ))
        await interaction.response.send_message(f"Deleted {removed} verification record(s) of {user.mention}.",
                                                ephemeral=True)

    @verification.command(name="recheck", description="Re-check due verified NPIs against the registry now")
    @owners_only(OWNERS_ONLY)
    async def recheck_now(self, interaction: discord.Interaction[PrimumBot]) -> None:
        """Run the periodic registry re-check now (alerts go to the mod log)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        findings = await self.run_recheck()
        await interaction.followup.send(f"Re-check done; {len(findings)} finding(s) posted to the mod log.",
                                        ephemeral=True)


async def setup(bot: PrimumBot) -> None:
    """Load the Verification cog."""
    await bot.add_cog(Verification(bot))
