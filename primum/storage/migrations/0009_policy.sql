-- 0006 conversation-level policy and observe mode: one moderator alert per incident, and the
--      reports observe mode makes with the moderators' Correct / Wrong verdicts.
-- Revises: 0005 (cases)
-- Reason: issue 14 (nudges, not sanctions). Ids, scores, categories and decisions only; the
--         message text of an observe report is kept solely when the owner opted in (text_opt_in).

-- A claimed incident key is never alerted again (a heat alert and a cooldown alert for one
-- episode, a threat alert for one message that is then edited, a restart in between).
CREATE TABLE policy_alerts (
    guild_id     INTEGER NOT NULL,
    incident_key TEXT    NOT NULL,
    channel_id   INTEGER,
    reason       TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,                 -- ISO-8601 UTC
    PRIMARY KEY (guild_id, incident_key)
);
CREATE INDEX policy_alerts_created ON policy_alerts (created_at);

-- What Primum would have done in observe mode, and what a moderator said about it.
CREATE TABLE observe_reports (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id          INTEGER NOT NULL,
    channel_id        INTEGER NOT NULL,
    message_id        INTEGER NOT NULL,
    author_id         INTEGER,                     -- the member it is about (NULL: the channel)
    action            TEXT    NOT NULL
                      CHECK (action IN ('nudge', 'hide', 'notice', 'slowmode', 'thread', 'cooldown', 'alert')),
    category          TEXT,
    score             REAL    NOT NULL,
    threshold         REAL,
    model_version     TEXT    NOT NULL DEFAULT '',
    created_at        TEXT    NOT NULL,
    modlog_channel_id INTEGER,
    modlog_message_id INTEGER,
    verdict           TEXT    CHECK (verdict IN ('correct', 'wrong')),
    verdict_by        INTEGER,
    verdict_at        TEXT,
    text              TEXT,                        -- only when the owner opted in
    UNIQUE (message_id, action)
);
CREATE INDEX observe_reports_guild ON observe_reports (guild_id, created_at);
CREATE INDEX observe_reports_author ON observe_reports (guild_id, author_id);
