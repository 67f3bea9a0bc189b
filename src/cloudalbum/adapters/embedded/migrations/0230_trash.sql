-- The trash (issue 15 item 4). A trashed photo keeps its row (and its album memberships, questions and faces,
-- so a restore is exact) but leaves every list: the list indexes cover live photos only (partial indexes, so a
-- trashed photo costs a list nothing), its search rows are removed by the write that trashes it, and its album
-- memberships are flagged so album pages, counts and covers skip them through their own index.
ALTER TABLE photos ADD COLUMN trashed_at TEXT;
DROP INDEX photos_owner_sort;
DROP INDEX photos_owner_status_sort;
CREATE INDEX photos_owner_sort ON photos (owner_id, sort_key DESC, id DESC) WHERE trashed_at IS NULL;
CREATE INDEX photos_owner_status_sort ON photos (owner_id, status, sort_key DESC, id DESC) WHERE trashed_at IS NULL;
-- GET /api/trash (newest trashed first) and the purge (oldest first, every owner): only trashed photos
CREATE INDEX photos_owner_trash ON photos (owner_id, trashed_at DESC, id DESC) WHERE trashed_at IS NOT NULL;
CREATE INDEX photos_trashed_at ON photos (trashed_at, id) WHERE trashed_at IS NOT NULL;

ALTER TABLE album_photos ADD COLUMN trashed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX album_photos_live ON album_photos (album_id, trashed, sort_key DESC, photo_id DESC);
