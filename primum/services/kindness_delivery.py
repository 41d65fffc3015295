"""Delivering a claimed nudge exactly once: intent first, then the DM, reconciled after a crash.

Order: count the attempt (the intent) -> DM the author (never a public note) with retries -> mark
delivered. A nudge that could not be delivered stays ``pending`` and the sweep retries it, so a 429
or a dropped connection loses nothing; before any retry of a nudge that was attempted before
(maybe by a process killed mid-send, or a reply lost on the way), the port looks in the author's
DMs for it (its buttons carry the nudge id) and marks it delivered instead of sending it twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from primum import display
from primum.domain.templates import category_label
from primum.runtime.clock import Clock
from primum.runtime.events import EventSink
from primum.services.kindness_policy import GuildPolicy
from primum.services.kindness_port import DeliveryFailed, DeliveryRefused, DmClosed, KindnessPort
from primum.storage.kindness import KindnessRepository, NudgeRecord

log = logging.getLogger(__name__)

#: After this many attempts in total a nudge is marked failed (and still counts for its outcome).
MAX_DELIVERY_ATTEMPTS = 12


async def deliver_nudge(
    nudge: NudgeRecord, *, repo: KindnessRepository, port: KindnessPort, policy: GuildPolicy, clock: Clock,
    events: EventSink, retry_delays_s: Sequence[float],
) -> str:
    """Send a claimed nudge by DM (closed DMs: kept private, nothing public); retry transient failures.

    Returns 'dm', 'dm_closed' (kept private: nothing is posted in the channel), 'failed' or
    'pending' (left for the sweep to retry).
    """
    place = port.place(nudge.guild_id, nudge.channel_id, nudge.message_id)
    values = {
        "category": category_label(nudge.category), "jump_url": place.jump_url, "channel": place.channel_name,
        "guild": place.guild_name, "window": display.duration_words(nudge.deadline - nudge.created_at),
    }
    attempts = nudge.attempts
    sent_before = attempts > 0  # an earlier attempt (maybe in a killed process) may have landed
    for delay in (*retry_delays_s, None):
        try:
            if sent_before:
                found = await port.find_sent_nudge(nudge)
                if found is not None:
                    log.info("nudge %d was already delivered (%s) before a restart or lost reply", nudge.id, found)
                    await repo.mark_delivered(nudge.id, found, clock.now())
                    events.emit("nudge_delivery", nudge_id=nudge.id, via=found,
                                message_id=nudge.message_id, reconciled=True)
                    return found
            # Intent first: a crash after this point makes the next attempt look before it sends.
            attempts = await repo.note_attempt(nudge.id)
            sent_before = True
            try:
                await port.send_nudge_dm(nudge, policy.templates.render("nudge_dm", **values))
                via = "dm"
            except DmClosed:
                # Private or nothing: a reply in the channel would point everyone at the message.
                # The nudge stays on the member's /standing; it never starts a cooldown grace period.
                log.info("nudge %d: the author's DMs are closed; kept private on their /standing", nudge.id)
                await repo.mark_delivered(nudge.id, "failed", clock.now())
                events.emit("nudge_delivery", nudge_id=nudge.id, via="dm_closed", message_id=nudge.message_id)
                return "dm_closed"
        except DeliveryRefused as error:
            log.warning("nudge %d could not be delivered: %s", nudge.id, error)
            await repo.mark_delivered(nudge.id, "failed", clock.now())
            events.emit("nudge_delivery", nudge_id=nudge.id, via="failed", reason=str(error))
            return "failed"
        except DeliveryFailed as error:
            if attempts >= MAX_DELIVERY_ATTEMPTS:
                await repo.mark_delivered(nudge.id, "failed", clock.now())
                log.warning("nudge %d: gave up after %d attempts (%s)", nudge.id, attempts, error)
                return "failed"
            if delay is None:
                log.warning("nudge %d: delivery failed (%s); the sweep will retry", nudge.id, error)
                return "pending"
            log.info("nudge %d: delivery failed (%s); retrying in %.1f s", nudge.id, error, delay)
            await asyncio.sleep(delay)
            continue
        await repo.mark_delivered(nudge.id, via, clock.now())
        events.emit("nudge_delivery", nudge_id=nudge.id, via=via, message_id=nudge.message_id)
        return via
    return "pending"  # pragma: no cover
