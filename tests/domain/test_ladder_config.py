"""The ladder's settings: overrides from JSON or text, validation that names the key, Discord's limits."""

from datetime import timedelta

import pytest

from primum.domain.ladder_config import (
    CONFIG_KEYS,
    TIMEOUT_MAX,
    LadderConfig,
    LadderConfigError,
    Rung,
    clamp_slowmode,
    clamp_timeout,
)


@pytest.mark.parametrize(
    ("overrides", "check"),
    [
        ({"slowmode_seconds": 120}, lambda c: c.slowmode_seconds == 120),
        ({"slowmode_seconds": "60"}, lambda c: c.slowmode_seconds == 60),
        ({"enabled": "off"}, lambda c: c.enabled is False),
        ({"steps": "notice, slowmode"}, lambda c: c.steps == (Rung.NOTICE, Rung.SLOWMODE)),
        ({"steps": ["alert"]}, lambda c: c.steps == (Rung.ALERT,)),
        ({"notice_at": 1, "slowmode_at": 2.5}, lambda c: c.thresholds[:2] == (1.0, 2.5)),
        ({"cooldown_minutes": 40320}, lambda c: timedelta(minutes=c.cooldown_minutes) == TIMEOUT_MAX),
        ({"slowmode_minutes": 0.05}, lambda c: c.slowmode_minutes == 0.05),
    ],
)
def test_overrides(overrides, check):
    assert check(LadderConfig().with_overrides(overrides))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slowmode_seconds": 0}, "slowmode_seconds"),
        ({"slowmode_seconds": 21_601}, "slowmode_seconds"),  # Discord's limit
        ({"cooldown_minutes": 40_321}, "cooldown_minutes"),  # more than 28 days
        ({"notice_at": 5}, "thresholds must increase"),
        ({"exit_ratio": 0}, "exit_ratio"),
        ({"steps": "notice,shout"}, "steps"),
        ({"enabled": "maybe"}, "enabled"),
        ({"slowmode_seconds": True}, "slowmode_seconds"),
        ({"volume": 3}, "unknown de-escalation setting"),
    ],
)
def test_bad_overrides_name_the_key(overrides, message):
    with pytest.raises(LadderConfigError, match=message):
        LadderConfig().with_overrides(overrides)


def test_config_round_trips_through_json():
    config = LadderConfig(steps=(Rung.NOTICE, Rung.ALERT), slowmode_seconds=90)
    assert LadderConfig().with_overrides(config.as_json()) == config


@pytest.mark.parametrize(("seconds", "expected"), [(-5, 0), (0, 0), (30, 30), (21_600, 21_600), (99_999, 21_600)])
def test_clamp_slowmode(seconds, expected):
    assert clamp_slowmode(seconds) == expected


@pytest.mark.parametrize(
    ("duration", "expected"),
    [(timedelta(0), timedelta(seconds=1)), (timedelta(minutes=10), timedelta(minutes=10)),
     (timedelta(days=60), TIMEOUT_MAX)],
)
def test_clamp_timeout(duration, expected):
    assert clamp_timeout(duration) == expected


def test_every_setting_fits_discord_s_choice_and_field_limits():
    # /deescalation config offers each key as a choice, and /deescalation show gives each a field:
    # Discord allows 25 of either, so a 26th setting needs grouping first
    assert len(CONFIG_KEYS) <= 25
    assert set(CONFIG_KEYS) == set(LadderConfig().as_json())
