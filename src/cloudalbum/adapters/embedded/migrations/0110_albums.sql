-- Albums and membership (findability). A photo can be in several albums; deleting an album keeps the photos.

CREATE TABLE albums (
    id             TEXT PRIMARY KEY,
    owner_id       TEXT NOT NULL,
    name           TEXT NOT NULL,
    description    TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    cover_photo_id TEXT           -- explicit cover; NULL means the newest photo
);
CREATE INDEX albums_owner_created ON albums (owner_id, created_at DESC, id DESC);

CREATE TABLE album_photos (
    album_id TEXT NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
    photo_id TEXT NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    owner_id TEXT NOT NULL,
    sort_key TEXT NOT NULL,   -- copy of photos.sort_key, kept by the search index writes
    added_at TEXT NOT NULL,
    PRIMARY KEY (album_id, photo_id)
);
CREATE INDEX album_photos_sort ON album_photos (album_id, sort_key DESC, photo_id DESC);
CREATE INDEX album_photos_photo ON album_photos (photo_id);
