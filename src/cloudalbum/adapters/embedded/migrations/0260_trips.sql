-- Trips (issue 16 item 5): an owner's trips as domain.trips finds them (they never overlap in time), and the
-- windows ("YYYY-MM") waiting for a recompute, so changes to one window coalesce into one job.
CREATE TABLE trips (
    id             TEXT PRIMARY KEY,
    owner_id       TEXT NOT NULL,
    title          TEXT NOT NULL,
    start_at       TEXT NOT NULL,  -- taken_at of its first photo away, as stored
    end_at         TEXT NOT NULL,
    start_s        REAL NOT NULL,  -- their instants (epoch seconds)
    end_s          REAL NOT NULL,
    places         TEXT NOT NULL,  -- JSON list of "City, Country"
    photo_count    INTEGER NOT NULL,
    cover_photo_id TEXT,
    named          INTEGER NOT NULL DEFAULT 0,  -- the title is the user's answer to "Name this trip?"
    question_id    TEXT
);
-- GET /api/trips (newest first) and the overlap read of a recompute (backwards from a window's end)
CREATE INDEX trips_owner_start ON trips (owner_id, start_s DESC, id DESC);

CREATE TABLE trip_windows (
    owner_id   TEXT NOT NULL,
    month      TEXT NOT NULL,
    claimed_at REAL NOT NULL,
    PRIMARY KEY (owner_id, month)
) WITHOUT ROWID;
