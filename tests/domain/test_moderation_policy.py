"""Moderation settings are checked as a whole."""

import pytest

from primum.domain.moderation_policy import ModerationPolicy, PolicyError


@pytest.mark.parametrize(("overrides", "ok"), [
    ({}, True), ({"show_moderator_names": True}, True), ({"appeal_reminder_hours": 1}, True),
    ({"appeal_reminder_hours": 0}, False), ({"show_moderator_names": "yes"}, False),
    ({"conflict_window_minutes": True}, False), ({"transparency_channel_id": -1}, False),
    ({"colour": "red"}, False),
])
def test_policy_validation(overrides, ok):
    if ok:
        ModerationPolicy.from_overrides(overrides)
    else:
        with pytest.raises(PolicyError):
            ModerationPolicy.from_overrides(overrides)
