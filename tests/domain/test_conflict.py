"""Conflict of interest: a moderator arguing with the member they act on, read from ids and times."""

from datetime import timedelta

import pytest

from primum.domain.conflict import Interaction, detect_conflict, interactions_from_message
from primum.domain.moderation_policy import ModerationPolicy
from tests.domain.moderation_parties import T0, M, T


def inter(author, other, minutes_ago, channel=100):
    return Interaction(channel, author, other, T0 - timedelta(minutes=minutes_ago))


@pytest.mark.parametrize(("items", "policy", "channel", "found"), [
    ([inter(M, T, 5), inter(T, M, 3)], ModerationPolicy(), None, True),
    ([inter(M, T, 5)], ModerationPolicy(), None, False),  # one-sided is not an argument
    ([inter(M, T, 5, channel=100), inter(T, M, 3, channel=200)], ModerationPolicy(), None, False),
    ([inter(M, T, 90), inter(T, M, 70)], ModerationPolicy(), None, False),  # outside the hour
    ([inter(M, T, 90), inter(T, M, 70)], ModerationPolicy(conflict_window_minutes=120), None, True),
    ([inter(M, T, 5), inter(T, M, 3)], ModerationPolicy(conflict_check=False), None, False),
    ([inter(M, T, 5), inter(T, M, 3)], ModerationPolicy(conflict_min_exchanges=2), None, False),
    ([inter(M, T, 5), inter(T, M, 3), inter(M, T, 2), inter(T, M, 1)],
     ModerationPolicy(conflict_min_exchanges=2), None, True),
    ([inter(M, T, 5), inter(T, M, 3)], ModerationPolicy(), 100, True),
    ([inter(M, T, 5), inter(T, M, 3)], ModerationPolicy(), 200, False),  # another channel than the hidden msg
    ([inter(M, 99, 5), inter(99, M, 3)], ModerationPolicy(), None, False),  # someone else
])
def test_detect_conflict(items, policy, channel, found):
    conflict = detect_conflict(items, M, T, T0, policy, channel)
    assert (conflict is not None) is found
    if conflict is not None:
        assert conflict.channel_id == 100 and conflict.by_moderator >= 1 and conflict.by_target >= 1


def test_interactions_from_message_skips_self_and_dedups():
    found = interactions_from_message(5, 1, T0, replied_to=2, mentioned=[2, 3, 1])
    assert [(i.author_id, i.other_id) for i in found] == [(1, 2), (1, 3)]
    assert interactions_from_message(5, 1, T0, replied_to=1, mentioned=[]) == []
