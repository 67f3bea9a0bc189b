-- Maintenance's index of pending work (issue 12): photos whose blobs may outlive their record. A row is written
-- before an upload stores the original (removed once the record is written) and before a delete removes the
-- record (removed by maintenance after the grace period). Maintenance reads only rows older than the grace
-- period, so its cost follows the work in flight, not the size of the library.
CREATE TABLE pending_blobs (
    photo_id TEXT NOT NULL,
    since    TEXT NOT NULL,            -- ISO UTC to the microsecond: sorts by age as text
    owner_id TEXT NOT NULL,
    PRIMARY KEY (photo_id, since)
);
CREATE INDEX pending_blobs_since ON pending_blobs (since);
