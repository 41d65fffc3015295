"""Hiding a far-worse message: delete it, return its text to the author, tell the mod-log; exactly once.

Each step is recorded before the next (:mod:`primum.storage.kindness_hides`): the hide and the text
to return are stored before the deletion, a DM or a mod-log post records its attempt before it is
sent, and the step's result after. A hide a crash interrupted is resumed by the sweep on start:
the remaining steps run once, and a send that was attempted is first looked for (in the author's
DMs, in the mod-log) instead of being repeated. The text to return is dropped once the author has
it; when their DMs are closed it stays for ``/kind mydata`` until it expires.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from primum.domain.policy import ACTIONABLE
from primum.domain.privacy import KEPT_TEXT_RETENTION
from primum.domain.templates import category_label
from primum.runtime.clock import Clock
from primum.runtime.events import EventSink
from primum.services.kindness_policy import GuildPolicy
from primum.services.kindness_port import DeliveryFailed, DeliveryRefused, KindnessPort, Place, retrying
from primum.storage.kindness_hides import HideRecord, HideRepository

log = logging.getLogger(__name__)

#: A hidden text that could not be DMed back is kept this long for ``/kind mydata`` (the same
#: retention as every kept text, appeal statements included).
RETURN_TEXT_RETENTION = KEPT_TEXT_RETENTION
#: How far before a recorded attempt to look for the message it may have sent (clock skew).
SEND_LOOKBACK = timedelta(seconds=30)


@dataclass(frozen=True)
class HideRequest:
    """What the policy decided to hide, and why."""

    guild_id: int
    channel_id: int
    message_id: int
    author_id: int
    category: str
    score: float
    threshold: float
    model_version: str
    scores: Mapping[str, float]


class Unreachable(Exception):
    """Discord could not be asked whether an earlier attempt landed; the sweep tries again later."""


@dataclass
class Hiding:
    """Runs a hide's steps; the service owns the state shared with its other work."""

    hides: HideRepository
    port: KindnessPort
    clock: Clock
    events: EventSink
    retry_delays_s: Sequence[float]
    own_deletions: set[int]

    async def hide(self, request: HideRequest, text: str, policy: GuildPolicy) -> None:
        """Begin a hide (recorded with its text before anything is deleted), then run its steps."""
        now = self.clock.now()
        record = await self.hides.begin_hide(
            guild_id=request.guild_id, channel_id=request.channel_id, message_id=request.message_id,
            author_id=request.author_id, category=request.category, score=request.score,
            threshold=request.threshold, model_version=request.model_version, scores=request.scores,
            created_at=now, text=text, return_until=now + RETURN_TEXT_RETENTION,
            modlog_text_until=now + timedelta(days=policy.modlog_text_days) if policy.modlog_text_days > 0 else None,
        )
        if record is not None:
            await self._steps(record, policy, text=text, modlog_text=text if policy.modlog_text_days > 0 else None,
                              resumed=False)

    async def resume(self, record: HideRecord, policy: GuildPolicy) -> bool:
        """Finish a hide a crash interrupted; False when Discord could not be asked (try again later)."""
        log.info("resuming hide %d of message %d at step %s", record.id, record.message_id, record.stage)
        text = await self.hides.returned_text(record.message_id)
        modlog_text = await self.hides.modlog_text(record.message_id) if policy.modlog_text_days > 0 else None
        try:
            await self._steps(record, policy, text=text, modlog_text=modlog_text, resumed=True)
        except Unreachable as error:
            log.warning("hide %d: %s; trying again later", record.id, error)
            return False
        return True

    async def _steps(self, record: HideRecord, policy: GuildPolicy, *, text: str | None, modlog_text: str | None,
                     resumed: bool) -> None:
        place = self.port.place(record.guild_id, record.channel_id, record.message_id)
        deleted = bool(record.deleted)
        if record.stage == "deleting":
            deleted = await self._delete(record, resumed=resumed)
            await self.hides.mark_deleted(record.id, deleted)
        returned = record.returned
        if record.stage in ("deleting", "returning"):
            returned = deleted and text is not None and await self._return_text(record, text, place, policy)
            await self.hides.mark_returned(record.id, returned)
        posted = await self._report(record, place, policy, deleted=deleted, returned=returned,
                                    modlog_text=modlog_text)
        await self.hides.finish(record.id, posted)
        self.events.emit(
            "hide", guild_id=record.guild_id, channel_id=record.channel_id, message_id=record.message_id,
            author_id=record.author_id, category=record.category, score=round(record.score, 4),
            threshold=record.threshold, deleted=deleted, returned=returned, modlog=posted is not None,
            **({"resumed": True} if resumed else {}),
        )

    async def _delete(self, record: HideRecord, *, resumed: bool) -> bool:
        self.own_deletions.add(record.message_id)
        try:
            deleted = await self.port.delete_message(record.channel_id, record.message_id)
        except (DeliveryRefused, DeliveryFailed) as error:
            self.own_deletions.discard(record.message_id)
            log.warning("could not hide message %s: %s", record.message_id, error)
            return False
        # Already gone after a restart: the deletion before the crash landed.
        return deleted or resumed

    async def _return_text(self, record: HideRecord, text: str, place: Place, policy: GuildPolicy) -> bool:
        label = category_label(record.category)
        values = {"category": label, "channel": place.channel_name, "guild": place.guild_name,
                  "jump_url": place.jump_url}
        dm = policy.templates.render("hide_dm", **values, text=text)
        attachment = None
        if len(dm) > 2000:
            dm = policy.templates.render("hide_dm", **values, text="(your full text is attached)")
            attachment = text
        content = dm[:2000]
        if record.dm_attempted_at is not None and await self._found(
                self.port.find_dm(record.author_id, record.dm_attempted_at - SEND_LOOKBACK, content)):
            log.info("hide %d: the text was already returned before a restart", record.id)
            return True
        await self.hides.note_dm_attempt(record.id, self.clock.now())
        return await retrying(lambda: self.port.send_dm(record.author_id, content, attachment), False,
                              self.retry_delays_s)

    async def _report(self, record: HideRecord, place: Place, policy: GuildPolicy, *, deleted: bool,
                      returned: bool, modlog_text: str | None) -> tuple[int, int] | None:
        marker = f"· message {record.message_id} ·"
        if record.modlog_attempted_at is not None:
            try:
                found = await self.port.find_modlog_post(record.guild_id, record.modlog_attempted_at - SEND_LOOKBACK,
                                                         marker)
            except DeliveryRefused:
                found = None
            except DeliveryFailed as error:
                raise Unreachable(f"could not look in the mod-log: {error}") from error
            if found is not None:
                return found
        modlog = policy.templates.render(
            "hide_modlog", category=record.category, channel=place.channel_name, guild=place.guild_name,
            score=f"{record.score:.2f}",
        )
        scores = ", ".join(f"{name} {record.scores.get(name, 0.0):.2f}" for name in ACTIONABLE)
        modlog += f"\nAuthor <@{record.author_id}> {marker} scores: {scores} · threshold " \
                  f"{record.threshold:.2f} · text returned by DM: {'yes' if returned else 'no'}"
        if not deleted:
            modlog += "\n(Primum could not delete the message: check its Manage Messages permission.)"
        if modlog_text is not None:
            quoted = modlog_text[:1200].replace("\n", "\n> ")
            modlog += f"\n> {quoted}\n(text shown because this server opted in; redacted after " \
                      f"{policy.modlog_text_days} day(s))"
        await self.hides.note_modlog_attempt(record.id, self.clock.now())
        content = modlog[:2000]
        return await retrying(lambda: self.port.post_modlog(record.guild_id, content), None, self.retry_delays_s)

    @staticmethod
    async def _found(lookup: Awaitable[bool]) -> bool:
        try:
            return await lookup
        except DeliveryRefused:
            return False
        except DeliveryFailed as error:
            raise Unreachable(f"could not look in the author's DMs: {error}") from error


def hide_cutoff(now: datetime, retry_delays_s: Sequence[float]) -> datetime:
    """Hides begun before this are not in flight in this process any more (the sweep may resume them)."""
    return now - timedelta(seconds=sum(retry_delays_s) * 2 + 5)
