-- 0004 verification: physician verification requests, decisions and periodic registry re-checks.
-- Revises: 0003 (de-escalation)
-- Reason: issue 6. Only the NPI, the qualifying taxonomy code, the decision, the reviewer and
--         timestamps are kept (plus short outcome words); never documents, never the typed name,
--         never the e-mail address (only its domain) and never the e-mail code (only a keyed hash
--         until it is used or expires).

CREATE TABLE verification_requests (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id          INTEGER NOT NULL,
    user_id           INTEGER NOT NULL,
    npi               TEXT    NOT NULL,
    taxonomy_code     TEXT,                               -- the qualifying code (207…/208…/390200000X)
    eligibility       TEXT    NOT NULL,                   -- physician, resident
    name_match        TEXT    NOT NULL,                   -- match, partial, mismatch
    binding           TEXT    NOT NULL DEFAULT 'moderator'
                      CHECK (binding IN ('moderator', 'email')),
    status            TEXT    NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('awaiting_code', 'pending', 'more_info', 'approved', 'denied',
                                        'superseded', 'revoked')),
    email_domain      TEXT,                               -- domain of the address a code went to
    code_digest       TEXT,                               -- HMAC of the code; cleared when used/expired
    code_expires_at   TEXT,
    code_attempts     INTEGER NOT NULL DEFAULT 0,          -- wrong tries of the current code
    code_sends        INTEGER NOT NULL DEFAULT 0,          -- codes sent for this request
    email_verified_at TEXT,
    review_channel_id INTEGER,                            -- the review card's message
    review_message_id INTEGER,
    reviewer_id       INTEGER,                            -- moderator who decided (or asked for more)
    reason            TEXT,                               -- the moderator's reason (deny / ask for more)
    created_at        TEXT    NOT NULL,                   -- ISO-8601 UTC
    updated_at        TEXT    NOT NULL,
    decided_at        TEXT,
    last_checked_at   TEXT,                               -- last registry re-check (approved rows)
    registry_status   TEXT                                -- active, deactivated, ineligible (re-check)
);

CREATE INDEX verification_requests_member ON verification_requests (guild_id, user_id, status);
CREATE INDEX verification_requests_npi ON verification_requests (guild_id, npi, status);
CREATE INDEX verification_requests_card ON verification_requests (guild_id, review_message_id);
CREATE INDEX verification_requests_recheck ON verification_requests (status, last_checked_at);

-- Form submissions, for the attempt limit (no NPI, no name: just who, when and the outcome word).
CREATE TABLE verification_attempts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    at         TEXT    NOT NULL,
    outcome    TEXT    NOT NULL                           -- queued, invalid_npi, ineligible, unavailable, ...
);

CREATE INDEX verification_attempts_member ON verification_attempts (guild_id, user_id, at);
