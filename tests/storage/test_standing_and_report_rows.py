"""Other features' rows for /standing and the owners' report, read defensively."""

from datetime import timedelta

from primum.storage import Database
from primum.storage.report_rows import report_guilds, report_rows
from primum.storage.standing import active_cooldowns, member_nudges
from primum.storage.tables import table_columns
from tests.storage.test_cases_storage import GUILD, MEMBER, NOW


async def test_other_features_tables_are_read_defensively(tmp_path):
    # A database migrated only to 0001: no be-kind, no de-escalation, no cases.
    from primum.storage.database import discover_migrations

    database = await Database.open(tmp_path / "old.sqlite3", migrate=False)
    try:
        await database.migrate(discover_migrations()[:1])
        assert await table_columns(database, "kindness_nudges") == set()
        assert await member_nudges(database, GUILD, MEMBER) == []
        assert await active_cooldowns(database, GUILD, MEMBER, NOW) == []
        rows = await report_rows(database, None, None)
        assert rows.nudges is None and rows.heat is None and rows.actions is None and rows.appeals is None
        assert await report_guilds(database) == []
    finally:
        await database.close()


async def test_nudges_and_cooldowns_when_present(db):
    await db.execute(
        "INSERT INTO kindness_nudges (guild_id, channel_id, message_id, author_id, category, score, threshold, "
        "model_version, created_at, deadline, outcome) VALUES (?, 5, 77, ?, 'insult', 0.9, 0.7, 'v1', ?, ?, 'revised')",
        (GUILD, MEMBER, NOW.isoformat(), NOW.isoformat()),
    )
    await db.execute(
        "INSERT INTO scheduled_actions (kind, guild_id, channel_id, user_id, reason, created_at, expires_at) "
        "VALUES ('cooldown', ?, 5, ?, 'heated', ?, ?)",
        (GUILD, MEMBER, NOW.isoformat(), (NOW + timedelta(minutes=10)).isoformat()),
    )
    nudges = await member_nudges(db, GUILD, MEMBER)
    assert [(n.category, n.outcome) for n in nudges] == [("insult", "revised")]
    cooldowns = await active_cooldowns(db, GUILD, MEMBER, NOW)
    assert [c.expires_at for c in cooldowns] == [NOW + timedelta(minutes=10)]
    assert await active_cooldowns(db, GUILD, MEMBER, NOW + timedelta(minutes=11)) == []
    rows = await report_rows(db, GUILD, NOW - timedelta(days=1))
    assert rows.nudges == [(NOW, "revised")] and rows.actions == [] and rows.heat == []
    assert await report_guilds(db) == [GUILD]
