-- 0013 be-kind: a hide records each step before it is taken, so a crash mid-hide is resumed once.
-- Revises: 0002 be-kind
-- Reason: issue 16 (exactly-once side effects). A hide is: delete the message, return its text to
--         the author by DM, post to the mod-log. The row now says which step comes next and when a
--         send was attempted, so a restart finishes the hide without deleting, DMing or posting twice.
--         The text to return is kept (in kindness_texts, with its usual expiry) from before the
--         deletion until the author has it back, so a crash in between cannot lose it.

ALTER TABLE kindness_hides ADD COLUMN stage TEXT NOT NULL DEFAULT 'done'
    CHECK (stage IN ('deleting', 'returning', 'reporting', 'done'));
ALTER TABLE kindness_hides ADD COLUMN deleted INTEGER CHECK (deleted IN (0, 1));
ALTER TABLE kindness_hides ADD COLUMN scores TEXT;             -- JSON {category: score}, for the mod-log line
ALTER TABLE kindness_hides ADD COLUMN dm_attempted_at TEXT;    -- intent: the text-return DM may have been sent
ALTER TABLE kindness_hides ADD COLUMN modlog_attempted_at TEXT; -- intent: the mod-log post may have been made
CREATE INDEX kindness_hides_unfinished ON kindness_hides (created_at) WHERE stage <> 'done';
