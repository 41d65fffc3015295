"""Be kind: score every message, nudge privately, hide when an owner asks for it, show what works.

A thin adapter: Discord messages become :class:`MessageFacts`, the :class:`KindnessService`
decides and records, and :class:`DiscordKindnessPort` performs the few Discord side effects
(DM, a self-deleting channel note, delete, mod-log). Commands: ``/kind`` (members and
moderators) and ``/kind-settings`` (owners; hidden from others by default_member_permissions).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Any, Literal

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from cogs._be_kind_views import BUTTONS, NudgeButton, custom_id, nudge_view
from cogs._catch_up import CatchUp
from cogs._channels import find_text_channel
from cogs._checks import moderators_only, owners_only
from cogs._embeds import settings_embed
from cogs._observe import mentions_moderators
from cogs._pages import send_pages
from cogs._ranks import refuse_target
from primum import display
from primum.domain.cases import ActionRecord
from primum.domain.observe import parse_mode
from primum.domain.policy import (
    ACTIONABLE,
    ThresholdError,
    decide,
    parse_duration,
    parse_threshold,
)
from primum.domain.templates import PLACEHOLDERS, TemplateError, category_label
from primum.inference.protocol import Overloaded, ScorerState, ScorerUnavailable
from primum.reporting.charts import render_async, stacked_bars
from primum.runtime.tasks import BackgroundTasks
from primum.services.catch_up import CatchUpService
from primum.services.conversation import ConversationPolicy
from primum.services.kindness import (
    MODLOG_CHANNEL_KEY,
    DeliveryFailed,
    DeliveryRefused,
    DmClosed,
    KindnessService,
    MessageFacts,
    Place,
    StatsView,
)
from primum.storage.kindness import KindnessRepository, NudgeRecord
from primum.storage.policy import PolicyRepository
from primum.storage.scored_marks import ScoredMarksRepository

if TYPE_CHECKING:
    from primum.app import PrimumBot

log = logging.getLogger(__name__)
OWNERS_ONLY = "Only the server's owners (Manage Server) can change be-kind settings."
MODERATORS_ONLY = "Only moderators can use this command."

SCORED_TYPES = (discord.MessageType.default, discord.MessageType.reply)
DM_CLOSED_CODE = 50007
MODLOG_NAMES = ("mod-log", "mod_log", "modlog")
#: How many recent messages to look through for an already-sent nudge before sending it again.
NUDGE_LOOKBACK = 50


def _transient(error: BaseException) -> bool:
    if isinstance(error, discord.HTTPException):
        return error.status == 429 or error.status >= 500
    return isinstance(error, aiohttp.ClientError | OSError | TimeoutError)


class DiscordKindnessPort:
    """The service's Discord side effects, done with discord.py."""

    def __init__(self, bot: PrimumBot, service: KindnessService) -> None:
        self.bot = bot
        self.service = service

    def place(self, guild_id: int, channel_id: int, message_id: int) -> Place:
        """Names from the cache and a jump link (never fails)."""
        guild = self.bot.get_guild(guild_id)
        channel = guild.get_channel_or_thread(channel_id) if guild is not None else None
        return Place(
            guild_name=guild.name if guild is not None else "this server",
            channel_name=f"#{channel.name}" if channel is not None else "a channel",
            jump_url=f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}",
        )

    async def _user(self, user_id: int) -> discord.User:
        user = self.bot.get_user(user_id)
        return user if user is not None else await self.bot.fetch_user(user_id)

    async def _call(self, what: str, coro: Any) -> Any:
        """Await a Discord call, mapping failures onto the service's three kinds."""
        try:
            return await coro
        except discord.Forbidden as error:
            if error.code == DM_CLOSED_CODE:
                raise DmClosed(what) from error
            raise DeliveryRefused(f"{what}: forbidden ({error.code})") from error
        except discord.NotFound as error:
            raise DeliveryRefused(f"{what}: not found ({error.code})") from error
        except (TimeoutError, discord.HTTPException, aiohttp.ClientError, OSError) as error:
            if _transient(error):
                raise DeliveryFailed(f"{what}: {type(error).__name__}: {error}") from error
            raise DeliveryRefused(f"{what}: {error}") from error
        except RuntimeError as error:
            # aiohttp's "Session is closed": the bot stopped mid-call. The row stays pending and the
            # sweep delivers it after the restart, instead of discord.py logging a crash.
            if self.bot.is_closed():
                raise DeliveryFailed(f"{what}: the bot is shutting down") from error
            raise

    async def send_nudge_dm(self, nudge: NudgeRecord, content: str) -> None:
        """DM the author with the buttons."""
        user = await self._call("fetch user", self._user(nudge.author_id))
        await self._call("nudge DM", user.send(content, view=nudge_view(nudge.id)))

    async def send_nudge_note(self, nudge: NudgeRecord, content: str) -> None:
        """A reply that mentions nobody and deletes itself after a minute."""
        channel = self.bot.get_channel(nudge.channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise DeliveryRefused(f"channel {nudge.channel_id} is not available")
        reference = discord.MessageReference(
            message_id=nudge.message_id, channel_id=nudge.channel_id, guild_id=nudge.guild_id,
            fail_if_not_exists=False,
        )
        await self._call(
            "nudge note",
            channel.send(content, reference=reference, mention_author=False, delete_after=60,
                         allowed_mentions=discord.AllowedMentions.none(), view=nudge_view(nudge.id)),
        )

    async def find_sent_nudge(self, nudge: NudgeRecord) -> str | None:
        """Look for this nudge's buttons among Primum's recent DMs to the author, then in its channel."""
        me = self.bot.user
        if me is None:
            raise DeliveryFailed("not connected")
        user = await self._call("fetch user", self._user(nudge.author_id))
        dm = user.dm_channel or await self._call("open DM", user.create_dm())
        if await self._call("DM history", _has_nudge(dm.history(limit=NUDGE_LOOKBACK), me.id, nudge.id)):
            return "dm"
        channel = self.bot.get_channel(nudge.channel_id)
        if isinstance(channel, discord.abc.Messageable):
            after = discord.Object(nudge.message_id)
            history = channel.history(limit=NUDGE_LOOKBACK, after=after, oldest_first=True)
            with contextlib.suppress(DeliveryRefused):  # no history permission: nothing to find there
                if await self._call("channel history", _has_nudge(history, me.id, nudge.id)):
                    return "channel"
        return None

    async def delete_message(self, channel_id: int, message_id: int) -> bool:
        """Delete a message; False if it is already gone."""
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel | discord.Thread | discord.VoiceChannel):
            raise DeliveryRefused(f"channel {channel_id} is not available")
        try:
            await self._call("delete", channel.get_partial_message(message_id).delete())
        except DeliveryRefused as error:
            if isinstance(error.__cause__, discord.NotFound):
                return False
            raise
        return True

    async def send_dm(self, user_id: int, content: str, attachment: str | None = None) -> bool:
        """DM someone; an attachment goes as a text file. False when DMs are closed."""
        try:
            user = await self._call("fetch user", self._user(user_id))
            file = discord.File(io.BytesIO(attachment.encode("utf-8")), "message.txt") if attachment else None
            if file is not None:
                await self._call("DM", user.send(content, file=file))
            else:
                await self._call("DM", user.send(content))
        except DmClosed:
            return False
        return True

    async def _modlog_channel(self, guild_id: int) -> discord.TextChannel | None:
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return None
        return find_text_channel(guild, (await self.service.policy(guild_id)).modlog_channel_id, MODLOG_NAMES)

    async def post_modlog(self, guild_id: int, content: str) -> tuple[int, int] | None:
        """Post in the mod-log (the configured channel, else one named #mod-log)."""
        channel = await self._modlog_channel(guild_id)
        if channel is None:
            return None
        message = await self._call(
            "mod-log post", channel.send(content, allowed_mentions=discord.AllowedMentions.none())
        )
        return channel.id, message.id

    async def edit_modlog(self, channel_id: int, message_id: int, content: str) -> None:
        """Replace a mod-log post's content."""
        channel = self.bot.get_channel(channel_id)
        if isinstance(channel, discord.TextChannel):
            await self._call("mod-log edit", channel.get_partial_message(message_id).edit(content=content))


async def _has_nudge(history: AsyncIterator[discord.Message], bot_id: int, nudge_id: int) -> bool:
    """Whether one of these messages is Primum's nudge ``nudge_id`` (its buttons carry the id)."""
    wanted = {custom_id(response, nudge_id) for response in BUTTONS}
    async for message in history:
        if message.author.id != bot_id:
            continue
        for row in message.components:
            children = getattr(row, "children", [row])
            if any(getattr(child, "custom_id", None) in wanted for child in children):
                return True
    return False


async def _complete(current: str, options: list[str]) -> list[app_commands.Choice[str]]:
    lowered = current.lower()
    return [app_commands.Choice(name=o, value=o) for o in options if lowered in o.lower()][:25]


def _summary(view: StatsView, names: dict[int, str]) -> str:
    total = view.stats.total
    rate = f"{total.revision_rate:.0%}" if total.revision_rate is not None else "n/a"
    lines = [
        f"**Be-kind since {display.timestamp(view.since, 'D')}**: {total.nudges} nudge(s); revised {total.revised}, "
        f"withdrawn {total.withdrawn}, kept {total.kept}, open {total.open}; revision rate {rate}; "
        f"{total.reports} reported as a mistake ({view.open_reports} awaiting review); {view.hides} hidden.",
    ]
    for channel_id, cell in sorted(view.stats.by_channel.items(), key=lambda item: -item[1].nudges)[:10]:
        channel_rate = f"{cell.revision_rate:.0%}" if cell.revision_rate is not None else "n/a"
        lines.append(
            f"• {names.get(channel_id, str(channel_id))}: {cell.nudges} nudge(s), revised {cell.revised}, "
            f"withdrawn {cell.withdrawn}, kept {cell.kept}, reports {cell.reports}, rate {channel_rate}"
        )
    return "\n".join(lines)


def draw_stats(view: StatsView) -> bytes:
    """Weekly outcomes as stacked bars with the revision rate as a line."""
    weeks = list(view.stats.by_week)
    cells = [view.stats.by_week[w] for w in weeks]
    return stacked_bars(
        "Be-kind nudges per week and what came of them",
        [f"{w:%b %d}" for w in weeks],
        {
            "revised": [c.revised for c in cells],
            "withdrawn": [c.withdrawn for c in cells],
            "kept": [c.kept for c in cells],
            "open": [c.open for c in cells],
        },
        ylabel="nudges",
        line=("revision rate", [c.revision_rate for c in cells]),
        line_label="revised or withdrawn (%)",
        empty_text="No nudges yet",
    )


class BeKind(commands.Cog):
    """Private nudges, hidden messages on request, and the numbers that show whether nudges work."""

    kind = app_commands.Group(name="kind", description="Be kind: your data, and statistics for moderators",
                              guild_only=True)
    settings_group = app_commands.Group(
        name="kind-settings", description="Be-kind settings for this server's owners", guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

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
        data = await self.service.user_data(interaction.guild.id, interaction.user.id)
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
            await interaction.response.send_message("\n".join(lines)[:2000], ephemeral=True, file=attachment)
        else:
            await send_pages(interaction, lines)

    @kind.command(name="forgetme", description="Delete everything Primum's be-kind feature holds about you")
    async def forgetme(self, interaction: discord.Interaction[PrimumBot]) -> None:
        """Members may delete their own be-kind data at any time."""
        assert interaction.guild is not None
        removed = await self.service.forget(interaction.guild.id, interaction.user.id, actor_id=interaction.user.id)
        self._forget_case(interaction.guild.id, interaction.user.id, interaction.user.id,
                          "privacy: the member deleted their be-kind data (/kind forgetme)", removed)
        await interaction.response.send_message(f"Done: {removed} record(s) deleted.", ephemeral=True)

    @kind.command(name="forget", description="Moderators: delete a member's be-kind data")
    @app_commands.describe(member="Whose data to delete", reason="Why (kept on the record as a case)")
    @moderators_only(MODERATORS_ONLY)
    async def forget(self, interaction: discord.Interaction[PrimumBot], member: discord.Member,
                     reason: app_commands.Range[str, 3, 400]) -> None:
        """Delete a member's be-kind data on request (e.g. a privacy request made to the moderators)."""
        assert interaction.guild is not None
        refusal = refuse_target(interaction, member)
        if refusal is not None:
            await interaction.response.send_message(refusal, ephemeral=True)
            return
        removed = await self.service.forget(interaction.guild.id, member.id, actor_id=interaction.user.id)
        self._forget_case(interaction.guild.id, member.id, interaction.user.id, f"be-kind data deleted: {reason}",
                          removed)
        await interaction.response.send_message(
            f"Deleted {removed} be-kind record(s) about {member.display_name}.", ephemeral=True
        )

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
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            result = await self.service.score(text)
        except (ScorerUnavailable, Overloaded) as error:
            await interaction.followup.send(f"The be-kind model cannot score right now ({error}).", ephemeral=True)
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
        await interaction.followup.send(
            f"Overall **{result.score:.2f}** ({result.model_version}) → would **{decision.action.value}**"
            f" ({decision.reason.value}).\n" + "\n".join(rows),
            ephemeral=True,
        )

    @kind.command(name="stats", description="Moderators: nudges, revision rate, withdrawals and reports")
    @app_commands.describe(weeks="How many weeks back (default 8)")
    @moderators_only(MODERATORS_ONLY)
    async def stats(self, interaction: discord.Interaction[PrimumBot],
                    weeks: app_commands.Range[int, 1, 52] = 8) -> None:
        """A chart and a short summary per channel and week; the chart is drawn off the event loop."""
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        view = await self.service.stats(interaction.guild.id, weeks)
        names = {cid: f"<#{cid}>" for cid in view.stats.by_channel}
        png = await render_async(draw_stats, view)
        self.bot.events.emit("command", name="kind stats", user_id=interaction.user.id,
                             nudges=view.stats.total.nudges)
        await interaction.followup.send(_summary(view, names), file=discord.File(io.BytesIO(png), "be-kind.png"),
                                        ephemeral=True)

    # --- /kind-settings -------------------------------------------------------------------------

    @settings_group.command(name="show", description="Show this server's be-kind settings")
    @owners_only(OWNERS_ONLY)
    async def show(self, interaction: discord.Interaction[PrimumBot]) -> None:
        """Everything an owner can change, with where each value comes from."""
        assert interaction.guild is not None
        policy = await self.service.policy(interaction.guild.id)
        observe = await self._observe_line(interaction.guild.id)
        await interaction.response.send_message(embed=self._settings_embed(policy, observe), ephemeral=True)

    def _settings_embed(self, policy: Any, observe: str) -> discord.Embed:
        base = policy.thresholds_for([])
        o = policy.overrides

        def cut(value: float | None) -> str:
            return "off" if value is None else f"{value:.2f}"

        rows = [(name.replace("_", " ").capitalize(), f"nudge {cut(base[name].nudge)} · hide {cut(base[name].hide)}")
                for name in ACTIONABLE]
        overrides = [f"{display.channel(cid)} nudge {'off' if level.off else f'{level.value:.2f}'}"
                     for cid, level in o.channel_nudge.items()]
        overrides += [f"{display.channel(cid)} hide {'off' if level.off else f'{level.value:.2f}'}"
                      for cid, level in o.channel_hide.items()]
        rows += [
            ("Channel overrides", display.bullet_lines(overrides)),
            ("Exempt channels", ", ".join(display.channel(c) for c in sorted(policy.exemptions.channel_ids))
             or "none"),
            ("Exempt roles", ", ".join(display.role(r) for r in sorted(policy.exemptions.role_ids)) or "none"),
            ("Nudge window", f"one nudge per author per {display.duration_words(policy.nudge_window)}"),
            ("Outcome window", f"an edit counts for {display.duration_words(policy.outcome_window)}"),
            ("Mod-log", display.channel(policy.modlog_channel_id) if policy.modlog_channel_id
             else "#mod-log (found by name)"),
            ("Text in the mod-log", f"on, kept {display.duration_words(timedelta(days=policy.modlog_text_days))}"
             if policy.modlog_text_days else "off"),
            ("Model", f"{self.bot.scorer.version} ({self.bot.scorer.state})"),
            ("Observe mode", observe.removeprefix("Observe mode: ")),
        ]
        return settings_embed("Be-kind settings", rows, footer="Change with /kind-settings threshold, exempt, "
                              "window, template or modlog")

    @settings_group.command(name="threshold",
                            description="Set the nudge or hide threshold (server, channel, category)")
    @app_commands.describe(
        action="nudge: a private note; hide: delete and return the text to its author",
        value="0.05–1 (e.g. 0.8), 'off' (hide only) or 'default'",
        channel="Only in this channel (and its threads)",
        category="Only for this kind of unkindness",
    )
    @owners_only(OWNERS_ONLY)
    async def threshold(
        self, interaction: discord.Interaction[PrimumBot], action: Literal["nudge", "hide"], value: str,
        channel: discord.TextChannel | discord.Thread | discord.CategoryChannel | None = None,
        category: str | None = None,
    ) -> None:
        """Thresholds resolve category → channel → server → default; the most specific wins."""
        assert interaction.guild is not None
        try:
            level = parse_threshold(value, allow_off=action == "hide")
            await self.service.set_threshold(
                interaction.guild.id, action, level, actor_id=interaction.user.id,
                channel_id=channel.id if channel is not None else None, category=category,
            )
        except (ThresholdError, ValueError) as error:
            await interaction.response.send_message(f"Not changed: {error}", ephemeral=True)
            return
        where = channel.mention if channel is not None else (f"category {category}" if category else "this server")
        shown = "default" if not level.is_set else ("off" if level.off else f"{level.value:.2f}")
        self.bot.events.emit("kindness_setting", guild_id=interaction.guild.id, key=f"{action}_threshold",
                             value=shown, scope=where, actor_id=interaction.user.id)
        await interaction.response.send_message(f"{action.capitalize()} threshold for {where}: **{shown}**.",
                                                ephemeral=True)

    @threshold.autocomplete("value")
    async def _threshold_values(self, interaction: discord.Interaction[PrimumBot],
                                current: str) -> list[app_commands.Choice[str]]:
        model = self.bot.scorer.thresholds
        options = ["default", f"{model.nudge:.2f}", "0.60", "0.70", "0.80", "0.90", "off"]
        return await _complete(current, options)

    @threshold.autocomplete("category")
    async def _categories(self, interaction: discord.Interaction[PrimumBot],
                          current: str) -> list[app_commands.Choice[str]]:
        return await _complete(current, list(ACTIONABLE))

    @settings_group.command(name="exempt", description="Exempt a channel or role from scoring (or undo it)")
    @app_commands.describe(channel="A channel not to score (e.g. #venting)", role="A role not to score",
                           exempt="True to exempt, False to score again")
    @owners_only(OWNERS_ONLY)
    async def exempt(
        self, interaction: discord.Interaction[PrimumBot],
        channel: discord.TextChannel | discord.CategoryChannel | None = None,
        role: discord.Role | None = None, exempt: bool = True,
    ) -> None:
        """Exempt channels and roles are never scored (a #venting channel may allow strong words)."""
        assert interaction.guild is not None
        if channel is None and role is None:
            await interaction.response.send_message("Name a channel or a role.", ephemeral=True)
            return
        done = []
        if channel is not None:
            await self.service.set_exempt(interaction.guild.id, "channel", channel.id, exempt,
                                          actor_id=interaction.user.id)
            done.append(channel.mention)
        if role is not None:
            await self.service.set_exempt(interaction.guild.id, "role", role.id, exempt, actor_id=interaction.user.id)
            done.append(role.mention)
        await interaction.response.send_message(
            f"{', '.join(done)}: {'exempt from scoring' if exempt else 'scored again'}.", ephemeral=True
        )

    @settings_group.command(name="window", description="One nudge per author per window; how long outcomes count")
    @app_commands.describe(which="nudge: per-author window; outcome: how long an edit still counts",
                           duration="e.g. 30s, 10m, 2h, or 'default'")
    @owners_only(OWNERS_ONLY)
    async def window(self, interaction: discord.Interaction[PrimumBot], which: Literal["nudge", "outcome"],
                     duration: str) -> None:
        """Durations are validated (0s–7d for nudges, 10s–7d for outcomes)."""
        assert interaction.guild is not None
        try:
            parsed = None if duration.strip().lower() == "default" else parse_duration(
                duration, minimum=timedelta(seconds=0 if which == "nudge" else 10))
        except ThresholdError as error:
            await interaction.response.send_message(f"Not changed: {error}", ephemeral=True)
            return
        await self.service.set_window(interaction.guild.id, which, parsed, actor_id=interaction.user.id)
        shown = display.duration_words(parsed) if parsed is not None else "default"
        await interaction.response.send_message(f"{which.capitalize()} window: **{shown}**.", ephemeral=True)

    @window.autocomplete("duration")
    async def _durations(self, interaction: discord.Interaction[PrimumBot],
                         current: str) -> list[app_commands.Choice[str]]:
        return await _complete(current, ["default", "30s", "5m", "10m", "30m", "1h", "1d"])

    @settings_group.command(name="template", description="Change a message Primum sends (or 'default')")
    @app_commands.describe(name="Which message", text="The new text with {placeholders}, or 'default'")
    @owners_only(OWNERS_ONLY)
    async def template(self, interaction: discord.Interaction[PrimumBot], name: str,
                       text: app_commands.Range[str, 1, 1500]) -> None:
        """Templates are validated: only the placeholders that message offers are allowed."""
        assert interaction.guild is not None
        try:
            now_used = await self.service.set_template(
                interaction.guild.id, name, None if text.strip().lower() == "default" else text,
                actor_id=interaction.user.id,
            )
        except (TemplateError, ValueError) as error:
            await interaction.response.send_message(f"Not changed: {error}", ephemeral=True)
            return
        await interaction.response.send_message(f"Template **{name}** is now:\n>>> {now_used}"[:2000], ephemeral=True)

    @template.autocomplete("name")
    async def _template_names(self, interaction: discord.Interaction[PrimumBot],
                              current: str) -> list[app_commands.Choice[str]]:
        return await _complete(current, sorted(PLACEHOLDERS))

    @settings_group.command(name="modlog", description="Where be-kind cases go, and whether they include text")
    @app_commands.describe(channel="The mod-log channel", text_days="0: never include text; 1–90: include it "
                           "and keep it that many days")
    @owners_only(OWNERS_ONLY)
    async def modlog(self, interaction: discord.Interaction[PrimumBot], channel: discord.TextChannel | None = None,
                     text_days: app_commands.Range[int, 0, 90] | None = None) -> None:
        """Text in the mod-log is opt-in and expires."""
        assert interaction.guild is not None
        notes = []
        if channel is not None:
            await self.bot.guild_settings.set(interaction.guild.id, MODLOG_CHANNEL_KEY, channel.id,
                                              now=self.bot.clock.now(), updated_by=interaction.user.id)
            self.service.invalidate(interaction.guild.id)
            notes.append(f"mod-log: {channel.mention}")
        if text_days is not None:
            await self.service.set_modlog_text(interaction.guild.id, text_days, actor_id=interaction.user.id)
            notes.append(f"text in the mod-log: {f'on, kept {text_days} day(s)' if text_days else 'off'}")
        await interaction.response.send_message("; ".join(notes) or "Nothing changed.", ephemeral=True)

    async def _observe_line(self, guild_id: int) -> str:
        current = await self.bot.observe.settings(guild_id)
        server = {True: "on", False: "off", None: "default"}[current.mode]
        trial = f", new-server trial until <t:{int(current.until.timestamp())}:f>" if current.until else ""
        channels = ", ".join(f"<#{cid}> {'on' if mode else 'off'}" for cid, mode in current.channels.items()
                             if mode is not None)
        return (f"Observe mode: server {server}{trial}" + (f"; channels: {channels}" if channels else "")
                + f"; text with reports: {'kept' if current.keep_text else 'not kept'}")

    @settings_group.command(name="observe", description="Observe mode: decide as usual, only report to the mod-log")
    @app_commands.describe(mode="on: only report what Primum would do; off: act; default: inherit",
                           channel="Only this channel (and its threads)",
                           keep_text="Keep message text with observe reports (off by default)")
    @owners_only(OWNERS_ONLY)
    async def observe(self, interaction: discord.Interaction[PrimumBot], mode: Literal["on", "off", "default"],
                      channel: discord.TextChannel | discord.CategoryChannel | None = None,
                      keep_text: bool | None = None) -> None:
        """Switch observe mode for the server or one channel; reports carry Correct / Wrong buttons."""
        assert interaction.guild is not None
        value = parse_mode(mode)
        await self.bot.observe.set_mode(interaction.guild.id, value, actor_id=interaction.user.id,
                                        channel_id=channel.id if channel is not None else None)
        if keep_text is not None:
            await self.bot.observe.set_keep_text(interaction.guild.id, keep_text, actor_id=interaction.user.id)
        where = channel.mention if channel is not None else "this server"
        shown = {True: "on: Primum only reports to the mod-log", False: "off: Primum acts",
                 None: "back to the default"}[value]
        text = f"Observe mode for {where}: **{shown}**."
        if keep_text is not None:
            text += f" Message text with reports: **{'kept' if keep_text else 'not kept'}**."
        await interaction.response.send_message(text, ephemeral=True)

    @settings_group.command(name="reports", description="Nudges members reported as mistakes (/kind-reports list)")
    @owners_only(OWNERS_ONLY)
    async def reports(self, interaction: discord.Interaction[PrimumBot]) -> None:
        """The same pages as ``/kind-reports list``: one verdict per report (cogs/report_review.py)."""
        review = self.bot.get_cog("ReportReview")
        if review is None:
            await interaction.response.send_message("Report review is not running.", ephemeral=True)
            return
        await review.show_page(interaction, 0)  # type: ignore[attr-defined]

    async def sweep_now(self) -> None:
        """Run the outcome/retry sweep immediately (tests and the demo after moving a clock)."""
        await self.service.sweep()


async def setup(bot: PrimumBot) -> None:
    """Load the BeKind cog."""
    await bot.add_cog(BeKind(bot))

