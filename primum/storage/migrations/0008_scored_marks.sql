-- 0006 scored marks: per channel, the newest message id be-kind has scored (ids only, no text).
-- Revises: 0005 moderation cases
-- Reason: issue 16 (catch-up). After a restart or a non-resumable session reset, Primum scores the
--         messages newer than the mark and skips those it has already seen, so it never acts twice.

CREATE TABLE scored_marks (
    channel_id  INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    updated_at  TEXT    NOT NULL              -- ISO-8601 UTC
);
CREATE INDEX scored_marks_guild ON scored_marks (guild_id);
