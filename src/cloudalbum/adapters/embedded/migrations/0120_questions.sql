-- Follow-up questions (findability). The whole Question is a JSON doc; columns are what lists filter and sort on.

CREATE TABLE questions (
    id         TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL,
    photo_id   TEXT NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    subject    TEXT,
    status     TEXT NOT NULL,
    score      REAL NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX questions_owner_open ON questions (owner_id, status, score DESC, created_at, id);
CREATE INDEX questions_photo ON questions (photo_id, status);
