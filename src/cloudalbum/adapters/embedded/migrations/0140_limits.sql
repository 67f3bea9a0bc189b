-- Per-user limits (issue 12): byte reservations against the quota, counted events per window (the hits table
-- of 0001 serves), the owner's face scan; and a covering index so an owner's stored bytes are summed from the
-- index alone.

CREATE TABLE byte_reservations (
    id         TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL,
    bytes      INTEGER NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX byte_reservations_owner ON byte_reservations (owner_id, expires_at);

CREATE TABLE face_scans (
    owner_id TEXT PRIMARY KEY,
    scan_id  TEXT NOT NULL,
    at       REAL NOT NULL,
    done     INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX photos_owner_bytes ON photos (owner_id, bytes);
