"""Be kind: score every message, nudge privately, hide when an owner asks for it, show what works.

A thin adapter: Discord messages become :class:`MessageFacts`, the :class:`KindnessService`
decides and records, and :class:`~cogs._be_kind_port.DiscordKindnessPort` performs the few Discord
side effects (DM, delete, mod-log). Commands: ``/kind`` (members and moderators, here) and
``/kind-settings`` (owners, :mod:`cogs._be_kind_settings`). Every command is acknowledged first
(:func:`~cogs._interactions.defer_first`), so a slow database or model still gets an answer, and
a command that fails says so.
"""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import UTC
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs._be_kind_port import DiscordKindnessPort
from cogs._be_kind_settings import KindSettingsCommands
from cogs._be_kind_stats import draw_stats, summary
from cogs._be_kind_views import NudgeButton
from cogs._catch_up import CatchUp
from cogs._checks import moderators_only
from cogs._interactions import answer, defer_first
from cogs._observe import mentions_moderators
from cogs._pages import send_pages
from cogs._ranks import refuse_target
from primum import display
from primum.domain.cases import ActionRecord
from primum.domain.policy import ACTIONABLE, decide
from primum.domain.templates import category_label
from primum.inference.protocol import Overloaded, ScorerState, ScorerUnavailable
from primum.reporting.charts import render_async
from primum.runtime.tasks import BackgroundTasks
from primum.services.catch_up import CatchUpService
from primum.services.conversation import ConversationPolicy
from primum.services.kindness import KindnessService, MessageFacts
from primum.storage.kindness import KindnessRepository
from primum.storage.policy import PolicyRepository
from primum.storage.scored_marks import ScoredMarksRepository

if TYPE_CHECKING:
    from primum.app import PrimumBot

log = logging.getLogger(__name__)
MODERATORS_ONLY = "Only moderators can use this command."

SCORED_TYPES = (discord.MessageType.default, discord.MessageType.reply)


class BeKind(KindSettingsCommands):
    """Private nudges, hidden messages on request, and the numbers that show whether nudges work."""

    kind = app_commands.Group(name="kind", description="Be kind: your data, and statistics for moderators",
                              guild_only=True)

    def __init__(self, bot: PrimumBot, *, sweep_interval_s: float = 5.0) -> None:
        self.bot = bot
        self.sweep_interval_s = sweep_interval_s
        self.service = KindnessService(
            repo=KindnessRepository(bot.db), guild_settings=bot.guild_settings, settings=bot.settings.kindness,
            scorer=bot.scorer, clock=bot.clock, events=bot.events,
            on_scored=lambda scored: bot.dispatch("message_scored", scored),
        )
        self.service.port = DiscordKindnessPort(bot, self.service)
        self.service.conversation = ConversationPolicy(PolicyRepository(bot.db), bot.events, bot.observe)
        self._tasks = BackgroundTasks("be-kind", log)
        self.catch_up = CatchUp(bot, CatchUpService(
            kindness=self.service, marks=ScoredMarksRepository(bot.db), settings=bot.settings.catch_up,
            clock=bot.clock, events=bot.events,
        ), self._facts)
        self._ready_count = 0

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        """Acknowledge every command first: a busy database or a slow model must not cost the answer."""
        await defer_first(interaction)
        return True

    async def cog_load(self) -> None:
        """Register the persistent buttons; start the sweep and the health check once connected."""
        self.bot.add_dynamic_items(NudgeButton)
        self._tasks.spawn(self._after_ready(), "be-kind-ready")

    async def cog_unload(self) -> None:
        """Stop the sweep; open nudges stay in the database."""
        self.bot.remove_dynamic_items(NudgeButton)
        await self.service.stop()
        await self._tasks.cancel_all()

    async def _after_ready(self) -> None:
        await self.bot.wait_until_ready()
        self.service.start(self.sweep_interval_s)
        for _ in range(600):  # the model may take a while to load; report a failed load once
            if self.bot.scorer.state is not ScorerState.LOADING:
                break
            await asyncio.sleep(0.5)
        if self.bot.scorer.state is ScorerState.DEGRADED:
            for guild in self.bot.guilds:
                await self.service.report_degraded(guild.id)

    # --- listeners ------------------------------------------------------------------------------

    def _facts(self, message: discord.Message) -> MessageFacts | None:
        if message.guild is None or message.author.bot or message.webhook_id is not None:
            return None
        if message.type not in SCORED_TYPES or message.is_system() or not message.content.strip():
            return None
        channel = message.channel
        parents: list[int] = []
        if isinstance(channel, discord.Thread):
            parents.append(channel.parent_id)
            parent = channel.parent
            if parent is not None and parent.category_id is not None:
                parents.append(parent.category_id)
        elif isinstance(channel, discord.abc.GuildChannel) and channel.category_id is not None:
            parents.append(channel.category_id)
        author = message.author
        roles = frozenset(r.id for r in author.roles) if isinstance(author, discord.Member) else frozenset()
        reply_to: int | None = None
        resolved = message.reference.resolved if message.reference is not None else None
        if isinstance(resolved, discord.Message):
            reply_to = resolved.author.id
        created = message.created_at.astimezone(UTC)
        return MessageFacts(
            guild_id=message.guild.id, channel_id=channel.id, message_id=message.id, author_id=author.id,
            created_at=created, parent_ids=tuple(parents), role_ids=roles, reply_to_author_id=reply_to,
            reply_to_message_id=message.reference.message_id if message.reference is not None else None,
            mentioned_ids=tuple(u.id for u in message.mentions if not u.bot and u.id != author.id),
            mentions_moderators=mentions_moderators(message),
        )

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Score every human guild message off the event loop and act on the policy."""
        facts = self._facts(message)
        if facts is not None:
            handled = await self.service.handle_message(facts, message.content)
            await self.catch_up.service.seen(facts, handled)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """A new gateway session (start, or a reset that could not be resumed): score what was missed."""
        self._ready_count += 1
        reason = "start" if self._ready_count == 1 else "session reset"
        self._tasks.spawn(self.catch_up.run(reason), "be-kind-catch-up")

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """Score edits too: an edit can revise a nudged message, or make a message unkind."""
        before = payload.cached_message
        message = payload.message
        if before is not None and before.content == message.content:
            return  # an embed or pin update, not an edit
        facts = self._facts(message)
        if facts is not None:
            await self.service.handle_message(facts, message.content, edited=True)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        """A deleted nudged message was withdrawn."""
        await self.service.handle_deleted(payload.message_id)

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        """Bulk deletions withdraw too."""
        for message_id in payload.message_ids:
            await self.service.handle_deleted(message_id)

    # --- /kind ----------------------------------------------------------------------------------

    @kind.command(name="mydata", description="See what Primum's be-kind feature holds about you")
    async def mydata(self, interaction: discord.Interaction[PrimumBot]) -> None:
        """Show a member their own nudges, hides, reports and any text kept for them, privately."""
        assert interaction.guild is not None
        data = await self.service.records.user_data(interaction.guild.id, interaction.user.id)
        lines = [f"**What Primum holds about you here**: {len(data.nudges)} nudge(s), {len(data.hides)} hidden "
                 f"message(s), {data.reports} mistake report(s). No message text unless listed below."]
        for nudge in data.nudges[-10:]:
            lines.append(f"• {display.timestamp(nudge.created_at)} nudge in <#{nudge.channel_id}>: "
                         f"{category_label(nudge.category)} ({nudge.score:.2f}), outcome {nudge.outcome or 'open'}")
        for hide in data.hides[-5:]:
            lines.append(f"• {display.timestamp(hide.created_at)} hidden in <#{hide.channel_id}>: "
                         f"{category_label(hide.category)}; returned by DM: {'yes' if hide.returned else 'no'}")
        attachment = None
        returned = [t for t in data.texts if t.purpose == "return"]
        if returned:
            lines.append(f"Primum kept {len(returned)} hidden message(s) it could not DM you (attached; deleted "
                         f"automatically on {display.timestamp(returned[-1].expires_at, 'D')}).")
            body = "\n\n---\n\n".join(t.text for t in returned)
            attachment = discord.File(io.BytesIO(body.encode("utf-8")), "your-hidden-messages.txt")
        lines.append("`/kind forgetme` deletes all of it.")
        if attachment is not None:
            await answer(interaction, "\n".join(lines)[:2000], file=attachment)
        else:
            await send_pages(interaction, lines)

    @kind.command(name="forgetme", description="Delete everything Primum's be-kind feature holds about you")
    async def forgetme(self, interaction: discord.Interaction[PrimumBot]) -> None:
        """Members may delete their own be-kind data at any time."""
        assert interaction.guild is not None
        removed = await self.service.records.forget(interaction.guild.id, interaction.user.id,
                                                    actor_id=interaction.user.id)
        live = await self._forget_live(interaction.guild.id, interaction.user.id)
        self._forget_case(interaction.guild.id, interaction.user.id, interaction.user.id,
                          "privacy: the member deleted their be-kind data (/kind forgetme)", removed)
        await answer(interaction, f"Done: {removed} record(s) deleted{_live_note(live)}.")

    @kind.command(name="forget", description="Moderators: delete a member's be-kind data")
    @app_commands.describe(member="Whose data to delete", reason="Why (kept on the record as a case)")
    @moderators_only(MODERATORS_ONLY)
    async def forget(self, interaction: discord.Interaction[PrimumBot], member: discord.Member,
                     reason: app_commands.Range[str, 3, 400]) -> None:
        """Delete a member's be-kind data on request (e.g. a privacy request made to the moderators)."""
        assert interaction.guild is not None
        refusal = refuse_target(interaction, member)
        if refusal is not None:
            await answer(interaction, refusal)
            return
        removed = await self.service.records.forget(interaction.guild.id, member.id, actor_id=interaction.user.id)
        live = await self._forget_live(interaction.guild.id, member.id)
        self._forget_case(interaction.guild.id, member.id, interaction.user.id, f"be-kind data deleted: {reason}",
                          removed)
        await answer(interaction, f"Deleted {removed} be-kind record(s) about {member.display_name}"
                                  f"{_live_note(live)}.")

    async def _forget_live(self, guild_id: int, member_id: int) -> int:
        """Flags of this member that de-escalation still holds in memory stop counting too."""
        deescalation: Any = self.bot.get_cog("Deescalation")
        if deescalation is None:
            return 0
        return int(await deescalation.service.forget_member(guild_id, member_id))

    def _forget_case(self, guild_id: int, member_id: int, actor_id: int, reason: str, removed: int) -> None:
        """Every forget leaves a case with its reason (the moderation cog records it)."""
        self.bot.dispatch("primum_action", ActionRecord(
            guild_id=guild_id, kind="forget", target_id=member_id, actor_id=actor_id, reason=reason,
            details={"scope": "be-kind", "rows": removed, "rule": "privacy"},
        ))

    @kind.command(name="test", description="Moderators: how would Primum score this text here?")
    @app_commands.describe(text="The text to score (not stored)")
    @moderators_only(MODERATORS_ONLY)
    async def test(self, interaction: discord.Interaction[PrimumBot], text: app_commands.Range[str, 1, 4000]) -> None:
        """Score a text with this channel's thresholds, privately, without storing anything."""
        assert interaction.guild is not None and interaction.channel is not None
        try:
            result = await self.service.score(text)
        except (ScorerUnavailable, Overloaded) as error:
            await answer(interaction, f"The be-kind model cannot score right now ({error}).")
            return
        policy = await self.service.policy(interaction.guild.id)
        chain = [interaction.channel.id]
        if isinstance(interaction.channel, discord.abc.GuildChannel) and interaction.channel.category_id:
            chain.append(interaction.channel.category_id)
        thresholds = policy.thresholds_for(chain)
        decision = decide(result.score, result.categories, thresholds, recent_nudges=[],
                          now=self.bot.clock.now(), nudge_window=policy.nudge_window)
        rows = []
        for name in ACTIONABLE:
            cut = thresholds[name]
            hide = f"{cut.hide:.2f}" if cut.hide is not None else "off"
            nudge = f"{cut.nudge:.2f}" if cut.nudge is not None else "off"
            rows.append(f"`{name:<16}` {result.categories.get(name, 0.0):.2f}  (nudge {nudge}, hide {hide})")
        profanity = result.categories.get("profanity")
        if profanity is not None:
            rows.append(f"`{'profanity':<16}` {profanity:.2f}  (informational; never nudges)")
        await answer(
            interaction,
            f"Overall **{result.score:.2f}** ({result.model_version}) → would **{decision.action.value}**"
            f" ({decision.reason.value}).\n" + "\n".join(rows),
        )

    @kind.command(name="stats", description="Moderators: nudges, revision rate, withdrawals and reports")
    @app_commands.describe(weeks="How many weeks back (default 8)")
    @moderators_only(MODERATORS_ONLY)
    async def stats(self, interaction: discord.Interaction[PrimumBot],
                    weeks: app_commands.Range[int, 1, 52] = 8) -> None:
        """A chart and a short summary per channel and week; the chart is drawn off the event loop."""
        assert interaction.guild is not None
        view = await self.service.records.stats(interaction.guild.id, weeks)
        names = {cid: f"<#{cid}>" for cid in view.stats.by_channel}
        png = await render_async(draw_stats, view)
        self.bot.events.emit("command", name="kind stats", user_id=interaction.user.id,
                             nudges=view.stats.total.nudges)
        await answer(interaction, summary(view, names), file=discord.File(io.BytesIO(png), "be-kind.png"))

    async def sweep_now(self) -> None:
        """Run the outcome/retry sweep immediately (tests and the demo after moving a clock)."""
        await self.service.sweep()


async def setup(bot: PrimumBot) -> None:
    """Load the BeKind cog."""
    await bot.add_cog(BeKind(bot))


def _live_note(live: int) -> str:
    """What a be-kind forget also cleared in de-escalation's memory, if anything."""
    return f", and {live} item(s) of live channel heat and recent flags cleared" if live else ""
