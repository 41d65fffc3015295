-- 0002 be-kind: nudges and their outcomes, hidden messages, false-positive reports, opt-in text.
-- Revises: 0001 core
-- Reason: issue 4 (be kind). Ids, scores, categories and outcomes only; message text is kept
--         solely in kindness_texts, when a guild opts in (mod-log) or to return a hidden message
--         whose author has closed DMs, and always with an expiry.

CREATE TABLE kindness_nudges (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    channel_id    INTEGER NOT NULL,
    message_id    INTEGER NOT NULL UNIQUE,      -- a message is nudged at most once, ever
    author_id     INTEGER NOT NULL,
    category      TEXT    NOT NULL,
    score         REAL    NOT NULL,
    threshold     REAL    NOT NULL,
    model_version TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,             -- ISO-8601 UTC
    deadline      TEXT    NOT NULL,             -- outcome window end: after it, an open nudge is 'kept'
    delivery      TEXT    NOT NULL DEFAULT 'pending'
                  CHECK (delivery IN ('pending', 'dm', 'channel', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    delivered_at  TEXT,
    response      TEXT    CHECK (response IN ('will_edit', 'keep', 'mistake')),
    outcome       TEXT    CHECK (outcome IN ('revised', 'withdrawn', 'kept')),
    outcome_at    TEXT,
    edit_score    REAL
);
CREATE INDEX kindness_nudges_author ON kindness_nudges (guild_id, author_id, created_at);
CREATE INDEX kindness_nudges_open ON kindness_nudges (deadline) WHERE outcome IS NULL;
CREATE INDEX kindness_nudges_undelivered ON kindness_nudges (created_at) WHERE delivery = 'pending';
CREATE INDEX kindness_nudges_stats ON kindness_nudges (guild_id, created_at);

CREATE TABLE kindness_hides (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    channel_id       INTEGER NOT NULL,
    message_id       INTEGER NOT NULL UNIQUE,
    author_id        INTEGER NOT NULL,
    category         TEXT    NOT NULL,
    score            REAL    NOT NULL,
    threshold        REAL    NOT NULL,
    model_version    TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    returned         INTEGER NOT NULL DEFAULT 0,   -- 1: the author got their text back by DM
    modlog_channel_id INTEGER,
    modlog_message_id INTEGER
);
CREATE INDEX kindness_hides_author ON kindness_hides (guild_id, author_id);

CREATE TABLE kindness_reports (
    id          INTEGER PRIMARY KEY,
    nudge_id    INTEGER NOT NULL UNIQUE REFERENCES kindness_nudges (id) ON DELETE CASCADE,
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    author_id   INTEGER NOT NULL,
    category    TEXT    NOT NULL,
    score       REAL    NOT NULL,
    created_at  TEXT    NOT NULL,
    reviewed_at TEXT,
    reviewed_by INTEGER
);
CREATE INDEX kindness_reports_guild ON kindness_reports (guild_id, reviewed_at);

CREATE TABLE kindness_texts (
    message_id  INTEGER NOT NULL,
    purpose     TEXT    NOT NULL CHECK (purpose IN ('modlog', 'return')),
    guild_id    INTEGER NOT NULL,
    author_id   INTEGER NOT NULL,
    text        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    PRIMARY KEY (message_id, purpose)
);
CREATE INDEX kindness_texts_expiry ON kindness_texts (expires_at);
CREATE INDEX kindness_texts_author ON kindness_texts (guild_id, author_id);
