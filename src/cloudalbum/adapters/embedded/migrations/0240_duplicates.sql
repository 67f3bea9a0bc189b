-- Duplicates (issue 15 item 2). dup_keys: the lookup keys of each photo in the library (domain.duplicates
-- .lookup_keys: its pixel hash and the pHash bands of its framings), and dup_prints its fingerprint (once, not
-- once a key: 17 copies took 460 MB at 100k photos), written by the photo's own write beside its search rows
-- (none while it is in the trash), so a new photo finds its candidates by one probe of the keys and checks them
-- without reading a photo. dup_groups and dup_members: the open groups and which
-- group each photo is in (the primary key: at most one); dup_dismissed: the groups the owner dismissed, by photo,
-- so photos dismissed together are never grouped together again.
CREATE TABLE dup_keys (
    owner_id TEXT NOT NULL,
    key      TEXT NOT NULL,
    photo_id TEXT NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    PRIMARY KEY (owner_id, key, photo_id)
) WITHOUT ROWID;
CREATE INDEX dup_keys_photo ON dup_keys (photo_id);
CREATE TABLE dup_prints (
    photo_id TEXT PRIMARY KEY REFERENCES photos (id) ON DELETE CASCADE,
    owner_id TEXT NOT NULL,
    fp       TEXT NOT NULL  -- domain.duplicates.Fingerprint.to_text()
) WITHOUT ROWID;

CREATE TABLE dup_groups (
    id       TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    version  INTEGER NOT NULL,
    doc      TEXT NOT NULL  -- domain.duplicates.DuplicateGroup as JSON
);
CREATE INDEX dup_groups_owner ON dup_groups (owner_id, id);

CREATE TABLE dup_members (
    photo_id TEXT PRIMARY KEY REFERENCES photos (id) ON DELETE CASCADE,
    group_id TEXT NOT NULL REFERENCES dup_groups (id) ON DELETE CASCADE,
    owner_id TEXT NOT NULL
);
CREATE INDEX dup_members_group ON dup_members (group_id);

CREATE TABLE dup_dismissed (
    photo_id TEXT NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    group_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    PRIMARY KEY (photo_id, group_id)
) WITHOUT ROWID;
CREATE INDEX dup_dismissed_owner ON dup_dismissed (owner_id);
