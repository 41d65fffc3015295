"""Be kind as a service: score each message, decide, nudge or hide, and follow up on outcomes.

The cog turns Discord objects into :class:`MessageFacts` and implements
:class:`~primum.services.kindness_port.KindnessPort` (the few Discord side effects this feature
needs); everything else happens here and in the ``kindness_*`` modules beside it, so the whole
feature is testable with a fake port, a temp database, a fake clock and the ``FakeScorer``:
``kindness_policy`` (a server's settings), ``kindness_delivery`` (a nudge, exactly once),
``kindness_hiding`` (a hide, exactly once, resumed after a crash), ``kindness_outcomes`` (what
came of a nudge) and ``kindness_records`` (statistics, a member's data, forget).

Order of work for a nudge: decide -> claim the nudge row (UNIQUE message id: never twice) ->
deliver it (:func:`~primum.services.kindness_delivery.deliver_nudge`). Outcomes are stored with
their deadline; the sweep classifies due ones as kept, retries undelivered nudges, finishes hides a
crash interrupted and expires kept text, on start-up and periodically, so a restart loses none.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from primum.domain.counterspeech import Signals
from primum.domain.fragments import FragmentRuns
from primum.domain.policy import (
    Action,
    AfterNudge,
    CategoryThresholds,
    Decision,
    Outcome,
    Reason,
    decide,
    still_over,
)
from primum.domain.scored import ScoredMessage
from primum.inference.lists import VIOLENCE
from primum.inference.protocol import KindnessScore, Overloaded, Scorer, ScorerState, ScorerUnavailable
from primum.runtime.clock import Clock
from primum.runtime.events import EventSink
from primum.runtime.tasks import cancel_and_wait
from primum.services.conversation import ConversationPolicy
from primum.services.kindness_delivery import deliver_nudge
from primum.services.kindness_hiding import HideRequest, Hiding, hide_cutoff
from primum.services.kindness_outcomes import settle
from primum.services.kindness_policy import GuildPolicy, KindnessPolicies
from primum.services.kindness_port import DELIVERY_RETRY_DELAYS_S, DeliveryFailed, DeliveryRefused, KindnessPort
from primum.services.kindness_records import KindnessRecords
from primum.services.kindness_responses import ResponseResult, respond
from primum.settings import KindnessSettings
from primum.storage.guild_settings import GuildSettingsRepository
from primum.storage.kindness import KindnessRepository, NudgeRecord
from primum.storage.kindness_hides import HideRepository

log = logging.getLogger(__name__)

#: How long to keep retrying a message the scorer refused because its queue was full.
OVERLOAD_RETRY_DELAYS_S: tuple[float, ...] = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0, 5.0)


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
    reply_to_message_id: int | None = None
    mentioned_ids: tuple[int, ...] = ()
    mentions_moderators: bool = False  # a moderator role or a moderator is mentioned (counter-speech)

    @property
    def channel_chain(self) -> tuple[int, ...]:
        """The channel, then its parents: the order in which channel settings apply."""
        return (self.channel_id, *self.parent_ids)


@dataclass(frozen=True)
class Handled:
    """What happened to one message or edit."""

    scored: ScoredMessage | None
    decision: Decision | None
    nudge: NudgeRecord | None = None
    outcome: Outcome | None = None
    skipped: str | None = None  # why the message was not scored (exempt, scorer unavailable)


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
    _degraded_reported: set[int] = field(default_factory=set)
    _own_deletions: set[int] = field(default_factory=set)
    _sweeper: asyncio.Task[None] | None = None
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _delivering: set[int] = field(default_factory=set)
    _author_locks: dict[tuple[int, int], asyncio.Lock] = field(default_factory=dict)
    _hiding: set[int] = field(default_factory=set)
    conversation: ConversationPolicy | None = None
    fragments: FragmentRuns = field(default_factory=FragmentRuns)

    def __post_init__(self) -> None:
        self.policies = KindnessPolicies(self.guild_settings, self.settings, self.scorer, self.clock)
        self.hides = HideRepository(self.repo.db)
        self.records = KindnessRecords(self.repo, self.hides, self.clock, self.events, lambda: self.conversation,
                                       self.fragments)

    def _port(self) -> KindnessPort:
        if self.port is None:
            raise RuntimeError("KindnessService.port is not set (the cog sets it in cog_load)")
        return self.port

    def invalidate(self, guild_id: int) -> None:
        """Forget the cached policy after an owner changed a setting."""
        self.policies.invalidate(guild_id)

    async def policy(self, guild_id: int) -> GuildPolicy:
        """The guild's policy (see :class:`~primum.services.kindness_policy.KindnessPolicies`)."""
        return await self.policies.policy(guild_id)

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

    async def _score_run(
        self, facts: MessageFacts, text: str, policy: GuildPolicy, thresholds: Mapping[str, CategoryThresholds]
    ) -> KindnessScore | None:
        """The score of the author's run of quick short messages ending with this one (``domain.fragments``)
        when this piece is what takes the run over the nudge cut-off; else None.

        Why only then: once the run has crossed, each further piece ("lol", "ok") would count the
        same line again as a new unkind message, for the nudge window and for channel heat.
        """
        key = (facts.guild_id, facts.channel_id, facts.author_id)
        found = self.fragments.add(key, facts.created_at, text)
        if found is None:
            return None
        try:
            run = await self.score(found.text)
        except (ScorerUnavailable, Overloaded):
            return None
        run = policy.counted(run)
        over = still_over(run.categories, run.score, thresholds)
        self.fragments.record(key, over=over)
        return run if over and not found.was_over else None

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
        result = policy.counted(result)  # without the documented-codes lift if the owner turned it off
        now = self.clock.now()
        thresholds = policy.thresholds_for(facts.channel_chain)
        run = None if edited else await self._score_run(facts, text, policy, thresholds)
        if run is not None and run.score > result.score:
            # one line sent in pieces reads as the line: nudge on it, but hide only on this piece alone
            result = replace(run, model_only=result.model_only or result)
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
                hide_basis=None if result.model_only is None else (result.model_only.score,
                                                                   result.model_only.categories),
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
            reply_to_message_id=facts.reply_to_message_id,
        )
        if self.on_scored is not None and may_heat:
            self.on_scored(scored)
        if flag is not None and conversation is not None:
            place = self._port().place(facts.guild_id, facts.channel_id, facts.message_id)
            await conversation.alert_threat(
                guild_id=facts.guild_id, channel_id=facts.channel_id, message_id=facts.message_id,
                author_id=facts.author_id, flag=flag, score=result.score, threat=result.categories.get("threat", 0.0),
                hidden=decision.action is Action.HIDE, observing=observing,  # a (would-be) hide reports itself
                listed=result.lifted_by == VIOLENCE,
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
        elif decision.action is Action.HIDE and decision.category is not None and decision.threshold is not None:
            await self._hide(HideRequest(
                guild_id=facts.guild_id, channel_id=facts.channel_id, message_id=facts.message_id,
                author_id=facts.author_id, category=decision.category, score=decision.score,
                threshold=decision.threshold, model_version=result.model_version, scores=result.categories,
            ), text, policy)
        return Handled(scored, decision, nudge, outcome)

    async def _edit_after_nudge(
        self, nudge: NudgeRecord, result: KindnessScore, thresholds: Mapping[str, Any], now: datetime
    ) -> Outcome | None:
        over = still_over(result.categories, result.score, thresholds)
        happened = AfterNudge.EDITED_STILL_OVER if over else AfterNudge.EDITED_BELOW
        return await settle(self.repo, self.events, nudge, happened, now, edit_score=result.score)

    async def handle_deleted(self, message_id: int) -> Outcome | None:
        """A message was deleted: a nudged one within its window was withdrawn."""
        if message_id in self._own_deletions:
            self._own_deletions.discard(message_id)
            return None
        nudge = await self.repo.nudge_by_message(message_id)
        if nudge is None or nudge.outcome is not None:
            return None
        return await settle(self.repo, self.events, nudge, AfterNudge.DELETED, self.clock.now())

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
            return await deliver_nudge(
                nudge, repo=self.repo, port=self._port(), policy=await self.policy(nudge.guild_id), clock=self.clock,
                events=self.events, retry_delays_s=self.retry_delays_s,
            )
        finally:
            self._delivering.discard(nudge.id)

    # --- hiding -------------------------------------------------------------------------------

    def _hider(self) -> Hiding:
        return Hiding(self.hides, self._port(), self.clock, self.events, self.retry_delays_s, self._own_deletions)

    async def _hide(self, request: HideRequest, text: str, policy: GuildPolicy) -> None:
        self._hiding.add(request.message_id)
        try:
            await self._hider().hide(request, text, policy)
        finally:
            self._hiding.discard(request.message_id)

    async def resume_hides(self) -> int:
        """Finish hides a crash interrupted (each remaining step once); return how many were finished."""
        finished = 0
        for record in await self.hides.unfinished(hide_cutoff(self.clock.now(), self.retry_delays_s)):
            if record.message_id in self._hiding:
                continue
            self._hiding.add(record.message_id)
            try:
                finished += await self._hider().resume(record, await self.policy(record.guild_id))
            finally:
                self._hiding.discard(record.message_id)
        return finished

    # --- buttons ------------------------------------------------------------------------------

    async def respond(self, nudge_id: int, user_id: int, response: str) -> ResponseResult:
        """Record the author's answer to a nudge ("I'll edit it", "Keep it as is", "This was a mistake")."""
        return await respond(self.repo, self.clock, self.events, nudge_id, user_id, response)

    # --- the sweep: outcomes, retries, text expiry --------------------------------------------

    async def sweep(self) -> list[NudgeRecord]:
        """Resolve due nudges as kept, retry undelivered nudges, finish interrupted hides, expire kept text
        and the short messages held in memory.

        Returns the nudges resolved.
        """
        now = self.clock.now()
        self.fragments.expire(now)  # short messages held for a line sent word by word: at most ``GAP``
        resolved: list[NudgeRecord] = []
        for nudge in await self.repo.due(now):
            if await settle(self.repo, self.events, nudge, AfterNudge.WINDOW_EXPIRED, now) is not None:
                resolved.append(nudge)
        for nudge in await self.repo.undelivered(now - timedelta(seconds=sum(self.retry_delays_s) + 5)):
            if nudge.id not in self._delivering:
                await self.deliver(nudge)
        if self.port is not None:
            await self.resume_hides()
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
            await cancel_and_wait([self._sweeper], log)  # re-cancels if wait_for swallowed the first one
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
