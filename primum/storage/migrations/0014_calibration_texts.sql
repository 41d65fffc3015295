-- 0014 calibration texts: the message text of a report-review verdict, when the owner opted in.
-- Revises: 0010 report reviews
-- Reason: issue 17 (a closed false-positive loop). Off by default: calibration_examples holds a
--         score and a label only. When a server's owner opts in, the nudged message's text is kept
--         beside its example so `primum calibrate --from-db` can score it again with another model.
--         The author's id is kept only so that their "forget me" removes the text; it expires like
--         every other kept text.

CREATE TABLE calibration_texts (
    example_id  INTEGER PRIMARY KEY REFERENCES calibration_examples (id) ON DELETE CASCADE,
    guild_id    INTEGER NOT NULL,
    author_id   INTEGER NOT NULL,
    text        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL
);
CREATE INDEX calibration_texts_author ON calibration_texts (guild_id, author_id);
CREATE INDEX calibration_texts_expiry ON calibration_texts (expires_at);
