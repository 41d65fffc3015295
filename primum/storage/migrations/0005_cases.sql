-- 0005 moderation cases: the append-only case log, appeals, two-moderator confirmations and the
--      per-channel interaction record used for the conflict-of-interest check.
-- Revises: 0004 (verification)
-- Reason: issue 7 (accountable moderation). Case rows are never changed or deleted: the triggers
--         below abort any UPDATE or DELETE (and an INSERT OR REPLACE that would drop a row); an
--         amendment is a new row whose amends_id points to the row it replaces (one amendment per
--         row, so a case's history is a single chain). Ids and timestamps only in case_interactions.

CREATE TABLE cases (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id     INTEGER NOT NULL,
    kind         TEXT    NOT NULL
                 CHECK (kind IN ('hide', 'slowmode', 'cooldown', 'lift', 'verification', 'kick', 'ban',
                                 'unban', 'note')),
    target_id    INTEGER,                              -- member id (channel id for slowmode)
    actor_id     INTEGER,                              -- moderator; NULL: Primum itself
    reason       TEXT    NOT NULL CHECK (length(trim(reason)) >= 3),
    evidence_url TEXT,
    duration_s   INTEGER CHECK (duration_s IS NULL OR duration_s >= 0),
    details      TEXT    NOT NULL DEFAULT '{}',        -- JSON of ids and numbers, never message text
    status       TEXT    NOT NULL DEFAULT 'active'
                 CHECK (status IN ('active', 'amended', 'upheld', 'overturned')),
    conflict     INTEGER NOT NULL DEFAULT 0 CHECK (conflict IN (0, 1)),
    amends_id    INTEGER REFERENCES cases (id),        -- the row this one replaces; NULL: an original
    root_id      INTEGER REFERENCES cases (id),        -- the original row (the case number); NULL: itself
    created_at   TEXT    NOT NULL                      -- ISO-8601 UTC
);

CREATE UNIQUE INDEX cases_amends ON cases (amends_id) WHERE amends_id IS NOT NULL;
CREATE INDEX cases_target ON cases (guild_id, target_id, id);
CREATE INDEX cases_actor ON cases (guild_id, actor_id, id);
CREATE INDEX cases_kind ON cases (guild_id, kind, id);
CREATE INDEX cases_root ON cases (root_id) WHERE root_id IS NOT NULL;

CREATE TRIGGER cases_no_update BEFORE UPDATE ON cases
BEGIN
    SELECT RAISE(ABORT, 'cases are append-only: record an amendment instead of changing a case');
END;

CREATE TRIGGER cases_no_delete BEFORE DELETE ON cases
BEGIN
    SELECT RAISE(ABORT, 'cases are append-only: cases are never deleted');
END;

-- INSERT OR REPLACE deletes the conflicting row without firing DELETE triggers; refuse it up front.
CREATE TRIGGER cases_no_replace BEFORE INSERT ON cases
WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM cases WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'cases are append-only: a case id is never reused');
END;

CREATE TRIGGER cases_amendment_chain BEFORE INSERT ON cases
WHEN NEW.amends_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'an amendment must point to an existing case of the same guild')
    WHERE NOT EXISTS (SELECT 1 FROM cases WHERE id = NEW.amends_id AND guild_id = NEW.guild_id);
    SELECT RAISE(ABORT, 'that case row was already amended: amend the newest row of the case')
    WHERE EXISTS (SELECT 1 FROM cases WHERE amends_id = NEW.amends_id);
    SELECT RAISE(ABORT, 'an amendment keeps the case number of the row it amends')
    WHERE NEW.root_id IS NOT (SELECT COALESCE(root_id, id) FROM cases WHERE id = NEW.amends_id);
END;

CREATE TRIGGER cases_original_root BEFORE INSERT ON cases
WHEN NEW.amends_id IS NULL AND NEW.root_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'an original case has no root_id');
END;

-- Appeals: one per case; routed to a moderator who took no part in it; reminder deadline stored.
CREATE TABLE case_appeals (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id          INTEGER NOT NULL,
    case_id           INTEGER NOT NULL UNIQUE REFERENCES cases (id),   -- the case number (root row)
    appellant_id      INTEGER NOT NULL,
    statement         TEXT    NOT NULL,                -- the member's appeal, addressed to the moderators
    reviewer_id       INTEGER,                         -- NULL: nobody uninvolved; any uninvolved moderator
    status            TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'overturned')),
    created_at        TEXT    NOT NULL,
    remind_at         TEXT    NOT NULL,                -- when an unanswered appeal's reviewer is reminded
    reminded_at       TEXT,
    decided_by        INTEGER,
    decided_at        TEXT,
    decision_reason   TEXT,
    decision_case_id  INTEGER REFERENCES cases (id),   -- the amendment row that records the decision
    review_channel_id INTEGER,
    review_message_id INTEGER
);

CREATE INDEX case_appeals_open ON case_appeals (status, remind_at);
CREATE INDEX case_appeals_guild ON case_appeals (guild_id, created_at);

-- Removals of verified physicians waiting for a second moderator.
CREATE TABLE case_confirmations (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id          INTEGER NOT NULL,
    kind              TEXT    NOT NULL CHECK (kind IN ('kick', 'ban')),
    target_id         INTEGER NOT NULL,
    requester_id      INTEGER NOT NULL,
    reason            TEXT    NOT NULL CHECK (length(trim(reason)) >= 3),
    evidence_url      TEXT,
    details           TEXT    NOT NULL DEFAULT '{}',
    conflict          INTEGER NOT NULL DEFAULT 0 CHECK (conflict IN (0, 1)),
    status            TEXT    NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'confirmed', 'declined', 'expired', 'failed')),
    created_at        TEXT    NOT NULL,
    expires_at        TEXT    NOT NULL,
    decided_by        INTEGER,
    decided_at        TEXT,
    case_id           INTEGER REFERENCES cases (id),
    review_channel_id INTEGER,
    review_message_id INTEGER
);

CREATE INDEX case_confirmations_pending ON case_confirmations (status, expires_at);

-- Who addressed whom (reply or mention) in which channel, and when: ids and timestamps only.
CREATE TABLE case_interactions (
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    author_id  INTEGER NOT NULL,
    other_id   INTEGER NOT NULL,
    at         TEXT    NOT NULL
);

CREATE INDEX case_interactions_pair ON case_interactions (guild_id, author_id, other_id, at);
CREATE INDEX case_interactions_at ON case_interactions (at);
