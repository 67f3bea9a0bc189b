"""Maintenance: repairs what a crash can leave behind. Safe to run at any time, any number of times.

* A photo still "uploaded" some minutes after its upload lost its processing job (the process died between
  writing the record and enqueueing, or the queue refused): enqueue it again. Processing is idempotent, so a
  duplicate job costs a little time and nothing else.
* An original under originals/<owner>/<photo> with no record is the leftover of an upload that died between
  storing the bytes and writing the record (or of a delete that died after removing the record): delete it
  once it has been seen without a record for longer than the grace period, so uploads in flight are safe.
  Thumbnails under thumbnails/<owner>/<photo>/<size>.jpg without a record (a delete that died half way, or a
  worker that finished a photo deleted meanwhile) go the same way.
* A blob store that keeps temporary files for writes in flight (the file store) may offer
  `sweep_temp(older_than=...)`: temporary files older than the grace period are writes whose process died.

The BlobStore port has no modification times, so an orphan's age is measured from when this service first
saw it (a long-running server calls run_once every minute). A store that offers `modified_at(key) -> float`
(epoch seconds) lets a one-shot run (`cloudalbum gc`) judge age at once.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..config import Settings
from ..domain.model import PhotoStatus
from ..ports import BlobStore, JobQueue, MetadataStore
from .photos import photo_id_of_original

log = logging.getLogger("cloudalbum.maintenance")

STALE_UPLOAD_S = 5 * 60
ORPHAN_GRACE_S = 15 * 60
BATCH = 100


@dataclass
class MaintenanceReport:
    requeued: int = 0
    orphans_deleted: int = 0
    orphans_pending: int = 0
    temp_files_deleted: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"requeued": self.requeued, "orphans_deleted": self.orphans_deleted,
                "orphans_pending": self.orphans_pending, "temp_files_deleted": self.temp_files_deleted}


def photo_id_of_blob(key: str) -> str | None:
    """The photo an originals/<owner>/<photo> or thumbnails/<owner>/<photo>/<name> key belongs to."""
    parts = key.split("/")
    if len(parts) == 4 and parts[0] == "thumbnails" and parts[2]:
        return parts[2]
    return photo_id_of_original(key)


class MaintenanceService:
    def __init__(self, store: MetadataStore, blobs: BlobStore, queue: JobQueue, settings: Settings, *,
                 stale_upload_s: int = STALE_UPLOAD_S, orphan_grace_s: int = ORPHAN_GRACE_S) -> None:
        self.store = store
        self.blobs = blobs
        self.queue = queue
        self.settings = settings
        self.stale_upload_s = stale_upload_s
        self.orphan_grace_s = orphan_grace_s
        self._first_seen: dict[str, float] = {}  # orphan key -> when it was first seen without a record

    def run_once(self, now: float | None = None) -> MaintenanceReport:
        """One pass of both repairs; errors in one do not stop the other."""
        now = time.time() if now is None else now
        report = MaintenanceReport()
        try:
            report.requeued = self.requeue_stale_uploads(now)
        except Exception as exc:  # noqa: BLE001 - a maintenance loop must survive a bad pass
            log.warning("re-enqueueing stale uploads failed: %s", exc)
        try:
            report.orphans_deleted, report.orphans_pending = self.sweep_orphan_originals(now)
        except Exception as exc:  # noqa: BLE001
            log.warning("sweeping orphan originals failed: %s", exc)
        sweep_temp = getattr(self.blobs, "sweep_temp", None)
        if callable(sweep_temp):
            try:
                report.temp_files_deleted = sweep_temp(older_than=now - self.orphan_grace_s)
            except Exception as exc:  # noqa: BLE001
                log.warning("sweeping temporary blob files failed: %s", exc)
        if report.requeued or report.orphans_deleted or report.temp_files_deleted:
            log.info("maintenance: %s", report.as_dict())
        return report

    def requeue_stale_uploads(self, now: float) -> int:
        # Upload times are stored to the second and stale_photos compares strictly, so the cutoff is the next
        # whole second: a photo uploaded in the very second that is stale_upload_s ago counts (with a zero
        # delay, one uploaded a moment ago does; re-enqueueing an upload in flight is harmless: idempotent).
        boundary = math.floor(now - self.stale_upload_s) + 1
        cutoff = datetime.fromtimestamp(boundary, timezone.utc).isoformat(timespec="seconds")
        count = 0
        for photo in self.store.stale_photos(PhotoStatus.UPLOADED.value, older_than=cutoff, limit=BATCH):
            self.queue.send({"type": "process_photo", "photo_id": photo.id, "owner_id": photo.owner_id})
            count += 1
        return count

    def sweep_orphan_originals(self, now: float) -> tuple[int, int]:
        """(deleted, still waiting out the grace period): originals and thumbnails without a photo record."""
        modified_at = getattr(self.blobs, "modified_at", None)
        seen_now: dict[str, float] = {}
        deleted = 0
        keys = [*self.blobs.keys("originals/"), *self.blobs.keys("thumbnails/")]
        for key in keys:
            photo_id = photo_id_of_blob(key)
            if photo_id is None or self.store.get_photo(photo_id, None) is not None:
                continue
            born = self._age_origin(key, now, modified_at)
            if now - born >= self.orphan_grace_s and self._still_orphan(photo_id):
                self.blobs.delete(key)
                deleted += 1
                log.info("deleted orphan blob %s", key)
            else:
                seen_now[key] = self._first_seen.get(key, now)
        self._first_seen = seen_now  # forget keys that got a record or were deleted
        return deleted, len(seen_now)

    def _age_origin(self, key: str, now: float, modified_at: Any) -> float:
        if callable(modified_at):
            try:
                stamp = modified_at(key)
                if stamp is not None:
                    return float(stamp)
            except Exception:  # noqa: BLE001 - fall back to first-seen
                pass
        return self._first_seen.get(key, now)

    def _still_orphan(self, photo_id: str) -> bool:
        """Check again right before deleting: an upload may have written its record meanwhile."""
        return self.store.get_photo(photo_id, None) is None
