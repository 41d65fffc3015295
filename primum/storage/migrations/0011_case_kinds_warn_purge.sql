-- 0011 case kinds `warn` and `purge`.
-- Revises: 0006 (case hash chain)
-- Reason: issue 17. A warning the member receives and a purge of a burst of messages were recorded
--   as a `note` marked {"warning": 1} and as a `hide` carrying {"purge": n}; they get kinds of their
--   own so that /case, /standing, appeals and the owners' report name them for what they are.
--   Rows written before this migration are not rewritten (the log is append-only): Primum reads
--   them as `warn` and `purge` (primum.domain.cases.stored_kind).
-- SQLite cannot change a CHECK in place, so the table is rebuilt as in 0006: copied aside, dropped,
-- created again and refilled with the same ids, the same hash-chain columns (prev_hash, row_hash)
-- and the same AUTOINCREMENT high-water mark, so `primum db verify` keeps verifying every old row.
-- Deferred foreign keys let case_appeals and case_confirmations point at the refilled rows again
-- before COMMIT.

PRAGMA defer_foreign_keys = ON;

CREATE TABLE cases_0010 AS SELECT * FROM cases;
CREATE TABLE cases_0010_seq AS SELECT seq FROM sqlite_sequence WHERE name = 'cases';
DROP TABLE cases;

CREATE TABLE cases (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id     INTEGER NOT NULL,
    kind         TEXT    NOT NULL
                 CHECK (kind IN ('hide', 'slowmode', 'cooldown', 'lift', 'verification', 'kick', 'ban',
                                 'unban', 'note', 'forget', 'warn', 'purge')),
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
                   conflict, amends_id, root_id, created_at, prev_hash, row_hash)
SELECT id, guild_id, kind, target_id, actor_id, reason, evidence_url, duration_s, details, status,
       conflict, amends_id, root_id, created_at, prev_hash, row_hash
FROM cases_0010 ORDER BY id;

-- Keep AUTOINCREMENT's high-water mark: a deleted newest row must stay detectable.
UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT MAX(seq) FROM cases_0010_seq), 0)) WHERE name = 'cases';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'cases', MAX(seq) FROM cases_0010_seq
WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'cases') AND EXISTS (SELECT 1 FROM cases_0010_seq);

DROP TABLE cases_0010;
DROP TABLE cases_0010_seq;

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
