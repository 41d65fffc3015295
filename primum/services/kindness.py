"""Be kind as a service: score, decide, nudge or hide, follow up on outcomes, answer the commands.

The cog turns Discord objects into :class:`MessageFacts` and implements :class:`KindnessPort` (the
few Discord side effects this feature needs); everything else happens here, so the whole feature
is testable with a fake port, a temp database, a fake clock and the ``FakeScorer``.

Order of work for a nudge: decide -> claim the nudge row (UNIQUE message id: never twice) ->
count the attempt (the intent) -> deliver (a DM; never a public note) with retries -> mark
delivered. A nudge that could not be delivered stays ``pending`` and the sweep retries it, so a
429 or a dropped connection loses nothing; before any retry of a nudge that was attempted before
(maybe by a process killed mid-send, or a reply lost on the way), the port looks in the author's
DMs for it (its buttons carry the nudge id) and marks it delivered instead of sending it twice.
Outcomes are stored with their deadline; the sweep classifies due ones as kept, on
start-up and periodically, so a restart loses none.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from primum import display
from primum.domain.counterspeech import Signals
from primum.domain.policy import (
    ACTIONABLE,
    HIDE_KEY,
    NUDGE_KEY,
    Action,
    AfterNudge,
    CategoryThresholds,
    Decision,
    Exemptions,
    KindnessStats,
    Level,
    NudgeFact,
    Outcome,
    Reason,
    ThresholdOverrides,
    aggregate,
    classify_outcome,
    decide,
    resolve_thresholds,
    still_over,
)
from primum.domain.privacy import KEPT_TEXT_RETENTION
from primum.domain.scored import ScoredMessage
from primum.domain.templates import PLACEHOLDERS, TemplateSet, category_label, validate_template
from primum.inference.protocol import KindnessScore, Overloaded, Scorer, ScorerState, ScorerUnavailable
from primum.runtime.clock import Clock
from primum.runtime.events import EventSink
from primum.services.conversation import ConversationPolicy
from primum.settings import KindnessSettings
from primum.storage.guild_settings import GuildSettingsRepository, category_scope, channel_scope
from primum.storage.kindness import KindnessRepository, NudgeRecord, UserData

log = logging.getLogger(__name__)

EXEMPT_CHANNELS_KEY = "kindness.exempt_channels"
EXEMPT_ROLES_KEY = "kindness.exempt_roles"
NUDGE_WINDOW_KEY = "kindness.nudge_window_s"
OUTCOME_WINDOW_KEY = "kindness.outcome_window_s"
MODLOG_TEXT_DAYS_KEY = "kindness.modlog_text_days"
MODLOG_CHANNEL_KEY = "mod_log_channel_id"
TEMPLATE_KEY_PREFIX = "kindness.template."

#: A hidden text that could not be DMed back is kept this long for ``/kind mydata`` (the same
#: retention as every kept text, appeal statements included).
RETURN_TEXT_RETENTION = KEPT_TEXT_RETENTION
#: Delivery retries inside one attempt (seconds between tries); the sweep retries after that.
DELIVERY_RETRY_DELAYS_S: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
#: After this many attempts in total a nudge is marked failed (and still counts for its outcome).
MAX_DELIVERY_ATTEMPTS = 12
#: How long to keep retrying a message the scorer refused because its queue was full.
OVERLOAD_RETRY_DELAYS_S: tuple[float, ...] = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0, 5.0)


# --- the Discord side, as the service sees it ----------------------------------------------------


class DmClosed(Exception):
    """The author does not accept DMs from this server (Discord error 50007)."""


class DeliveryFailed(Exception):
    """A transient failure (429 that outlived discord.py's retries, 5xx, dropped connection)."""


class DeliveryRefused(Exception):
    """Discord will not allow it (missing permission, channel gone); retrying will not help."""


@dataclass(frozen=True)
class Place:
    """How a message's location is shown to people (names and the jump link)."""

    guild_name: str
    channel_name: str
    jump_url: str


class KindnessPort(Protocol):
    """The Discord side effects be-kind needs; the cog implements it with discord.py."""

    def place(self, guild_id: int, channel_id: int, message_id: int) -> Place:
        """Names and jump link for a message (from the cache; never fails)."""
        ...

    async def send_nudge_dm(self, nudge: NudgeRecord, content: str) -> None:
        """DM the author with the nudge and its buttons; raise DmClosed, DeliveryFailed or DeliveryRefused."""
        ...

    async def send_nudge_note(self, nudge: NudgeRecord, content: str) -> None:
        """Reply in the channel without mentioning anyone, deleting itself after a minute."""
        ...

    async def find_sent_nudge(self, nudge: NudgeRecord) -> str | None:
        """Look for this nudge among Primum's recent DMs to the author ('dm') or its channel notes
        ('channel'); None when it is in neither. Raise DeliveryFailed when Discord cannot be asked."""
        ...

    async def delete_message(self, channel_id: int, message_id: int) -> bool:
        """Delete a message; False when it is already gone; raise DeliveryRefused or DeliveryFailed."""
        ...

    async def send_dm(self, user_id: int, content: str, attachment: str | None = None) -> bool:
        """DM someone (``attachment`` becomes a text file); False when their DMs are closed."""
        ...

    async def post_modlog(self, guild_id: int, content: str) -> tuple[int, int] | None:
        """Post in the guild's mod-log; return (channel id, message id), or None when there is none."""
        ...

    async def edit_modlog(self, channel_id: int, message_id: int, content: str) -> None:
        """Replace a mod-log post's content (to redact expired text)."""
        ...


# --- inputs and results --------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageFacts:
    """A guild message as plain values (the cog builds it; text is passed separately, never stored)."""

    guild_id: int
    channel_id: int
    message_id: int
    author_id: int
    created_at: datetime
    parent_ids: tuple[int, ...] = ()  # thread parent, then Discord category
    role_ids: frozenset[int] = frozenset()
    reply_to_author_id: int | None = None
    mentioned_ids: tuple[int, ...] = ()
    mentions_moderators: bool = False  # a moderator role or a moderator is mentioned (counter-speech)

    @property
    def channel_chain(self) -> tuple[int, ...]:
        """The channel, then its parents: the order in which channel settings apply."""
        return (self.channel_id, *self.parent_ids)


@dataclass(frozen=True)
class GuildPolicy:
    """A guild's be-kind configuration, resolved against the process defaults and the model card."""

    overrides: ThresholdOverrides
    exemptions: Exemptions
    nudge_window: timedelta
    outcome_window: timedelta
    default_nudge: float
    default_hide: float | None
    templates: TemplateSet
    modlog_text_days: int
    modlog_channel_id: int | None

    def thresholds_for(self, channel_chain: Sequence[int]) -> dict[str, CategoryThresholds]:
        """Per-category thresholds in a channel (guild → channel → category)."""
        return resolve_thresholds(
            self.overrides, channel_ids=channel_chain, default_nudge=self.default_nudge, default_hide=self.default_hide
        )


@dataclass(frozen=True)
class Handled:
    """What happened to one message or edit."""

    scored: ScoredMessage | None
    decision: Decision | None
    nudge: NudgeRecord | None = None
    outcome: Outcome | None = None
    skipped: str | None = None  # why the message was not scored (exempt, scorer unavailable)


@dataclass(frozen=True)
class ResponseResult:
    """The answer to a button press."""

    ok: bool
    message: str


@dataclass(frozen=True)
class StatsView:
    """What ``/kind stats`` shows."""

    stats: KindnessStats
    hides: int
    open_reports: int
    since: datetime


# --- the service ---------------------------------------------------------------------------------


@dataclass
class KindnessService:
    """Everything be-kind does, minus Discord."""

    repo: KindnessRepository
    guild_settings: GuildSettingsRepository
    settings: KindnessSettings
    scorer: Scorer
    clock: Clock
    events: EventSink
    port: KindnessPort | None = None
    retry_delays_s: tuple[float, ...] = DELIVERY_RETRY_DELAYS_S
    overload_delays_s: tuple[float, ...] = OVERLOAD_RETRY_DELAYS_S
    on_scored: Callable[[ScoredMessage], None] | None = None
    load_wait_s: float = 60.0
    scored_count: int = 0
    _policies: dict[int, GuildPolicy] = field(default_factory=dict)
    _degraded_reported: set[int] = field(default_factory=set)
    _own_deletions: set[int] = field(default_factory=set)
    _sweeper: asyncio.Task[None] | None = None
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _delivering: set[int] = field(default_factory=set)
    _author_locks: dict[tuple[int, int], asyncio.Lock] = field(default_factory=dict)
    conversation: ConversationPolicy | None = None

    def _port(self) -> KindnessPort:
        if self.port is None:
            raise RuntimeError("KindnessService.port is not set (the cog sets it in cog_load)")
        return self.port

    # --- configuration ------------------------------------------------------------------------

    def invalidate(self, guild_id: int) -> None:
        """Forget the cached policy after an owner changed a setting."""
        self._policies.pop(guild_id, None)

    async def policy(self, guild_id: int) -> GuildPolicy:
        """The guild's policy (cached; one settings query per guild until a setting changes)."""
        cached = self._policies.get(guild_id)
        if cached is not None:
            return cached
        stored = await self.guild_settings.all_for_guild(guild_id)
        overrides = _overrides_from(stored)
        model = self.scorer.thresholds
        default_nudge = self.settings.nudge_threshold if self.settings.nudge_threshold is not None else model.nudge
        policy = GuildPolicy(
            overrides=overrides,
            exemptions=Exemptions(
                channel_ids=frozenset(int(x) for x in stored.get(("", EXEMPT_CHANNELS_KEY), []) or []),
                role_ids=frozenset(int(x) for x in stored.get(("", EXEMPT_ROLES_KEY), []) or []),
            ),
            nudge_window=_seconds(stored.get(("", NUDGE_WINDOW_KEY)), self.settings.nudge_window_minutes * 60),
            outcome_window=_seconds(
                stored.get(("", OUTCOME_WINDOW_KEY)), self.settings.outcome_window_minutes * 60, minimum=1
            ),
            default_nudge=default_nudge,
            default_hide=self.settings.hide_threshold,
            templates=TemplateSet(
                {
                    key.removeprefix(TEMPLATE_KEY_PREFIX): str(value)
                    for (scope, key), value in stored.items()
                    if scope == "" and key.startswith(TEMPLATE_KEY_PREFIX)
                }
            ),
            modlog_text_days=int(stored.get(("", MODLOG_TEXT_DAYS_KEY), 0) or 0),
            modlog_channel_id=_opt_int(stored.get(("", MODLOG_CHANNEL_KEY))),
        )
        self._policies[guild_id] = policy
        return policy

    async def set_threshold(
        self, guild_id: int, which: str, level: Level, *, actor_id: int,
        channel_id: int | None = None, category: str | None = None,
    ) -> None:
        """Store (or clear) a nudge/hide threshold for the guild, a channel or a category."""
        if which not in {"nudge", "hide"}:
            raise ValueError("which must be 'nudge' or 'hide'")
        if channel_id is not None and category is not None:
            raise ValueError("give a channel or a category, not both")
        if category is not None and category not in ACTIONABLE:
            raise ValueError(f"unknown category {category!r}; use one of {', '.join(ACTIONABLE)}")
        key = NUDGE_KEY if which == "nudge" else HIDE_KEY
        scope = channel_scope(channel_id) if channel_id is not None else (
            category_scope(category) if category is not None else "")
        if level.is_set:
            value: object = "off" if level.off else level.value
            await self.guild_settings.set(guild_id, key, value, now=self.clock.now(), scope=scope, updated_by=actor_id)
        else:
            await self.guild_settings.unset(guild_id, key, scope)
        self.invalidate(guild_id)

    async def set_exempt(self, guild_id: int, kind: str, target_id: int, exempt: bool, *, actor_id: int) -> bool:
        """Add or remove an exempt channel or role; return whether anything changed."""
        key = EXEMPT_CHANNELS_KEY if kind == "channel" else EXEMPT_ROLES_KEY
        current = {int(x) for x in (await self.guild_settings.get(guild_id, key) or [])}
        updated = current | {target_id} if exempt else current - {target_id}
        if updated == current:
            return False
        await self.guild_settings.set(guild_id, key, sorted(updated), now=self.clock.now(), updated_by=actor_id)
        self.invalidate(guild_id)
        return True

    async def set_window(self, guild_id: int, which: str, duration: timedelta | None, *, actor_id: int) -> None:
        """Set the per-author nudge window or the outcome window (None restores the default)."""
        key = NUDGE_WINDOW_KEY if which == "nudge" else OUTCOME_WINDOW_KEY
        if duration is None:
            await self.guild_settings.unset(guild_id, key)
        else:
            seconds = int(duration.total_seconds())
            await self.guild_settings.set(guild_id, key, seconds, now=self.clock.now(), updated_by=actor_id)
        self.invalidate(guild_id)

    async def set_template(self, guild_id: int, name: str, text: str | None, *, actor_id: int) -> str:
        """Store a validated template (None restores the default); return the template now in use."""
        key = TEMPLATE_KEY_PREFIX + name
        if name not in PLACEHOLDERS:
            raise ValueError(f"unknown template {name!r}")
        if text is None:
            await self.guild_settings.unset(guild_id, key)
        else:
            cleaned = validate_template(name, text)
            await self.guild_settings.set(guild_id, key, cleaned, now=self.clock.now(), updated_by=actor_id)
        self.invalidate(guild_id)
        return (await self.policy(guild_id)).templates.get(name)

    async def set_modlog_text(self, guild_id: int, days: int, *, actor_id: int) -> None:
        """Opt in (days > 0: keep text that long) or out (0) of message text in the mod-log."""
        if not 0 <= days <= 90:
            raise ValueError("retention must be 0 (off) to 90 days")
        await self.guild_settings.set(guild_id, MODLOG_TEXT_DAYS_KEY, days, now=self.clock.now(), updated_by=actor_id)
        self.invalidate(guild_id)

    # --- scoring ------------------------------------------------------------------------------

    async def score(self, text: str) -> KindnessScore:
        """Score one text; wait out loading and a full queue (backpressure) rather than leave it unscored."""
        for _ in range(int(self.load_wait_s / 0.1)):
            if self.scorer.state is not ScorerState.LOADING:
                break
            await asyncio.sleep(0.1)
        for delay in (*self.overload_delays_s, None):
            try:
                (result,) = await self.scorer.score([text])
                return result
            except Overloaded:
                if delay is None:
                    raise
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def report_degraded(self, guild_id: int) -> None:
        """Tell the guild's mod-log, once per process, that messages are not being scored."""
        if guild_id in self._degraded_reported:
            return
        self._degraded_reported.add(guild_id)
        log.warning("be-kind scorer unavailable; reporting to guild %s", guild_id)
        policy = await self.policy(guild_id)
        place = self._port().place(guild_id, 0, 0)
        text = policy.templates.render("degraded_modlog", guild=place.guild_name)
        self.events.emit("scorer_degraded", guild_id=guild_id)
        try:
            posted = await self._port().post_modlog(guild_id, text)
        except (DeliveryFailed, DeliveryRefused) as error:
            log.warning("could not report the degraded scorer to guild %s: %s", guild_id, error)
            return
        if posted is None:
            log.warning("guild %s has no mod-log channel to report the degraded scorer to", guild_id)

    # --- messages -----------------------------------------------------------------------------

    async def exempt_reason(self, facts: MessageFacts) -> Reason | None:
        """Why this message is not scored at all, or None."""
        policy = await self.policy(facts.guild_id)
        return policy.exemptions.exempt_reason(facts.channel_chain, facts.role_ids)

    async def handle_message(
        self, facts: MessageFacts, text: str, *, edited: bool = False, may_nudge: bool = True, may_heat: bool = True
    ) -> Handled:
        """Score a new or edited message and act: nothing, a nudge, or hiding it.

        Catch-up passes ``may_nudge=False`` for a missed message too old to nudge about, and
        ``may_heat=False`` for one too old to feed de-escalation.
        """
        exempt = await self.exempt_reason(facts)
        if exempt is not None:
            return Handled(None, None, skipped=exempt.value)
        try:
            result = await self.score(text)
        except ScorerUnavailable:
            if self.scorer.state is not ScorerState.DEGRADED:  # still loading: not a failure to report
                log.info("be-kind scorer not ready (%s); message %s not scored", self.scorer.state, facts.message_id)
                return Handled(None, None, skipped="scorer_loading")
            await self.report_degraded(facts.guild_id)
            return Handled(None, None, skipped="scorer_unavailable")
        except Overloaded:
            log.warning("scorer stayed overloaded; message %s left unscored", facts.message_id)
            return Handled(None, None, skipped="overloaded")
        self.scored_count += 1
        policy = await self.policy(facts.guild_id)
        now = self.clock.now()
        thresholds = policy.thresholds_for(facts.channel_chain)
        existing = await self.repo.nudge_by_message(facts.message_id) if edited else None
        outcome: Outcome | None = None
        if existing is not None and existing.outcome is None:
            outcome = await self._edit_after_nudge(existing, result, thresholds, now)
        author_key = (facts.guild_id, facts.author_id)
        conversation = self.conversation
        observing = conversation is not None and await conversation.observing(facts.guild_id, facts.channel_chain)
        lock = self._author_locks.setdefault(author_key, asyncio.Lock())
        async with lock:  # the window check and the claim must not interleave for one author
            since = now - policy.nudge_window
            recent = await self.repo.recent_nudge_times(facts.guild_id, facts.author_id, since)
            earlier: list[str] = []
            if conversation is not None:
                extra, earlier = await conversation.window(facts.guild_id, facts.author_id, since, observing=observing)
                recent = sorted([*recent, *extra])
            decision = decide(
                result.score, result.categories, thresholds,
                recent_nudges=recent, now=now, nudge_window=policy.nudge_window, already_nudged=existing is not None,
                recent_categories=earlier,
            )
            nudge: NudgeRecord | None = None
            if observing and conversation is not None and may_nudge:
                place = self._port().place(facts.guild_id, facts.channel_id, facts.message_id)
                await conversation.report_would(
                    guild_id=facts.guild_id, channel_id=facts.channel_id, message_id=facts.message_id,
                    author_id=facts.author_id, decision=decision, model_version=result.model_version, text=text,
                    channel_name=place.channel_name,
                )
            elif (decision.action is Action.NUDGE and may_nudge and decision.category is not None
                    and decision.threshold is not None):
                nudge = await self.repo.claim_nudge(
                    guild_id=facts.guild_id, channel_id=facts.channel_id, message_id=facts.message_id,
                    author_id=facts.author_id, category=decision.category, score=decision.score,
                    threshold=decision.threshold, model_version=result.model_version, created_at=now,
                    deadline=now + policy.outcome_window,
                )
        if not lock.locked() and self._author_locks.get(author_key) is lock:
            del self._author_locks[author_key]
        flag = None
        if conversation is not None:
            flag = await conversation.flagging(
                guild_id=facts.guild_id, author_id=facts.author_id, text=text, score=result.score,
                categories=result.categories, thresholds=thresholds, now=now,
                signals=Signals(mentions_moderators=facts.mentions_moderators), observing=observing,
            )
        scored = ScoredMessage(
            guild_id=facts.guild_id, channel_id=facts.channel_id, message_id=facts.message_id,
            author_id=facts.author_id, created_at=facts.created_at, reply_to_author_id=facts.reply_to_author_id,
            mentioned_ids=facts.mentioned_ids, score=result.score, categories=dict(result.categories),
            nudged=nudge is not None, author_nudges_recent=decision.recent_nudges,
            flagged=flag.flagged if flag is not None else None, threshold=flag.threshold if flag else None,
            counterspeech=flag.counterspeech if flag else False, nudge_seen_at=flag.nudge_seen_at if flag else None,
            disputed=flag.disputed if flag else False, observe=observing,
        )
        if self.on_scored is not None and may_heat:
            self.on_scored(scored)
        if flag is not None and conversation is not None:
            place = self._port().place(facts.guild_id, facts.channel_id, facts.message_id)
            await conversation.alert_threat(
                guild_id=facts.guild_id, channel_id=facts.channel_id, message_id=facts.message_id,
                author_id=facts.author_id, flag=flag, score=result.score,
                hidden=decision.action is Action.HIDE, observing=observing,  # a (would-be) hide reports itself
                templates=policy.templates, channel_name=place.channel_name, jump_url=place.jump_url,
                post=self._port().post_modlog, now=now,
            )
        if observing:
            return Handled(scored, decision, None, outcome)
        if nudge is not None:
            self._wake.set()  # the sweep re-computes when the earliest deadline is
            self.events.emit(
                "nudge", guild_id=nudge.guild_id, channel_id=nudge.channel_id, message_id=nudge.message_id,
                author_id=nudge.author_id, category=nudge.category, score=round(nudge.score, 4),
                threshold=nudge.threshold, nudge_id=nudge.id, edited=edited,
            )
            await self.deliver(nudge)
        elif decision.action is Action.HIDE:
            await self._hide(facts, text, decision, result, policy)
        return Handled(scored, decision, nudge, outcome)

    async def _edit_after_nudge(
        self, nudge: NudgeRecord, result: KindnessScore, thresholds: Mapping[str, Any], now: datetime
    ) -> Outcome | None:
        over = still_over(result.categories, result.score, thresholds)
        happened = AfterNudge.EDITED_STILL_OVER if over else AfterNudge.EDITED_BELOW
        outcome = classify_outcome(happened, at=now, deadline=nudge.deadline)
        if outcome is None:
            await self.repo.note_edit_score(nudge.id, result.score)
            return None
        if await self.repo.resolve(nudge.id, outcome.value, now, edit_score=result.score):
            self._emit_outcome(nudge, outcome, now)
            return outcome
        return None

    async def handle_deleted(self, message_id: int) -> Outcome | None:
        """A message was deleted: a nudged one within its window was withdrawn."""
        if message_id in self._own_deletions:
            self._own_deletions.discard(message_id)
            return None
        nudge = await self.repo.nudge_by_message(message_id)
        if nudge is None or nudge.outcome is not None:
            return None
        now = self.clock.now()
        outcome = classify_outcome(AfterNudge.DELETED, at=now, deadline=nudge.deadline)
        if outcome is not None and await self.repo.resolve(nudge.id, outcome.value, now):
            self._emit_outcome(nudge, outcome, now)
            return outcome
        return None

    def _emit_outcome(self, nudge: NudgeRecord, outcome: Outcome, now: datetime) -> None:
        self.events.emit(
            "nudge_outcome", guild_id=nudge.guild_id, channel_id=nudge.channel_id, message_id=nudge.message_id,
            author_id=nudge.author_id, nudge_id=nudge.id, outcome=outcome.value, category=nudge.category,
            seconds_after_nudge=round((now - nudge.created_at).total_seconds(), 3),
        )

    # --- delivery -----------------------------------------------------------------------------

    async def deliver(self, nudge: NudgeRecord) -> str:
        """Send a claimed nudge by DM (closed DMs: kept private, nothing public); retry transient failures.

        Returns 'dm', 'dm_closed' (kept private: nothing is posted in the channel), 'failed' or
        'pending' (left for the sweep to retry).
        """
        if nudge.id in self._delivering:
            return "pending"
        self._delivering.add(nudge.id)
        try:
            return await self._deliver(nudge)
        finally:
            self._delivering.discard(nudge.id)

    async def _deliver(self, nudge: NudgeRecord) -> str:
        policy = await self.policy(nudge.guild_id)
        place = self._port().place(nudge.guild_id, nudge.channel_id, nudge.message_id)
        values = {
            "category": category_label(nudge.category), "jump_url": place.jump_url, "channel": place.channel_name,
            "guild": place.guild_name, "window": display.duration_words(nudge.deadline - nudge.created_at),
        }
        attempts = nudge.attempts
        sent_before = attempts > 0  # an earlier attempt (maybe in a killed process) may have landed
        for delay in (*self.retry_delays_s, None):
            try:
                if sent_before:
                    found = await self._port().find_sent_nudge(nudge)
                    if found is not None:
                        log.info("nudge %d was already delivered (%s) before a restart or lost reply", nudge.id, found)
                        await self.repo.mark_delivered(nudge.id, found, self.clock.now())
                        self.events.emit("nudge_delivery", nudge_id=nudge.id, via=found,
                                         message_id=nudge.message_id, reconciled=True)
                        return found
                # Intent first: a crash after this point makes the next attempt look before it sends.
                attempts = await self.repo.note_attempt(nudge.id)
                sent_before = True
                try:
                    await self._port().send_nudge_dm(nudge, policy.templates.render("nudge_dm", **values))
                    via = "dm"
                except DmClosed:
                    # Private or nothing: a reply in the channel would point everyone at the message.
                    # The nudge stays on the member's /standing; it never starts a cooldown grace period.
                    log.info("nudge %d: the author's DMs are closed; kept private on their /standing", nudge.id)
                    await self.repo.mark_delivered(nudge.id, "failed", self.clock.now())
                    self.events.emit("nudge_delivery", nudge_id=nudge.id, via="dm_closed",
                                     message_id=nudge.message_id)
                    return "dm_closed"
            except DeliveryRefused as error:
                log.warning("nudge %d could not be delivered: %s", nudge.id, error)
                await self.repo.mark_delivered(nudge.id, "failed", self.clock.now())
                self.events.emit("nudge_delivery", nudge_id=nudge.id, via="failed", reason=str(error))
                return "failed"
            except DeliveryFailed as error:
                if attempts >= MAX_DELIVERY_ATTEMPTS:
                    await self.repo.mark_delivered(nudge.id, "failed", self.clock.now())
                    log.warning("nudge %d: gave up after %d attempts (%s)", nudge.id, attempts, error)
                    return "failed"
                if delay is None:
                    log.warning("nudge %d: delivery failed (%s); the sweep will retry", nudge.id, error)
                    return "pending"
                log.info("nudge %d: delivery failed (%s); retrying in %.1f s", nudge.id, error, delay)
                await asyncio.sleep(delay)
                continue
            await self.repo.mark_delivered(nudge.id, via, self.clock.now())
            self.events.emit("nudge_delivery", nudge_id=nudge.id, via=via, message_id=nudge.message_id)
            return via
        return "pending"  # pragma: no cover

    # --- hiding -------------------------------------------------------------------------------

    async def _hide(
        self, facts: MessageFacts, text: str, decision: Decision, result: KindnessScore, policy: GuildPolicy
    ) -> None:
        assert decision.category is not None and decision.threshold is not None
        now = self.clock.now()
        record = await self.repo.record_hide(
            guild_id=facts.guild_id, channel_id=facts.channel_id, message_id=facts.message_id,
            author_id=facts.author_id, category=decision.category, score=decision.score,
            threshold=decision.threshold, model_version=result.model_version, created_at=now,
        )
        if record is None:
            return
        port = self._port()
        self._own_deletions.add(facts.message_id)
        try:
            deleted = await port.delete_message(facts.channel_id, facts.message_id)
        except (DeliveryRefused, DeliveryFailed) as error:
            self._own_deletions.discard(facts.message_id)
            log.warning("could not hide message %s: %s", facts.message_id, error)
            deleted = False
        place = port.place(facts.guild_id, facts.channel_id, facts.message_id)
        label = category_label(decision.category)
        returned = False
        if deleted:
            dm = policy.templates.render(
                "hide_dm", category=label, channel=place.channel_name, guild=place.guild_name,
                jump_url=place.jump_url, text=text,
            )
            attachment = None
            if len(dm) > 2000:
                dm = policy.templates.render(
                    "hide_dm", category=label, channel=place.channel_name, guild=place.guild_name,
                    jump_url=place.jump_url, text="(your full text is attached)",
                )
                attachment = text
            returned = await self._retrying(lambda: port.send_dm(facts.author_id, dm[:2000], attachment), False)
            if returned:
                await self.repo.mark_hide_returned(record.id)
            else:
                await self.repo.keep_text(
                    message_id=facts.message_id, purpose="return", guild_id=facts.guild_id,
                    author_id=facts.author_id, text=text, created_at=now, expires_at=now + RETURN_TEXT_RETENTION,
                )
        modlog = policy.templates.render(
            "hide_modlog", category=decision.category, channel=place.channel_name, guild=place.guild_name,
            score=f"{decision.score:.2f}",
        )
        scores = ", ".join(f"{name} {result.categories.get(name, 0.0):.2f}" for name in ACTIONABLE)
        modlog += f"\nAuthor <@{facts.author_id}> · message {facts.message_id} · scores: {scores} · threshold " \
                  f"{decision.threshold:.2f} · text returned by DM: {'yes' if returned else 'no'}"
        if not deleted:
            modlog += "\n(Primum could not delete the message: check its Manage Messages permission.)"
        if policy.modlog_text_days > 0:
            quoted = text[:1200].replace("\n", "\n> ")
            modlog += f"\n> {quoted}\n(text shown because this server opted in; redacted after " \
                      f"{policy.modlog_text_days} day(s))"
            await self.repo.keep_text(
                message_id=facts.message_id, purpose="modlog", guild_id=facts.guild_id, author_id=facts.author_id,
                text=text, created_at=now, expires_at=now + timedelta(days=policy.modlog_text_days),
            )
        posted = await self._retrying(lambda: port.post_modlog(facts.guild_id, modlog[:2000]), None)
        if posted is not None:
            await self.repo.set_hide_modlog(record.id, posted[0], posted[1])
        self.events.emit(
            "hide", guild_id=facts.guild_id, channel_id=facts.channel_id, message_id=facts.message_id,
            author_id=facts.author_id, category=decision.category, score=round(decision.score, 4),
            threshold=decision.threshold, deleted=deleted, returned=returned, modlog=posted is not None,
        )

    async def _retrying(self, call: Callable[[], Awaitable[Any]], failed: Any) -> Any:
        for delay in (*self.retry_delays_s, None):
            try:
                return await call()
            except DeliveryFailed as error:
                if delay is None:
                    log.warning("giving up after retries: %s", error)
                    return failed
                await asyncio.sleep(delay)
            except DeliveryRefused as error:
                log.warning("refused: %s", error)
                return failed
        return failed  # pragma: no cover

    # --- buttons ------------------------------------------------------------------------------

    async def respond(self, nudge_id: int, user_id: int, response: str) -> ResponseResult:
        """Record the author's answer to a nudge ("I'll edit it", "Keep it as is", "This was a mistake")."""
        nudge = await self.repo.nudge(nudge_id)
        if nudge is None:
            return ResponseResult(False, "This nudge no longer exists (its data may have been deleted).")
        if nudge.author_id != user_id:
            return ResponseResult(False, "Only the author of the message can answer this note.")
        first = await self.repo.set_response(nudge_id, response)
        now = self.clock.now()
        if response == "mistake":
            reported = await self.repo.report_mistake(nudge, now)
            if reported:
                self.events.emit(
                    "nudge_report", guild_id=nudge.guild_id, channel_id=nudge.channel_id,
                    message_id=nudge.message_id, nudge_id=nudge.id, category=nudge.category,
                )
            return ResponseResult(
                True, "Thank you — the owners will review it. Nothing happens to you or your message."
            )
        self.events.emit("nudge_response", nudge_id=nudge.id, response=response, first=first)
        if response == "will_edit":
            return ResponseResult(True, "Thank you. Edit it any time in the next few minutes; nothing else happens.")
        return ResponseResult(True, "Understood. Your message stays as it is; nothing else happens.")

    # --- the sweep: outcomes, retries, text expiry --------------------------------------------

    async def sweep(self) -> list[NudgeRecord]:
        """Resolve due nudges as kept, retry undelivered ones, expire kept text; return the nudges resolved."""
        now = self.clock.now()
        resolved: list[NudgeRecord] = []
        for nudge in await self.repo.due(now):
            outcome = classify_outcome(AfterNudge.WINDOW_EXPIRED, at=now, deadline=nudge.deadline)
            if outcome is not None and await self.repo.resolve(nudge.id, outcome.value, now):
                self._emit_outcome(nudge, outcome, now)
                resolved.append(nudge)
        for nudge in await self.repo.undelivered(now - timedelta(seconds=sum(self.retry_delays_s) + 5)):
            if nudge.id not in self._delivering:
                await self.deliver(nudge)
        for expired in await self.repo.purge_expired_texts(now):
            if expired.modlog_channel_id is not None and expired.modlog_message_id is not None and self.port:
                with contextlib.suppress(DeliveryFailed, DeliveryRefused):
                    await self.port.edit_modlog(
                        expired.modlog_channel_id, expired.modlog_message_id,
                        "**Be-kind: message hidden** (details and text redacted after the retention period)",
                    )
        return resolved

    def start(self, interval_s: float = 5.0) -> None:
        """Run the sweep now and then every ``interval_s`` (or sooner when poked)."""
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = asyncio.create_task(self._sweep_loop(interval_s), name="kindness-sweep")

    def poke(self) -> None:
        """Make the sweep run now (tests after moving a fake clock)."""
        self._wake.set()

    async def stop(self) -> None:
        """Stop the periodic sweep (open nudges stay in the database for the next start)."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
            self._sweeper = None

    async def _sweep_loop(self, interval_s: float) -> None:
        while True:
            self._wake.clear()
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("be-kind sweep failed; trying again in %.0f s", interval_s)
            delay = interval_s
            upcoming = await self.repo.next_deadline()
            if upcoming is not None:
                delay = min(delay, max((upcoming - self.clock.now()).total_seconds(), 0.05))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    # --- reading ------------------------------------------------------------------------------

    async def stats(self, guild_id: int, weeks: int = 8) -> StatsView:
        """Nudges, outcomes and reports per channel and week, for ``/kind stats``."""
        since = self.clock.now() - timedelta(weeks=weeks)
        rows = await self.repo.stat_rows(guild_id, since)
        facts = [
            NudgeFact(row.channel_id, row.created_at, Outcome(row.outcome) if row.outcome else None, row.reported)
            for row in rows
        ]
        return StatsView(
            stats=aggregate(facts),
            hides=await self.repo.hide_count(guild_id, since),
            open_reports=len(await self.repo.open_reports(guild_id, limit=1000)),
            since=since,
        )

    async def user_data(self, guild_id: int, user_id: int) -> UserData:
        """Everything be-kind holds about a member, for ``/kind mydata``."""
        return await self.repo.user_data(guild_id, user_id, self.clock.now())

    async def forget(self, guild_id: int, user_id: int, *, actor_id: int) -> int:
        """Delete a member's be-kind data (``/kind forgetme`` or a moderator's ``/kind forget``)."""
        removed = await self.repo.forget_user(guild_id, user_id)
        if self.conversation is not None:
            removed += await self.conversation.repo.forget_user(guild_id, user_id)
        self.events.emit("forget", guild_id=guild_id, user_id=user_id, actor_id=actor_id, rows=removed)
        return removed


def _overrides_from(stored: Mapping[tuple[str, str], Any]) -> ThresholdOverrides:
    channel_nudge: dict[int, Level] = {}
    channel_hide: dict[int, Level] = {}
    category_nudge: dict[str, Level] = {}
    category_hide: dict[str, Level] = {}
    guild_nudge = guild_hide = Level()
    for (scope, key), value in stored.items():
        if key not in {NUDGE_KEY, HIDE_KEY}:
            continue
        level = Level.from_stored(value)
        if key == NUDGE_KEY and level.off:
            level = Level()  # nudging cannot be switched off by threshold; exempt the channel instead
        nudge = key == NUDGE_KEY
        if scope == "":
            if nudge:
                guild_nudge = level
            else:
                guild_hide = level
        elif scope.startswith("channel:"):
            (channel_nudge if nudge else channel_hide)[int(scope.split(":", 1)[1])] = level
        elif scope.startswith("category:"):
            (category_nudge if nudge else category_hide)[scope.split(":", 1)[1]] = level
    return ThresholdOverrides(guild_nudge, guild_hide, channel_nudge, channel_hide, category_nudge, category_hide)


def _seconds(value: Any, default_s: int, minimum: int = 0) -> timedelta:
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return timedelta(seconds=value)
    return timedelta(seconds=max(default_s, minimum))


def _opt_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
