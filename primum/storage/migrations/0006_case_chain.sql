-- 0006 case hash chain, forget cases, repeat appeals.
-- Revises: 0005 (moderation cases)
-- Reason: issue 16 (accountability, privacy, backups).
--   * cases.prev_hash / cases.row_hash: each case row carries the SHA-256 of its own fields and of
--     the row before it, so `primum db verify` detects a row edited or deleted outside Primum.
--     Rows written before this migration are sealed in id order by Primum (primum.storage.case_chain)
--     right after it runs: SQLite has no SHA-256 of its own. The only UPDATE the append-only trigger
--     now lets through is that one-time seal (both hashes from NULL to a value, nothing else).
--   * cases.kind gains 'forget': every deletion of a member's data leaves a case with its reason.
--   * case_appeals.case_id is no longer UNIQUE: one *open* appeal per case, and a new appeal after
--     the case was amended since the last decision (the service decides; the index keeps one open).
-- SQLite cannot change a CHECK or a UNIQUE column in place, so both tables are rebuilt: copied
-- aside, dropped, created again and refilled with the same ids. Renaming is not an option while
-- foreign keys are on (SQLite would rewrite the other tables' REFERENCES to the old name), and they
-- cannot be switched off inside the migration's transaction; deferring them lets the drop orphan
-- the appeals and confirmations until the refill gives them their parents back, before COMMIT.

PRAGMA defer_foreign_keys = ON;

CREATE TABLE cases_0005 AS SELECT * FROM cases;
CREATE TABLE cases_0005_seq AS SELECT seq FROM sqlite_sequence WHERE name = 'cases';
DROP TABLE cases;

CREATE TABLE cases (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id     INTEGER NOT NULL,
    kind         TEXT    NOT NULL
                 CHECK (kind IN ('hide', 'slowmode', 'cooldown', 'lift', 'verification', 'kick', 'ban',
                                 'unban', 'note', 'forget')),
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
    created_at   TEXT    NOT NULL,                     -- ISO-8601 UTC
    prev_hash    TEXT,                                 -- row_hash of the row before (64 zeros for the first)
    row_hash     TEXT                                  -- SHA-256 of this row's fields and prev_hash
);

INSERT INTO cases (id, guild_id, kind, target_id, actor_id, reason, evidence_url, duration_s, details, status,
                   conflict, amends_id, root_id, created_at)
SELECT id, guild_id, kind, target_id, actor_id, reason, evidence_url, duration_s, details, status,
       conflict, amends_id, root_id, created_at
FROM cases_0005 ORDER BY id;

-- Keep AUTOINCREMENT's high-water mark: a deleted newest row must stay detectable.
UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT MAX(seq) FROM cases_0005_seq), 0)) WHERE name = 'cases';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'cases', MAX(seq) FROM cases_0005_seq
WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'cases') AND EXISTS (SELECT 1 FROM cases_0005_seq);

DROP TABLE cases_0005;
DROP TABLE cases_0005_seq;

CREATE UNIQUE INDEX cases_amends ON cases (amends_id) WHERE amends_id IS NOT NULL;
CREATE INDEX cases_target ON cases (guild_id, target_id, id);
CREATE INDEX cases_actor ON cases (guild_id, actor_id, id);
CREATE INDEX cases_kind ON cases (guild_id, kind, id);
CREATE INDEX cases_root ON cases (root_id) WHERE root_id IS NOT NULL;

CREATE TRIGGER cases_no_update BEFORE UPDATE ON cases
WHEN NOT (OLD.row_hash IS NULL AND OLD.prev_hash IS NULL AND NEW.row_hash IS NOT NULL
          AND NEW.prev_hash IS NOT NULL AND NEW.id IS OLD.id AND NEW.guild_id IS OLD.guild_id
          AND NEW.kind IS OLD.kind AND NEW.target_id IS OLD.target_id AND NEW.actor_id IS OLD.actor_id
          AND NEW.reason IS OLD.reason AND NEW.evidence_url IS OLD.evidence_url
          AND NEW.duration_s IS OLD.duration_s AND NEW.details IS OLD.details AND NEW.status IS OLD.status
          AND NEW.conflict IS OLD.conflict AND NEW.amends_id IS OLD.amends_id AND NEW.root_id IS OLD.root_id
          AND NEW.created_at IS OLD.created_at)
BEGIN
    SELECT RAISE(ABORT, 'cases are append-only: record an amendment instead of changing a case');
END;

CREATE TRIGGER cases_no_delete BEFORE DELETE ON cases
BEGIN
    SELECT RAISE(ABORT, 'cases are append-only: cases are never deleted');
END;

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

-- Appeals: any number per case over time, one open at a time.
CREATE TABLE case_appeals_0005 AS SELECT * FROM case_appeals;
CREATE TABLE case_appeals_0005_seq AS SELECT seq FROM sqlite_sequence WHERE name = 'case_appeals';
DROP TABLE case_appeals;

CREATE TABLE case_appeals (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id          INTEGER NOT NULL,
    case_id           INTEGER NOT NULL REFERENCES cases (id),          -- the case number (root row)
    appellant_id      INTEGER NOT NULL,
    statement         TEXT    NOT NULL,                -- the member's words; expire after the decision
    reviewer_id       INTEGER,                         -- NULL: nobody uninvolved; any uninvolved moderator
    status            TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'overturned')),
    created_at        TEXT    NOT NULL,
    remind_at         TEXT    NOT NULL,
    reminded_at       TEXT,
    decided_by        INTEGER,
    decided_at        TEXT,
    decision_reason   TEXT,
    decision_case_id  INTEGER REFERENCES cases (id),
    review_channel_id INTEGER,
    review_message_id INTEGER,
    statement_expired INTEGER NOT NULL DEFAULT 0 CHECK (statement_expired IN (0, 1))
);

INSERT INTO case_appeals (id, guild_id, case_id, appellant_id, statement, reviewer_id, status, created_at,
                          remind_at, reminded_at, decided_by, decided_at, decision_reason, decision_case_id,
                          review_channel_id, review_message_id)
SELECT id, guild_id, case_id, appellant_id, statement, reviewer_id, status, created_at, remind_at, reminded_at,
       decided_by, decided_at, decision_reason, decision_case_id, review_channel_id, review_message_id
FROM case_appeals_0005 ORDER BY id;

UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT MAX(seq) FROM case_appeals_0005_seq), 0))
WHERE name = 'case_appeals';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'case_appeals', MAX(seq) FROM case_appeals_0005_seq
WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'case_appeals')
  AND EXISTS (SELECT 1 FROM case_appeals_0005_seq);

DROP TABLE case_appeals_0005;
DROP TABLE case_appeals_0005_seq;

CREATE UNIQUE INDEX case_appeals_one_open ON case_appeals (case_id) WHERE status = 'open';
CREATE INDEX case_appeals_case ON case_appeals (case_id, id);
CREATE INDEX case_appeals_open ON case_appeals (status, remind_at);
CREATE INDEX case_appeals_guild ON case_appeals (guild_id, created_at);
