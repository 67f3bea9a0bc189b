-- Search index of photos (findability). One search_doc row per photo, with an integer docid that the FTS5
-- and R*Tree tables key on; sort_key is a copy of photos.sort_key so label/place/category lookups walk their
-- index already in list order (newest first) and stop after one page.

CREATE TABLE search_doc (
    docid     INTEGER PRIMARY KEY,
    photo_id  TEXT NOT NULL UNIQUE REFERENCES photos(id) ON DELETE CASCADE,
    owner_id  TEXT NOT NULL,
    sort_key  TEXT NOT NULL,
    status    TEXT NOT NULL,
    taken_day TEXT,           -- "YYYY-MM-DD" of taken_at as the camera gave it
    taken_ts  REAL,           -- taken_at as seconds (naive times read as UTC): events and bursts
    lat       REAL,
    lon       REAL,
    taken_at  TEXT,
    labels    TEXT            -- JSON [[name, confidence], ...] of visible labels: map markers without the doc
);
CREATE INDEX search_doc_owner_sort ON search_doc (owner_id, sort_key DESC, photo_id DESC);
CREATE INDEX search_doc_owner_day ON search_doc (owner_id, taken_day);
CREATE INDEX search_doc_owner_ts ON search_doc (owner_id, taken_ts);

-- Visible labels: label is domain.search.label_key(name) ("dogs" and "Dog" are "dog").
CREATE TABLE search_label (
    docid      INTEGER NOT NULL REFERENCES search_doc(docid) ON DELETE CASCADE,
    owner_id   TEXT NOT NULL,
    label      TEXT NOT NULL,
    confidence REAL NOT NULL,
    sort_key   TEXT NOT NULL,
    photo_id   TEXT NOT NULL
);
CREATE INDEX search_label_owner_conf ON search_label (owner_id, label, confidence);
CREATE INDEX search_label_owner_sort ON search_label (owner_id, label, sort_key DESC, photo_id DESC, confidence);
CREATE INDEX search_label_doc ON search_label (docid, label, confidence);

-- Exact-match terms: kind 'place' (city, region, country, country code) and 'category'; value casefolded.
CREATE TABLE search_term (
    docid    INTEGER NOT NULL REFERENCES search_doc(docid) ON DELETE CASCADE,
    owner_id TEXT NOT NULL,
    kind     TEXT NOT NULL,
    value    TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    photo_id TEXT NOT NULL
);
CREATE INDEX search_term_owner_sort ON search_term (owner_id, kind, value, sort_key DESC, photo_id DESC);
CREATE INDEX search_term_doc ON search_term (docid, kind, value);

-- Free text: the fields of domain.search.text_fields, already stemmed by domain.search.words, so the index
-- and the pure rule agree; queries are prefix queries ("hors"* finds "hors" from horse and horses).
CREATE VIRTUAL TABLE search_fts USING fts5 (
    labels, categories, place, camera, title, description, answers, date,
    tokenize = 'unicode61', prefix = '2 3 4'
);

-- Location: points as zero-size boxes.
CREATE VIRTUAL TABLE search_geo USING rtree (docid, min_lon, max_lon, min_lat, max_lat);

-- Virtual tables have no foreign keys: clean them when a search_doc row goes (also by the photos cascade).
CREATE TRIGGER search_doc_cleanup AFTER DELETE ON search_doc BEGIN
    DELETE FROM search_fts WHERE rowid = old.docid;
    DELETE FROM search_geo WHERE docid = old.docid;
END;
