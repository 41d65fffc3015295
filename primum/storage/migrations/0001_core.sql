-- 0001 core: per-guild settings that owners change at run time.
-- Revises: (empty database)
-- Reason: foundation (issue 2). Later features reserve 0002 be-kind, 0003 de-escalation,
--         0004 verification, 0005 moderation cases.

CREATE TABLE guild_settings (
    guild_id   INTEGER NOT NULL,
    scope      TEXT    NOT NULL DEFAULT '',   -- '' guild-wide, 'channel:<id>', 'category:<name>'
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,              -- JSON
    updated_at TEXT    NOT NULL,              -- ISO-8601 UTC
    updated_by INTEGER,                       -- user id of the owner who changed it (NULL: system)
    PRIMARY KEY (guild_id, scope, key)
) WITHOUT ROWID;
