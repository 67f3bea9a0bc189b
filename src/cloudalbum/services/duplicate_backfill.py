"""Duplicate fingerprints for photos processed before they existed (issue 15): a maintenance path, one job per
page of an owner's library (domain.jobs.FingerprintLibrary), never a pass over every owner's photos at once and
never a DynamoDB Scan: the page is the owner's own list (PhotoStore.list_photos: GSI1 on DynamoDB).

Each processed photo of the page without a fingerprint gets one from its original (media.fingerprint
.fingerprint_of_file: what processing computes, so a later copy finds it exactly as it would a new photo),
saved through PhotoChanges (photo_rules.add_fingerprint: one computed meanwhile stays), and is grouped with its
duplicates (DuplicateService.find, which honours dismissals). Then the next page is queued. A photo whose
original is missing or does not decode is skipped (counted in the outcome); running the job twice is harmless:
a photo with a fingerprint is left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..domain import photo_rules
from ..domain.errors import NotFound
from ..domain.jobs import FingerprintLibrary
from ..domain.model import Photo
from ..media.fingerprint import fingerprint_of_file
from ..ports import BlobStore, JobQueue, PhotoStore
from .changes import PhotoChanges
from .duplicates import DuplicateService

log = logging.getLogger("cloudalbum.duplicates")

PAGE = 50  # photos a job reads; each one without a fingerprint costs a decode of its original


class DuplicateBackfill:
    def __init__(self, photos: PhotoStore, blobs: BlobStore, duplicates: DuplicateService,
                 queue: Callable[[], JobQueue], *, page: int = PAGE, max_decode_bytes: int | None = None) -> None:
        """max_decode_bytes: the decode budget processing keeps to (a worker stays under its memory)."""
        self.photos, self.blobs, self.duplicates = photos, blobs, duplicates
        self.changes = PhotoChanges(photos)
        self._queue, self.page, self.max_decode_bytes = queue, page, max_decode_bytes

    def start(self, owner_id: str) -> None:
        """Queue the first page of the owner's backfill."""
        self._queue().send(FingerprintLibrary(owner_id).to_body())

    def step(self, owner_id: str, cursor: str | None) -> str:
        """One page: fingerprint and group its processed photos that have no fingerprint, queue the next page.
        Returns what it did."""
        page = self.photos.list_photos(owner_id, limit=self.page, cursor=cursor)
        done = skipped = 0
        for photo in page.items:
            if photo.fingerprint is not None or photo.status not in photo_rules.PROCESSED:
                continue
            if self._backfill(photo):
                done += 1
            else:
                skipped += 1
        if page.next_cursor:
            self._queue().send(FingerprintLibrary(owner_id, page.next_cursor).to_body())
        return (f"fingerprints: {done} of {len(page.items)} photos" + (f", {skipped} skipped" if skipped else "")
                + ("" if page.next_cursor else ", done"))

    def _backfill(self, photo: Photo) -> bool:
        try:
            data = self.blobs.get(photo.original_key)
        except NotFound:
            log.warning("photo %s: no original to fingerprint", photo.id)
            return False
        fp = fingerprint_of_file(data, max_decode_bytes=self.max_decode_bytes)
        if fp is None:
            log.warning("photo %s: its original does not decode; no fingerprint", photo.id)
            return False
        saved = self.changes.change(photo.id, photo.owner_id, lambda p: photo_rules.add_fingerprint(p, fp))
        if saved is not None and saved.fingerprint is not None:
            self.duplicates.find(saved)
        return saved is not None
