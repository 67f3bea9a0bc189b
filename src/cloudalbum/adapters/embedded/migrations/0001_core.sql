-- Users, logins, refresh tokens, throttling events and photos: the embedded metadata store's core.
-- Photos are stored as a JSON document (doc) plus the columns queries filter and sort on.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    email_key     TEXT NOT NULL UNIQUE,  -- lower-cased email: uniqueness is case-insensitive
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE refresh_tokens (
    jti        TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE hits (
    key TEXT NOT NULL,
    at  REAL NOT NULL
);
CREATE INDEX hits_key_at ON hits (key, at);
CREATE INDEX hits_at ON hits (at);

CREATE TABLE photos (
    id          TEXT PRIMARY KEY,
    owner_id    TEXT NOT NULL,
    status      TEXT NOT NULL,
    sort_key    TEXT NOT NULL,  -- "YYYY-MM-DDTHH:MM:SS" of taken_at, else of uploaded_at: newest first
    taken_at    TEXT,
    uploaded_at TEXT NOT NULL,
    bytes       INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 0,
    doc         TEXT NOT NULL   -- the whole Photo as JSON (domain.model.to_dict)
);
CREATE INDEX photos_owner_sort ON photos (owner_id, sort_key DESC, id DESC);
CREATE INDEX photos_owner_status_sort ON photos (owner_id, status, sort_key DESC, id DESC);
CREATE INDEX photos_status_uploaded ON photos (status, uploaded_at);
