"""Maintenance: repairs what a crash can leave behind. Safe to run at any time, any number of times, by any
number of processes at once.

Its cost follows the work in flight, never the size of the library: it reads two indexes of pending work and
nothing else (no listing of the blob store, no read per photo).

* **Stuck uploads.** A photo still "uploaded" some minutes after its upload lost its processing job (the
  process died between writing the record and enqueueing, or the queue refused): enqueue it again. The store's
  `stale_photos` reads an index that holds unfinished photos only (SQLite: an index on status and upload time;
  DynamoDB: the sparse GSI3, sharded). Processing is idempotent, so a duplicate job costs a little time and
  nothing else. A photo stuck in "processing" is the queue's to redeliver (its last delivery marks it failed).
* **Orphan blobs** (blobs whose record is gone or never came): every place that can leave one writes a
  `PendingBlobs` entry first. An upload writes it before it stores the original and removes it once the record
  is written; a delete writes it before it removes the record and leaves it for this sweep. An entry older than
  the grace period whose photo has no record is a crash between the two (or a deleted photo): the photo's
  original and everything under thumbnails/<owner>/<photo>/ (thumbnails, face crops, also what a worker wrote
  for a photo deleted under it) are deleted, then the entry. An entry whose photo has a record only goes.
  A blob can only be stored after its entry exists, so no orphan escapes the index.
* **The trash.** Photos trashed more than `trash_days` ago are deleted for good (TrashService.purge), read from
  the store's index of trashed photos by time (`PhotoStore.trashed_before`), never a scan of the library.
* **Temporary files.** A blob store that keeps temporary files for writes in flight (the file store) offers
  `sweep_temp(older_than=...)`: temporary files older than the grace period are writes whose process died.

`cloudalbum gc --reorder EMAIL` (`reorder`) moves an account's photos whose taken_at carries an offset to
their UTC instant in every list (issue 16.1: DynamoDB items written before it keep the wall-clock position; SQLite
was rewritten by migration 0270): one pass over that owner's list, a page at a time, no Scan.

`cloudalbum gc --scan-blobs` (`scan_blobs`) still lists every original and thumbnail once, for orphans left by
versions that wrote no pending entries; nothing runs it on a timer.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..config import Settings
from ..domain.blob_keys import DERIVED, ORIGINALS, original_key, photo_id_of_blob, thumbnails_prefix
from ..domain.jobs import ProcessPhoto
from ..domain.model import PhotoStatus
from ..domain.times import has_offset
from ..ports import BlobStore, JobQueue, PendingBlobs, PhotoStore
from .uploads import pending_stamp as stamp

if TYPE_CHECKING:  # pragma: no cover
    from .trash import TrashService

log = logging.getLogger("cloudalbum.maintenance")

STALE_UPLOAD_S = 5 * 60
ORPHAN_GRACE_S = 15 * 60  # longer than a worker's job (the Lambda timeout is at most 900 s)
BATCH = 100
MAX_BATCHES = 10  # a pass handles at most this many batches of each kind; the next pass goes on


@dataclass
class MaintenanceReport:
    requeued: int = 0
    orphans_deleted: int = 0
    pending_cleared: int = 0
    temp_files_deleted: int = 0
    purged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"requeued": self.requeued, "orphans_deleted": self.orphans_deleted,
                "pending_cleared": self.pending_cleared, "temp_files_deleted": self.temp_files_deleted,
                "purged": self.purged}


class MaintenanceService:
    def __init__(self, photos: PhotoStore, blobs: BlobStore, queue: JobQueue, settings: Settings, *,
                 stale_upload_s: int = STALE_UPLOAD_S, orphan_grace_s: int = ORPHAN_GRACE_S,
                 trash: TrashService | None = None) -> None:
        self.photos = photos
        self.trash = trash
        self.blobs = blobs
        self.queue = queue
        self.settings = settings
        self.stale_upload_s = stale_upload_s
        self.orphan_grace_s = orphan_grace_s

    def reorder(self, owner_id: str) -> tuple[int, int]:
        """(photos read, photos moved) by reorder_owner."""
        return reorder_owner(self.photos, owner_id)

    def run_once(self, now: float | None = None) -> MaintenanceReport:
        """One pass of every repair; errors in one do not stop the others."""
        now = time.time() if now is None else now
        report = MaintenanceReport()
        try:
            report.requeued = self.requeue_stale_uploads(now)
        except Exception as exc:
            log.warning("re-enqueueing stale uploads failed: %s", exc)
        try:
            report.orphans_deleted, report.pending_cleared = self.sweep_pending_blobs(now)
        except Exception as exc:
            log.warning("sweeping pending blobs failed: %s", exc)
        if self.trash is not None:
            try:
                report.purged = self.trash.purge(now)
            except Exception as exc:
                log.warning("purging the trash failed: %s", exc)
        try:
            report.temp_files_deleted = self.blobs.sweep_temp(older_than=now - self.orphan_grace_s)
        except Exception as exc:
            log.warning("sweeping temporary blob files failed: %s", exc)
        if report.requeued or report.orphans_deleted or report.temp_files_deleted or report.purged:
            log.info("maintenance: %s", report.as_dict())
        return report

    def requeue_stale_uploads(self, now: float) -> int:
        # Upload times are stored to the second and stale_photos compares strictly, so the cutoff is the next
        # whole second: a photo uploaded in the very second that is stale_upload_s ago counts (with a zero
        # delay, one uploaded a moment ago does; re-enqueueing an upload in flight is harmless: idempotent).
        boundary = math.floor(now - self.stale_upload_s) + 1
        cutoff = datetime.fromtimestamp(boundary, UTC).isoformat(timespec="seconds")
        count = 0
        for photo in self.photos.stale_photos(PhotoStatus.UPLOADED.value, older_than=cutoff, limit=BATCH):
            self.queue.send(ProcessPhoto(photo.id, photo.owner_id).to_body())
            count += 1
        return count

    def sweep_pending_blobs(self, now: float) -> tuple[int, int]:
        """(blobs deleted, entries cleared): the pending entries older than the grace period."""
        cutoff = stamp(now - self.orphan_grace_s)
        deleted = cleared = 0
        for _ in range(MAX_BATCHES):
            entries = self.photos.pending_blobs(older_than=cutoff, limit=BATCH)
            for entry in entries:
                deleted += self._settle(entry)
                cleared += 1
            if len(entries) < BATCH:
                break
        return deleted, cleared

    def _settle(self, entry: PendingBlobs) -> int:
        """Delete the blobs of a photo that has no record, then forget the entry. Returns blobs deleted."""
        deleted = 0
        if self.photos.get_photo(entry.photo_id, None, trashed=True) is None:  # a trashed photo keeps its blobs
            keys = [original_key(entry.owner_id, entry.photo_id)]
            keys = [k for k in keys if self.blobs.exists(k)]
            keys += list(self.blobs.keys(thumbnails_prefix(entry.owner_id, entry.photo_id)))
            for key in keys:
                self.blobs.delete(key)
                log.info("deleted orphan blob %s", key)
            deleted = len(keys)
        self.photos.remove_pending_blobs(entry)
        return deleted

    def scan_blobs(self) -> int:
        """Delete every original and thumbnail without a photo record, found by listing the whole store.
        For blobs left by versions that wrote no pending entries; an operator runs it once (`cloudalbum gc
        --scan-blobs`), nothing on a timer. Photos with a pending entry (an upload in flight) are left to the
        regular sweep."""
        pending = self.photos.pending_blobs(older_than=stamp(time.time() + 86400), limit=1_000_000)
        in_flight = {e.photo_id for e in pending}
        deleted = 0
        for key in [*self.blobs.keys(ORIGINALS), *self.blobs.keys(DERIVED)]:
            photo_id = photo_id_of_blob(key)
            if photo_id is None or photo_id in in_flight or self.photos.get_photo(photo_id, None,
                                                                                         trashed=True) is not None:
                continue
            self.blobs.delete(key)
            deleted += 1
        return deleted


def reorder_owner(photos: PhotoStore, owner_id: str, *, page: int = 200) -> tuple[int, int]:
    """(photos read, photos moved): every photo of the owner's list whose time has an offset is moved to its UTC
    instant's position (PhotoStore.reposition; idempotent, safe beside live writes). Only the photo being walked
    moves (behind the walk, or ahead of it, where it is met again and left alone): nothing is skipped."""
    read = moved = 0
    cursor: str | None = None
    while True:
        got = photos.list_photos(owner_id, limit=page, cursor=cursor)
        read += len(got.items)
        moved += sum(1 for p in got.items if has_offset(p.taken_at) and photos.reposition(p.id))
        cursor = got.next_cursor
        if cursor is None:
            return read, moved
