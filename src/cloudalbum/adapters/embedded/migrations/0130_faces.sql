-- People (issue 8): faces with their embeddings, the people they are grouped into, and the owner's setting.
-- A face goes with its photo (cascade); a person is kept or deleted by the people service.

CREATE TABLE faces (
    id             TEXT PRIMARY KEY,
    owner_id       TEXT NOT NULL,
    photo_id       TEXT NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    person_id      TEXT,
    x              INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    embedding      BLOB NOT NULL,          -- float32 little-endian
    doc            TEXT NOT NULL           -- the Face without its embedding, as JSON
);
CREATE INDEX faces_photo ON faces (photo_id, x, id);
CREATE INDEX faces_person ON faces (person_id, created_at, id);
CREATE INDEX faces_owner ON faces (owner_id);

CREATE TABLE people (
    id           TEXT PRIMARY KEY,
    owner_id     TEXT NOT NULL,
    photo_count  INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    centroid_sum BLOB NOT NULL,            -- float32 little-endian
    doc          TEXT NOT NULL             -- the Person without its centroid, as JSON
);
CREATE INDEX people_owner_count ON people (owner_id, photo_count DESC, id);

CREATE TABLE face_settings (
    owner_id      TEXT PRIMARY KEY,
    face_grouping INTEGER NOT NULL
);

-- Free text gains a "people" column (names of the people in the photo). FTS5 cannot add a column: the table is
-- rebuilt with the existing rows copied (no photo had faces before this migration, so people is empty).
DROP TRIGGER search_doc_cleanup;
ALTER TABLE search_fts RENAME TO search_fts_0100;
CREATE VIRTUAL TABLE search_fts USING fts5 (
    labels, categories, place, camera, title, description, answers, date, people,
    tokenize = 'unicode61', prefix = '2 3 4'
);
INSERT INTO search_fts (rowid, labels, categories, place, camera, title, description, answers, date, people)
    SELECT rowid, labels, categories, place, camera, title, description, answers, date, '' FROM search_fts_0100;
DROP TABLE search_fts_0100;
CREATE TRIGGER search_doc_cleanup AFTER DELETE ON search_doc BEGIN
    DELETE FROM search_fts WHERE rowid = old.docid;
    DELETE FROM search_geo WHERE docid = old.docid;
END;
