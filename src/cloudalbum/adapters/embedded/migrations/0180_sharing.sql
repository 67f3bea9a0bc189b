-- Sharing (issue 18): share links, looked up by the hash of their token, and the members of shared albums.

CREATE TABLE shares (
    id         TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    doc        TEXT NOT NULL          -- the Share as JSON
);
CREATE INDEX shares_owner_created ON shares (owner_id, created_at DESC, id DESC);

CREATE TABLE album_members (
    album_id      TEXT NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL,
    owner_id      TEXT NOT NULL,
    role          TEXT NOT NULL,
    show_location INTEGER NOT NULL DEFAULT 0,
    added_at      TEXT NOT NULL,
    PRIMARY KEY (album_id, user_id)
);
CREATE INDEX album_members_user ON album_members (user_id, added_at DESC, album_id DESC);

-- A contributor's own photos added to an album they are a member of: the photos stay theirs.
CREATE TABLE album_contributions (
    album_id       TEXT NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
    photo_id       TEXT NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    contributor_id TEXT NOT NULL,
    owner_id       TEXT NOT NULL,   -- the album's owner
    added_at       TEXT NOT NULL,
    PRIMARY KEY (album_id, photo_id)
);
CREATE INDEX album_contributions_order ON album_contributions (album_id, added_at DESC, photo_id DESC);
CREATE INDEX album_contributions_photo ON album_contributions (photo_id);
