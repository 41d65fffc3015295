"""primum.display: what people read instead of ISO strings, "30m" and None."""

from datetime import UTC, datetime, timedelta

import discord.utils
import pytest

from primum import display

MOMENT = datetime(2026, 12, 6, 1, 22, 1, 172292, tzinfo=UTC)


@pytest.mark.parametrize("style", ["t", "T", "d", "D", "f", "F", "R"])
def test_timestamps_are_discords_own_markup(style) -> None:
    assert display.timestamp(MOMENT, style) == discord.utils.format_dt(MOMENT, style)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        display.timestamp(datetime(2026, 12, 6))  # noqa: DTZ001


@pytest.mark.parametrize(("span", "words"), [
    (timedelta(minutes=30), "30 minutes"), (timedelta(seconds=90), "1 minute 30 seconds"),
    (timedelta(hours=25, minutes=1, seconds=5), "1 day 1 hour"), (1, "1 second"), (0, "0 seconds"),
    (0.4, "0 seconds"), (86_400 * 3, "3 days"), (None, "not set"), (timedelta(seconds=-60), "minus 1 minute"),
])
def test_durations_read_as_words(span, words) -> None:
    assert display.duration_words(span) == words


@pytest.mark.parametrize(("key", "value", "shown"), [
    ("transparency_channel_id", None, "not set"), ("review_channel_id", 42, "<#42>"),
    ("moderator_role_id", 7, "<@&7>"), ("exempt_role_ids", [1, 2], "<@&1>, <@&2>"),
    ("conflict_window_minutes", 60, "1 hour"), ("appeal_reminder_hours", 72, "3 days"),
    ("slowmode_seconds", 30, "30 seconds"), ("slowmode_minutes", 0.25, "15 seconds"),
    ("two_moderator_rule", True, "on"), ("show_moderator_names", False, "off"),
    ("steps", ["notice", "slowmode"], "notice, slowmode"), ("exit_ratio", 0.6, "0.6"), ("notice_at", 3.0, "3"),
    ("steps", [], "not set"),
])
def test_settings_read_by_their_names(key, value, shown) -> None:
    assert display.setting_value(key, value) == shown


def test_labels_drop_ids_and_units() -> None:
    assert display.setting_label("transparency_channel_id") == "Transparency channel"
    assert display.setting_label("conflict_window_minutes") == "Conflict window"
    assert display.setting_label("exempt_role_ids") == "Exempt role"


def test_rows_mark_changes_and_can_name_the_key() -> None:
    rows = display.setting_rows({"conflict_window_minutes": 90, "review_channel_id": None},
                                defaults={"conflict_window_minutes": 60, "review_channel_id": None},
                                descriptions={"conflict_window_minutes": "how far back"}, show_keys=True,
                                labels={"review_channel_id": "Appeals go to"})
    assert rows == [("Conflict window", "1 hour 30 minutes (changed)\n-# `conflict_window_minutes` · how far back"),
                    ("Appeals go to", "not set\n-# `review_channel_id`")]
