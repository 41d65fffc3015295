"""One scored guild message, as the be-kind cog hands it to the features that react to scores.

The be-kind cog scores every message once and dispatches ``bot.dispatch("message_scored", scored)``
with this dataclass, so de-escalation (and anything else) never scores a message twice and never
sees its text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ScoredMessage:
    """Who said what to whom and how unkind it looked; ids and numbers only, never the text.

    Attributes:
        guild_id, channel_id, message_id, author_id: where the message is and who wrote it.
        created_at: when it was sent, aware UTC.
        reply_to_author_id: the author of the message this one replies to (None: not a reply).
        mentioned_ids: users mentioned in the message (bots and the author excluded by the sender).
        score: overall unkindness in [0, 1], higher is less kind (``KindnessScore.score``).
        categories: per-category scores in [0, 1] (``KindnessScore.categories``).
        nudged: whether be-kind sent the author a private nudge for this message.
        author_nudges_recent: nudges the author received in be-kind's recent window *before*
            this message (this message's own nudge is not counted).
        flagged: the message reached its channel's nudge cut-off (whether or not a nudge was sent:
            the per-author window may have held it back). None: unknown (judged by score).
        threshold: the nudge cut-off it was compared with (for weighting by margin).
        counterspeech: it reads as asking others to stop or reporting to the moderators.
        deescalating: counter-speech by a bystander (set by de-escalation): never heat.
        nudge_seen_at: when the author's latest nudge reached them privately (None: no nudge
            they could have read).
        disputed: the author answered their latest nudge with "This was a mistake".
        observe: the channel is in observe mode: decide as usual, only report.
        reply_to_message_id: the message this one replies to (None: not a reply).
        answering_id: set by de-escalation for a flagged message that addresses no one but follows
            another member's flagged message within moments: the member it answers.
        follow_up: set by de-escalation for a near miss (not flagged, but at or over the ladder's
            ``follow_up_score``) by a member already flagged in the window: they are keeping it up.
            It adds heat and counts toward the calm notice, never toward anything beyond it.
    """

    guild_id: int
    channel_id: int
    message_id: int
    author_id: int
    created_at: datetime
    reply_to_author_id: int | None
    mentioned_ids: tuple[int, ...]
    score: float
    categories: dict[str, float]
    nudged: bool
    author_nudges_recent: int
    flagged: bool | None = None
    threshold: float | None = None
    counterspeech: bool = False
    deescalating: bool = False
    nudge_seen_at: datetime | None = None
    disputed: bool = False
    observe: bool = False
    reply_to_message_id: int | None = None
    answering_id: int | None = None
    follow_up: bool = False
