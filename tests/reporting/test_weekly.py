"""The owners' report renders from a test database, with "no data" charts for absent features."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from primum.cli import main as cli_main
from primum.domain.appeals import AppealStatus
from primum.domain.moderation_policy import ModerationPolicy
from primum.domain.moderation_rules import Party, Rank
from primum.domain.nudge_stats import week_start
from primum.reporting.weekly import (
    CHART_FILES,
    actions_by_kind,
    nudges_by_week,
    render_report,
)
from primum.runtime.clock import FakeClock
from primum.services.moderation import ModerationService
from primum.storage import Database
from primum.storage.database import discover_migrations
from primum.storage.report_rows import ReportRows

PNG = b"\x89PNG\r\n\x1a\n"
T0 = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)  # a Wednesday
GUILD = 10


async def seed(path: Path) -> None:
    db = await Database.open(path)
    clock = FakeClock(T0)
    service = ModerationService(db, clock)
    try:
        for week in range(3):
            for i in range(week + 2):
                created = T0 - timedelta(weeks=week, hours=i)
                await db.execute(
                    "INSERT INTO kindness_nudges (guild_id, channel_id, message_id, author_id, category, score, "
                    "threshold, model_version, created_at, deadline, outcome) VALUES (?, ?, ?, ?, 'insult', 0.9, "
                    "0.7, 'v1', ?, ?, ?)",
                    (GUILD, 100 + i % 2, week * 100 + i, 20 + i, created.isoformat(), created.isoformat(),
                     "revised" if i % 2 == 0 else "kept"),
                )
        for action in ("notice", "slowmode", "notice"):
            await db.execute(
                "INSERT INTO deescalation_log (guild_id, channel_id, action, reason, at) VALUES (?, 100, ?, 'heat', ?)",
                (GUILD, action, T0.isoformat()),
            )
        await service.case_log.record(GUILD, "slowmode", 100, None, "heat", duration_s=600)
        hide = await service.case_log.record(GUILD, "hide", 20, 1, "belittling")
        await service.case_log.record(GUILD, "note", 21, 2, "heads up")
        appeal = await service.file_appeal(GUILD, hide.id, 20, "please", [Party(2, Rank.MODERATOR)],
                                           ModerationPolicy())
        await service.decide_appeal(appeal.id, GUILD, Party(2, Rank.MODERATOR), AppealStatus.OVERTURNED, "banter")
    finally:
        await db.close()


def test_week_grouping_and_revision_rate():
    weeks = nudges_by_week([(T0, "revised"), (T0 - timedelta(days=1), "kept"), (T0, None),
                            (T0 - timedelta(weeks=1), "revised")])
    assert [w.week for w in weeks] == [week_start(T0) - timedelta(weeks=1), week_start(T0)]
    assert week_start(T0).weekday() == 0 and week_start(T0).hour == 0
    assert [(w.nudges, w.revised, w.resolved) for w in weeks] == [(1, 1, 1), (3, 1, 2)]
    assert weeks[1].revision_rate == pytest.approx(0.5)


@pytest.mark.parametrize("rows", [
    ReportRows(None, None, None, None),
    ReportRows([], [], [], []),
])
def test_charts_without_data_still_render(rows):
    charts = render_report(rows)
    assert tuple(charts) == CHART_FILES
    assert all(png.startswith(PNG) for png in charts.values())


async def test_report_renders_from_a_test_database(tmp_path):
    path = tmp_path / "primum.sqlite3"
    await seed(path)
    out = tmp_path / "report"
    assert await asyncio.to_thread(cli_main, ["report", "--db", str(path), "--out", str(out), "--weeks", "0"]) == 0
    for name in CHART_FILES:
        data = (out / name).read_bytes()
        assert data.startswith(PNG) and len(data) > 5_000


async def test_report_from_an_old_database_is_not_migrated(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = await Database.open(path, migrate=False)
    await db.migrate(discover_migrations()[:1])
    await db.close()
    out = tmp_path / "report"
    args = ["report", "--db", str(path), "--out", str(out), "--guild", str(GUILD)]
    assert await asyncio.to_thread(cli_main, args) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(CHART_FILES)
    db = await Database.open(path, migrate=False)
    assert await db.user_version() == 1
    await db.close()


def test_report_refuses_a_missing_database(tmp_path, capsys):
    assert cli_main(["report", "--db", str(tmp_path / "nope.sqlite3"), "--out", str(tmp_path / "o")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_revision_rate_is_the_one_kind_stats_uses():
    from primum.domain.nudge_stats import NudgeFact, StatsCell
    from primum.domain.policy import Outcome

    rows = [(T0, "revised"), (T0, "withdrawn"), (T0, "kept"), (T0, None)]
    cell = StatsCell()
    for created, outcome in rows:
        cell.add(NudgeFact(1, created, Outcome(outcome) if outcome else None, False))
    (week,) = nudges_by_week(rows)
    assert week.revision_rate == cell.revision_rate == pytest.approx(2 / 3)
    assert (week.nudges, week.revised, week.resolved) == (4, 2, 3)


def test_heat_steps_are_ladder_steps_in_ladder_order_without_lifts():
    from primum.reporting.weekly import LADDER_STEPS, heat_by_channel

    found = heat_by_channel([(1, "mod_alert"), (1, "slowmode_lifted"), (1, "heat_notice"), (1, "config"),
                             (1, "cooldown_lifted"), (1, "slowmode"), (2, "thread_suggested")])
    assert dict(found[1]) == {"alert": 1, "notice": 1, "slowmode": 1}
    assert dict(found[2]) == {"thread": 1}
    assert LADDER_STEPS == ("notice", "slowmode", "thread", "cooldown", "alert")


def test_heat_chart_with_markers_renders():
    from primum.reporting.charts import heat_curve

    curve = [(T0 + timedelta(seconds=30 * i), float(i % 7)) for i in range(61)]
    image = heat_curve(curve, (1.5, 3.0, 4.5, 6.0), [(T0 + timedelta(minutes=10), "notice")], title="heat")
    assert image.startswith(PNG)
    assert heat_curve([], (1.5, 3.0), [], title="no heat").startswith(PNG)


def test_actions_run_in_ladder_order_lightest_first_then_other_records():
    kinds = ["ban", "warn", "lift", "note", "purge", "hide", "unban", "warn", "forget", "cooldown"]
    rows = [(T0, kind, None) for kind in kinds]
    assert actions_by_kind(rows) == [
        ("note", 1, True), ("warn", 2, True), ("hide", 1, True), ("purge", 1, True), ("cooldown", 1, True),
        ("ban", 1, True), ("lift", 1, False), ("unban", 1, False), ("forget", 1, False),
    ]
    assert actions_by_kind([(T0, "mystery", None)]) == [("mystery", 1, False)]
    assert render_report(ReportRows(None, None, rows, None))["actions_by_kind.png"].startswith(PNG)


def test_axis_labels_use_names_and_fall_back_to_ids():
    from primum.reporting.weekly import actor_label, channel_label

    assert channel_label(100, {100: "general"}) == "#general"
    assert channel_label(101, {100: "general"}) == "channel 101"
    assert actor_label(None, {}) == "Primum"
    assert actor_label(1, {1: "Dr. Nadia Haddad"}) == "Dr. Nadia Haddad"
    assert actor_label(2, {1: "Dr. Nadia Haddad"}) == "moderator 2"


async def test_offline_report_labels_channels_and_moderators_with_remembered_names(tmp_path, monkeypatch):
    from primum.reporting import weekly
    from primum.storage.names import NameRepository

    path = tmp_path / "primum.sqlite3"
    await seed(path)
    db = await Database.open(path)
    await NameRepository(db).remember(GUILD, "channel", [(100, "general")], T0)
    await NameRepository(db).remember(GUILD, "member", [(1, "Dr. Nadia Haddad")], T0)  # moderator 2: never seen
    await db.close()
    seen: dict[str, object] = {}
    real = weekly.render_report

    def spy(rows, *, names=None, channel_names=None):
        seen.update(names=dict(names or {}), channel_names=dict(channel_names or {}))
        return real(rows, names=names, channel_names=channel_names)

    monkeypatch.setattr(weekly, "render_report", spy)
    out = tmp_path / "report"
    assert await asyncio.to_thread(cli_main, ["report", "--db", str(path), "--out", str(out), "--weeks", "0"]) == 0
    assert seen == {"names": {1: "Dr. Nadia Haddad"}, "channel_names": {100: "general"}}
    assert weekly.channel_label(100, seen["channel_names"]) == "#general"  # type: ignore[arg-type]
    actors = {weekly.actor_label(actor, seen["names"]) for actor in (None, 1, 2)}  # type: ignore[arg-type]
    assert actors == {"Primum", "Dr. Nadia Haddad", "moderator 2"}
    assert (out / "actions_by_moderator.png").read_bytes().startswith(PNG)
