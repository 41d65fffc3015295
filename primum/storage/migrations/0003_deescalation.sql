-- 0003 de-escalation: restart-safe timed actions and the de-escalation record.
-- Revises: 0002 (be-kind)
-- Reason: issue 5. Every timed action (slowmode, member cooldown) is written here, with its expiry
--         in UTC, before it is applied; on start-up pending rows are undone or re-armed.
--         scheduled_actions is generic (primum.scheduler): other features may add their own kinds.

CREATE TABLE scheduled_actions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL,                  -- e.g. 'slowmode', 'cooldown'
    guild_id     INTEGER NOT NULL,
    channel_id   INTEGER,
    user_id      INTEGER,
    actor_id     INTEGER,                           -- moderator who asked; NULL: Primum itself
    reason       TEXT    NOT NULL,                  -- mandatory, shown to moderators
    payload      TEXT    NOT NULL DEFAULT '{}',     -- JSON: what was set, what it replaced
    created_at   TEXT    NOT NULL,                  -- ISO-8601 UTC
    expires_at   TEXT    NOT NULL,                  -- ISO-8601 UTC
    status       TEXT    NOT NULL DEFAULT 'pending' -- pending, done, cancelled, failed
                 CHECK (status IN ('pending', 'done', 'cancelled', 'failed')),
    outcome      TEXT,                              -- lifted, already_lifted, manual_override, ...
    completed_at TEXT,
    closed_by    TEXT,                              -- random token of the close that won (exactly once)
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT
);

CREATE INDEX scheduled_actions_pending ON scheduled_actions (status, kind);
CREATE INDEX scheduled_actions_target ON scheduled_actions (guild_id, kind, user_id, channel_id);

-- What de-escalation did and why (notices, slowmodes, cooldowns, lifts, alerts, refusals).
CREATE TABLE deescalation_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER,
    user_id     INTEGER,
    action      TEXT    NOT NULL,
    actor_id    INTEGER,                            -- NULL: Primum itself
    reason      TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '{}',      -- JSON, never message text
    at          TEXT    NOT NULL,                   -- ISO-8601 UTC
    action_id   INTEGER REFERENCES scheduled_actions (id)
);

CREATE INDEX deescalation_log_guild ON deescalation_log (guild_id, id);
