-- Batch edits (issue 15.5): one row per batch, and per photo it changed the before-values of the fields it
-- changed (JSON), so one undo restores exactly those. Batches expire after 30 days (expires_at, indexed:
-- the purge deletes only expired rows).
CREATE TABLE batches (
    id          TEXT PRIMARY KEY,
    owner_id    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    photo_ids   TEXT NOT NULL,            -- JSON list: the selection
    updated     INTEGER NOT NULL DEFAULT 0,
    album_id    TEXT,
    operations  TEXT NOT NULL,            -- JSON: what the batch was asked to do
    undone_at   TEXT
);
CREATE INDEX batches_expires ON batches (expires_at);
CREATE INDEX batches_owner ON batches (owner_id);
CREATE TABLE batch_photos (
    batch_id        TEXT NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    photo_id        TEXT NOT NULL,
    owner_id        TEXT NOT NULL,
    before          TEXT NOT NULL,        -- JSON: domain.photo_rules.apply_batch_edit's snapshot
    added_to_album  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (batch_id, photo_id)
);
CREATE INDEX batch_photos_owner ON batch_photos (owner_id);
