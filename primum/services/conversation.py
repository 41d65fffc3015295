"""Be-kind's side of the conversation-level policy: what de-escalation needs to know about a message.

:class:`ConversationPolicy` is held by ``KindnessService`` and answers, for each scored message:

* what the author was already nudged for in the window (so a more serious kind is nudged again),
* whether the message is flagged (over its nudge cut-off, nudged or not), counter-speech, and
  when the author's latest nudge reached them privately (the cooldown grace period starts there),
* whether the channel is only observed, and then reports what Primum would have done,
* whether a likely threat must alert the moderators even though hiding is off (once per message).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from primum.domain.counterspeech import Signals, counterspeech_reason
from primum.domain.policy import Action, CategoryThresholds, Decision, nudge_trigger
from primum.domain.templates import TemplateSet, category_label
from primum.runtime.events import EventSink
from primum.services.observe import ObserveService, Would
from primum.storage.policy import PolicyRepository

log = logging.getLogger(__name__)

#: How far back the latest privately delivered nudge still starts a grace period.
NUDGE_MEMORY = timedelta(hours=1)
#: A "likely threat" needs at least this score (and the threat category's own nudge cut-off).
THREAT_ALERT_MIN = 0.8
#: ... and the model this sure that it is a threat: the threat category's own probability, not only
#: its rank. Below it the category is the model's rough guess at what kind of unkind a message is;
#: on the calibration conversations every threat and doxxing line scored at least this, while
#: half of the "threats" alerted in civil threads ("nobody in that room would have done it
#: differently") and most belittling that merely ranked threat first scored under it.
THREAT_CATEGORY_MIN = 0.9


@dataclass(frozen=True)
class Flagging:
    """What de-escalation is told about one message beyond its scores."""

    flagged: bool
    threshold: float | None
    category: str | None
    counterspeech: bool
    nudge_seen_at: datetime | None
    disputed: bool


PostModlog = Callable[[int, str], Awaitable[tuple[int, int] | None]]


@dataclass
class ConversationPolicy:
    """The extra facts and side effects of the conversation-level policy."""

    repo: PolicyRepository
    events: EventSink
    observe: ObserveService | None = None

    async def observing(self, guild_id: int, channel_chain: tuple[int, ...]) -> bool:
        """Whether this channel is only observed."""
        return self.observe is not None and await self.observe.observing(guild_id, channel_chain)

    async def window(self, guild_id: int, author_id: int, since: datetime, *, observing: bool
                     ) -> tuple[list[datetime], list[str]]:
        """Extra nudge times (observe mode's would-nudges) and the categories nudged in the window."""
        categories = await self.repo.recent_nudge_categories(guild_id, author_id, since)
        extra = await self.observe.would_nudge_times(guild_id, author_id, since) \
            if observing and self.observe is not None else []
        return extra, categories

    async def flagging(
        self, *, guild_id: int, author_id: int, text: str, score: float, categories: Mapping[str, float],
        thresholds: Mapping[str, CategoryThresholds], now: datetime, signals: Signals, observing: bool,
    ) -> Flagging:
        """Flagged or not, counter-speech, and the author's latest nudge they could have read."""
        trigger = nudge_trigger(score, categories, thresholds)
        seen = await self.repo.latest_seen_nudge(guild_id, author_id, now - NUDGE_MEMORY)
        seen_at = seen.delivered_at if seen is not None else None
        if observing and self.observe is not None:  # decide as usual: a would-nudge counts as read
            would = await self.observe.would_nudge_times(guild_id, author_id, now - NUDGE_MEMORY)
            if would and (seen_at is None or would[-1] > seen_at):
                seen_at = would[-1]
        return Flagging(
            flagged=trigger is not None, threshold=trigger[2] if trigger else None,
            category=trigger[0] if trigger else None,
            counterspeech=counterspeech_reason(text, signals) is not None,
            nudge_seen_at=seen_at, disputed=seen is not None and seen.response == "mistake",
        )

    async def report_would(
        self, *, guild_id: int, channel_id: int, message_id: int, author_id: int, decision: Decision,
        model_version: str, text: str, channel_name: str,
    ) -> None:
        """Observe mode: report the nudge or hide Primum would have made."""
        if self.observe is None or decision.action is Action.NONE:
            return
        await self.observe.report(
            Would(guild_id, channel_id, message_id, author_id, decision.action.value, decision.score,
                  decision.category, decision.threshold, model_version),
            text=text, channel_name=channel_name,
        )

    async def alert_threat(
        self, *, guild_id: int, channel_id: int, message_id: int, author_id: int, flag: Flagging,
        score: float, threat: float, hidden: bool, observing: bool, templates: TemplateSet, channel_name: str,
        jump_url: str, post: PostModlog, now: datetime, listed: bool = False,
    ) -> bool:
        """Alert the moderators about a likely threat once per message, also when hiding is off.

        ``threat``: the threat category's own probability; a flagged message whose likeliest kind is
        a threat alerts only when the model is also sure of that (``THREAT_CATEGORY_MIN``): the alert
        puts a member's message before the moderators as a possible threat, so it must be likely.
        ``listed``: the message matched a violence list (against a group, or telling a member to die),
        which is a likely threat whatever the model's categories and however low an owner set the
        cut-offs.
        """
        if not flag.flagged:
            return False
        if not listed and (flag.category != "threat" or score < max(THREAT_ALERT_MIN, flag.threshold or 0.0)
                           or threat < THREAT_CATEGORY_MIN):
            return False
        if hidden:
            return False  # the hide already put a case in the mod-log
        if not await self.repo.claim_alert(guild_id, f"threat:{message_id}", channel_id=channel_id,
                                           reason="threat", at=now):
            return False
        note = ("Observe mode: Primum did nothing else." if observing
                else "Hiding is off here, so the message stays up; its author got a private nudge at most. "
                     "Please take a look.")
        content = templates.render("threat_modlog", member=f"<@{author_id}>", channel=channel_name,
                                   jump_url=jump_url, score=f"{score:.2f}", category=category_label("threat"),
                                   note=note)
        posted: Any = None
        try:
            posted = await post(guild_id, content[:2000])
        except Exception:
            log.warning("could not post the threat alert for message %s", message_id, exc_info=True)
        self.events.emit("threat_alert", guild_id=guild_id, channel_id=channel_id, message_id=message_id,
                         author_id=author_id, score=round(score, 4), posted=posted is not None, observe=observing)
        return posted is not None
