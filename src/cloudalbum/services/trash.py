"""The trash (issue 15 item 4): a delete that forgives.

`DELETE /api/photos/{id}` moves a photo to the trash: one photo change (`photo_rules.trash`, saved through
`PhotoChanges`), and the store's save takes the photo out of lists, search, the map, albums and open questions
in the same write (PhotoStore.save_photo). Everything needed to restore it stays on its records (albums,
answers, questions, faces), so a restore is the opposite change and nothing else. While it is in the trash
every ordinary read treats it as missing (`get_photo` without `trashed=True`), the worker's included, so a
processing job still in the queue cannot bring it back; a restore queues the photo again when its processing
never finished.

Permanent deletes (`?permanent=true`, emptying the trash, the purge after `trash_days`) are PhotoService.delete:
the record, then the blobs, with the pending entry that lets maintenance finish what a crash interrupts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ..domain import photo_rules
from ..domain.errors import Invalid, NotFound
from ..domain.model import Page, Photo, PhotoStatus, iso
from ..ports import PhotoStore

log = logging.getLogger("cloudalbum.trash")

EMPTY_BATCH = 100
PURGE_BATCH = 100
UNFINISHED = (PhotoStatus.UPLOADED.value, PhotoStatus.PROCESSING.value)


class TrashService:
    def __init__(self, photos: PhotoStore, delete: Callable[[str, str], None], requeue: Callable[[Photo], None],
                 *, trash_days: int, now: Callable[[], float],
                 people: Callable[[Photo, bool], None] | None = None,
                 trashed: Callable[[Photo], None] | None = None,
                 back: Callable[[Photo], object] | None = None) -> None:
        """delete(owner_id, photo_id): the permanent delete of a photo that is still in the trash
        (PhotoService.delete with only_trashed: one restored meanwhile stays); requeue(photo): queue its
        processing again (a photo trashed before its processing finished); people(photo, trashed): the people
        its faces are in recounted (PeopleService.photo_trashed); trashed(photo): after a move to the trash
        (DuplicateService.photo_left: it leaves its duplicate group; its month's trips are found again);
        back(photo): after a processed photo came back (DuplicateService.find: it is grouped with its duplicates
        again, never with a photo it was dismissed with; its month's trips are found again)."""
        from .changes import PhotoChanges

        self.photos = photos
        self.changes = PhotoChanges(photos)
        self._delete = delete
        self._requeue = requeue
        self.trash_days = trash_days
        self._now = now
        self._people = people
        self._trashed = trashed
        self._back = back

    def _stamp(self, epoch_s: float) -> str:
        return iso(datetime.fromtimestamp(epoch_s, UTC))

    def move_to_trash(self, owner_id: str, photo_id: str) -> None:
        """The photo leaves the library; NotFound for a photo that is missing, another owner's or already in
        the trash (as for any read of it)."""
        now = self._stamp(self._now())
        saved = self.changes.change(photo_id, owner_id, lambda p: photo_rules.trash(p, now)) \
            if _valid_id(photo_id) else None
        if saved is None:
            raise NotFound("No such photo.")
        if self._people is not None and saved.faces:
            self._people(saved, True)
        if self._trashed is not None:
            self._trashed(saved)

    def list(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        if not 1 <= limit <= 200:
            raise Invalid("limit must be between 1 and 200.", code="validation_error")
        return self.photos.list_trash(owner_id, limit=limit, cursor=cursor or None)

    def restore(self, owner_id: str, photo_id: str) -> Photo:
        """The photo back in the library, as it was. NotFound when it is not in the owner's trash."""
        trashed = self.photos.get_photo(photo_id, owner_id, trashed=True) if _valid_id(photo_id) else None
        if trashed is None or trashed.trashed_at is None:
            raise NotFound("No such photo in the trash.", code="photo_not_found")
        saved = self.changes.change(photo_id, owner_id, photo_rules.restore, loaded=trashed, trashed=True)
        if saved is None or saved.trashed_at is not None:
            raise NotFound("No such photo in the trash.", code="photo_not_found")
        self.restored(saved)
        return saved

    def restored(self, photo: Photo) -> None:
        """After a photo came back (a restore, or an upload of its bytes): its people count it again, and its
        processing, dropped while it was in the trash, is queued again when it never finished (that groups it
        with its duplicates when it ends); a processed one is grouped now. A failure to group is logged, not
        raised: the photo is back, and a later copy of it still finds it (its lookup rows are back)."""
        if self._people is not None and photo.faces:
            self._people(photo, False)
        if photo.status in UNFINISHED:
            self._requeue(photo)
        elif self._back is not None:
            try:
                self._back(photo)
            except Exception:
                log.exception("grouping restored photo %s with its duplicates failed", photo.id)

    def empty(self, owner_id: str) -> int:
        """Every photo in the owner's trash deleted for good; returns how many."""
        count = 0
        while True:
            page = self.photos.list_trash(owner_id, limit=EMPTY_BATCH)
            for photo in page.items:
                self._forget(photo)
                count += 1
            if not page.items or page.next_cursor is None:
                return count

    def purge(self, now: float, *, max_batches: int = 10) -> int:
        """Maintenance: photos trashed more than trash_days ago, deleted for good (read from the store's index
        of trashed photos by time: its cost follows the work). Returns how many."""
        before = self._stamp(now - timedelta(days=self.trash_days).total_seconds())
        count = 0
        for _ in range(max_batches):
            due = [p for p in self.photos.trashed_before(before, limit=PURGE_BATCH)
                   if photo_rules.purge_due(p, before=before)]
            for photo in due:
                self._forget(photo)
                count += 1
            if len(due) < PURGE_BATCH:
                break
        return count

    def _forget(self, photo: Photo) -> None:
        try:
            self._delete(photo.owner_id, photo.id)
        except NotFound:
            pass  # deleted meanwhile


def _valid_id(photo_id: object) -> bool:
    return isinstance(photo_id, str) and 0 < len(photo_id) <= 200
