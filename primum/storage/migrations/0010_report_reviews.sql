-- Moderators' verdicts on "This was a mistake" reports, and the labelled examples they become.
-- report_reviews follows a report's life (digest posted, verdict, member told) and goes with it
-- when the member asks Primum to forget them. calibration_examples keeps only what calibration
-- needs: a score, a category and a label, with no member id and no message text.

CREATE TABLE report_reviews (
    report_id       INTEGER PRIMARY KEY REFERENCES kindness_reports (id) ON DELETE CASCADE,
    guild_id        INTEGER NOT NULL,
    notified_at     TEXT,                -- when a #mod-log digest listed it
    card_channel_id INTEGER,
    card_message_id INTEGER,
    verdict         TEXT CHECK (verdict IN ('mistake', 'fair')),
    decided_by      INTEGER,
    decided_at      TEXT,
    member_told     INTEGER NOT NULL DEFAULT 0 CHECK (member_told IN (0, 1))
);
CREATE INDEX report_reviews_card ON report_reviews (card_message_id);

CREATE TABLE calibration_examples (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    source        TEXT    NOT NULL,      -- 'report_review'; other features add their own
    source_id     INTEGER NOT NULL,
    score         REAL    NOT NULL,      -- the be-kind score the model gave at the time
    category      TEXT    NOT NULL,
    label         INTEGER NOT NULL CHECK (label IN (0, 1)),  -- 1: unkind (the nudge was fair)
    model_version TEXT    NOT NULL,
    decided_by    INTEGER NOT NULL,
    created_at    TEXT    NOT NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX calibration_examples_guild ON calibration_examples (guild_id, model_version);
