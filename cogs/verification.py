"""Physician verification inside Discord: registry check, identity binding, and a human decision.

A newcomer gets the Unverified role and finds a pinned **Verify** button in #verify (``/verify``
does the same). The form (full name, NPI, specialty, state) is checked against the NPPES registry
by :mod:`primum.services.verification`; a qualifying request appears in the private review queue
with Approve / Deny / Ask-for-more buttons. Every button is persistent (custom_id based), so a
click after a restart works. This cog only translates Discord objects and performs side effects.

This module holds the life cycle, onboarding, the periodic re-check and the slash commands (each
acknowledged first, except ``/verify``, which opens a form). The rest is in helper modules:
``cogs._verification_member`` (the member's form, ask and e-mail steps), ``cogs._verification_review``
(the moderators' decisions), ``cogs._verification_card`` (the review card), ``cogs._verification_server``
(roles, channels and reaching a member) and ``cogs._verification_views`` (buttons and forms).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from cogs._checks import owners_only
from cogs._interactions import answer, defer_first
from cogs._ranks import refuse_target
from cogs._verification_card import ReviewCards
from cogs._verification_member import MemberSteps
from cogs._verification_review import ReviewQueue
from cogs._verification_server import VerificationServer
from cogs._verification_views import AskView, EmailView, ReviewView, VerifyButtonView
from primum.domain.cases import ActionRecord
from primum.domain.verification import VerificationConfig
from primum.domain.verification_email import parse_domain_list
from primum.integrations.email_code import SmtpCodeSender
from primum.integrations.nppes import NppesClient
from primum.runtime.tasks import BackgroundTasks
from primum.services.verification import VerificationService
from primum.services.verification_recheck import RecheckFinding, RecheckReport
from primum.storage.verification import VerificationRepository

if TYPE_CHECKING:
    from primum.app import PrimumBot

log = logging.getLogger(__name__)
OWNERS_ONLY = "Only the server's owners (Manage Server) can change verification."
#: Commands that answer with a form: they cannot be acknowledged first (every other one is).
OPENS_FORM = frozenset({"verify"})

VERIFY_TEXT = (
    "**Welcome! This community is for physicians (MD/DO).**\n"
    "Press **Verify** and enter your full name, NPI, specialty and state. Primum checks your NPI against the "
    "public NPI Registry; a moderator then confirms it is you. Only your NPI, its specialty code and the "
    "decision are kept. If the registry check refuses your NPI and you think it is wrong, press **Ask the "
    "moderators**."
)


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
        self.server = VerificationServer(bot, self.service)
        self.cards = ReviewCards(self.server, lambda: ReviewView(self))
        self.members = MemberSteps(self)  # the form, asking for a human, the e-mail code
        self.review = ReviewQueue(self)  # the moderators' Approve / Deny / Ask-for-more
        self.service.waiting.on_decided = self.members.registry_answered
        self._tasks = BackgroundTasks("verification", log)

    async def interaction_check(self, interaction: discord.Interaction[PrimumBot]) -> bool:  # type: ignore[override]
        """Acknowledge every command first (not /verify, which opens a form): a slow registry or a busy
        database must not cost the answer."""
        await defer_first(interaction, opens_form=OPENS_FORM)
        return True

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
            try:
                await self.ensure_verify_message(guild)
            except Exception:  # e.g. the database stayed busy: the button is posted again next start
                log.exception("could not check the Verify button in guild %s", guild.id)
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

    # --- onboarding ----------------------------------------------------------------------------------
    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        """Newcomers get Unverified; a physician verified before gets the Verified role back."""
        if member.bot:
            return
        config = await self.service.config(member.guild.id)
        if await self.service.is_verified(member.guild.id, member.id):
            role = self.server.role(member.guild, config.verified_role_id, "verified_role")
            reason = "Primum: verified physician rejoined"
        else:
            role = self.server.role(member.guild, config.unverified_role_id, "unverified_role")
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
        channel = self.server.channel(guild, config.verify_channel_id, "verify_channel")
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

    # --- the form (the member's steps are in cogs._verification_member) ------------------------------
    @app_commands.command(name="verify", description="Verify that you are a physician (NPI + a moderator)")
    @app_commands.guild_only()
    async def verify(self, interaction: discord.Interaction[PrimumBot]) -> None:
        """Open the verification form (the same as the pinned Verify button)."""
        await self.members.open_form(interaction)

    # --- upkeep --------------------------------------------------------------------------------------
    async def run_recheck(self) -> tuple[RecheckReport, int]:
        """Re-check due NPIs against the registry and alert the moderators; return the pass and alerts posted."""
        report = await self.service.recheck()
        posted = 0
        for finding in report.findings:
            posted += await self._alert(finding)
        return report, posted

    async def _alert(self, finding: RecheckFinding) -> bool:
        guild = self.bot.get_guild(finding.request.guild_id)
        if guild is None:
            return False
        config = await self.service.config(guild.id)
        channel = self.server.channel(guild, config.modlog_channel_id, "modlog_channel") or \
            self.server.channel(guild, config.review_channel_id, "review_channel")
        if channel is None:
            log.warning("registry re-check finding for guild %s but no mod-log channel", guild.id)
            return False
        verified = finding.request.decided_at or finding.request.created_at
        text = (f"🔎 **Registry re-check:** the NPI of verified member <@{finding.request.user_id}> is now "
                f"**{finding.registry_status.replace('_', ' ')}** in the NPPES registry (verified "
                f"<t:{int(verified.timestamp())}:D>). Please review their Verified Physician role.")
        try:
            await channel.send(text)
        except discord.HTTPException as error:
            log.warning("could not post a re-check alert: %s", error.status)
            return False
        return True

    # --- owner commands ------------------------------------------------------------------------------
    @config_group.command(name="show", description="Show this server's verification settings")
    @owners_only(OWNERS_ONLY)
    async def config_show(self, interaction: discord.Interaction[PrimumBot]) -> None:
        """Show the settings and what they resolve to."""
        assert interaction.guild is not None
        await answer(interaction, await self.server.describe(interaction.guild))

    async def _save(self, interaction: discord.Interaction[PrimumBot], **changes: object) -> VerificationConfig:
        assert interaction.guild is not None
        config = await self.service.update_config(interaction.guild.id, interaction.user.id, **changes)
        self.bot.events.emit("verification_config", guild_id=interaction.guild.id, user_id=interaction.user.id,
                             keys=sorted(changes))
        await answer(interaction, "Saved.\n" + await self.server.describe(interaction.guild))
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
        message = await self.ensure_verify_message(interaction.guild, force=True)
        await answer(interaction, "Posted and pinned." if message else "I could not post it; see the log.")

    @verification.command(name="forget", description="Delete everything verification stored about a member")
    @app_commands.describe(user="Whose verification data to delete", reason="Why (kept on the record as a case)")
    @owners_only(OWNERS_ONLY)
    async def forget(self, interaction: discord.Interaction[PrimumBot], user: discord.User,
                     reason: app_commands.Range[str, 3, 400]) -> None:
        """Per-user data deletion (their roles are left as they are); the forget becomes a case."""
        assert interaction.guild is not None
        refusal = refuse_target(interaction, user)
        if refusal is not None:
            await answer(interaction, refusal)
            return
        removed = await self.service.forget_user(interaction.guild.id, user.id)
        self.bot.dispatch("primum_action", ActionRecord(
            guild_id=interaction.guild.id, kind="forget", target_id=user.id, actor_id=interaction.user.id,
            reason=f"verification data deleted: {reason}",
            details={"scope": "verification", "rows": removed, "rule": "privacy"},
        ))
        await answer(interaction, f"Deleted {removed} verification record(s) of {user.mention}.")

    @verification.command(name="recheck", description="Re-check due verified NPIs against the registry now")
    @owners_only(OWNERS_ONLY)
    async def recheck_now(self, interaction: discord.Interaction[PrimumBot]) -> None:
        """Run the periodic registry re-check now (alerts go to the mod log)."""
        report, posted = await self.run_recheck()
        found = len(report.findings)
        text = f"Re-check done; {found} finding(s) posted to the mod log." if posted == found else \
            f"Re-check done; {found} finding(s), but **only {posted} could be posted** (is there a mod-log channel?)."
        if report.unavailable:
            text += (f"\n**Not complete:** the NPI Registry did not answer for {report.unavailable} NPI(s); they are "
                     "looked up again on the next pass.")
        await answer(interaction, text)


async def setup(bot: PrimumBot) -> None:
    """Load the Verification cog."""
    await bot.add_cog(Verification(bot))
