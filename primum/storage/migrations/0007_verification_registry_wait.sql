-- 0007 verification: requests wait for the NPI Registry instead of failing; refused ones can ask a human.
-- Revises: 0004 (verification_requests)
-- Reason: issue 15. Two new statuses: 'awaiting_registry' (the registry could not answer; a
--         scheduled action in scheduled_actions retries it in the background) and 'ineligible'
--         (the registry check refused it; the member may ask the moderators for a human review).
--         SQLite cannot change a CHECK constraint, so the table is rebuilt with the same rows.
--         typed_name / typed_specialty / typed_state hold what the member typed ONLY while the
--         request waits for the registry (the name comparison needs it when the registry answers);
--         they are cleared (NULL) the moment the request is decided or closed.
--         name_match now holds a grade: exact, variant, other_name, close, none ('' while waiting);
--         rows written before keep match, partial or mismatch.

CREATE TABLE verification_requests_new (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id           INTEGER NOT NULL,
    user_id            INTEGER NOT NULL,
    npi                TEXT    NOT NULL,
    taxonomy_code      TEXT,
    eligibility        TEXT    NOT NULL,                  -- physician, resident, ineligible, unknown (waiting)
    name_match         TEXT    NOT NULL,
    binding            TEXT    NOT NULL DEFAULT 'moderator'
                       CHECK (binding IN ('moderator', 'email')),
    status             TEXT    NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('awaiting_registry', 'ineligible', 'awaiting_code', 'pending', 'more_info',
                                         'approved', 'denied', 'superseded', 'revoked')),
    email_domain       TEXT,
    code_digest        TEXT,
    code_expires_at    TEXT,
    code_attempts      INTEGER NOT NULL DEFAULT 0,
    code_sends         INTEGER NOT NULL DEFAULT 0,
    email_verified_at  TEXT,
    review_channel_id  INTEGER,
    review_message_id  INTEGER,
    reviewer_id        INTEGER,
    reason             TEXT,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    decided_at         TEXT,
    last_checked_at    TEXT,
    registry_status    TEXT,                               -- re-checks; for 'ineligible' rows: why (not_found, ...)
    typed_name         TEXT,                               -- only while awaiting_registry
    typed_specialty    TEXT,                               -- only while awaiting_registry
    typed_state        TEXT,                               -- only while awaiting_registry
    registry_attempts  INTEGER NOT NULL DEFAULT 0,         -- background lookups that found the registry down
    registry_action_id INTEGER                             -- the live scheduled_actions row retrying it
);

INSERT INTO verification_requests_new (
    id, guild_id, user_id, npi, taxonomy_code, eligibility, name_match, binding, status, email_domain, code_digest,
    code_expires_at, code_attempts, code_sends, email_verified_at, review_channel_id, review_message_id, reviewer_id,
    reason, created_at, updated_at, decided_at, last_checked_at, registry_status)
SELECT id, guild_id, user_id, npi, taxonomy_code, eligibility, name_match, binding, status, email_domain, code_digest,
    code_expires_at, code_attempts, code_sends, email_verified_at, review_channel_id, review_message_id, reviewer_id,
    reason, created_at, updated_at, decided_at, last_checked_at, registry_status
FROM verification_requests;

DROP TABLE verification_requests;
ALTER TABLE verification_requests_new RENAME TO verification_requests;

CREATE INDEX verification_requests_member ON verification_requests (guild_id, user_id, status);
CREATE INDEX verification_requests_npi ON verification_requests (guild_id, npi, status);
CREATE INDEX verification_requests_card ON verification_requests (guild_id, review_message_id);
CREATE INDEX verification_requests_recheck ON verification_requests (status, last_checked_at);
