-- Identical files once (issue 15 item 1, issue 19): the SHA-256 of each original, unique per owner. The
-- upload looks a file up by it before storing anything; the unique index settles concurrent uploads of the
-- same bytes (the second record write fails, its blob is removed and the first photo is answered).
ALTER TABLE photos ADD COLUMN sha256 TEXT;
CREATE UNIQUE INDEX photos_owner_sha256 ON photos (owner_id, sha256) WHERE sha256 IS NOT NULL;
