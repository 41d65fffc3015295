-- Names Primum saw in Discord, so that reports read offline show names rather than ids.
-- Channels by their name; members only when they act as moderators (their display name).
-- One row per (guild, kind, id), overwritten when the name changes; a member's row goes when
-- they ask Primum to forget them.

CREATE TABLE known_names (
    guild_id INTEGER NOT NULL,
    kind     TEXT    NOT NULL CHECK (kind IN ('channel', 'member')),
    id       INTEGER NOT NULL,
    name     TEXT    NOT NULL,
    seen_at  TEXT    NOT NULL,
    PRIMARY KEY (guild_id, kind, id)
);
