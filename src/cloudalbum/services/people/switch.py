"""The owner's switch for face grouping, and the library scan that turning it on starts.

Turning grouping off deletes every face, person, face crop and "Who is this?" question of the owner (photos keep
everything else). Turning it on scans the library in the background: one scan_faces job walks it a page at a
time, queueing the page's photos for processing and the next step, so a library of any size is scanned without
one long request or one long job.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from ...config import Settings
from ...domain.blob_keys import face_crop_key
from ...domain.jobs import ProcessPhoto, ScanFaces
from ...domain.model import PhotoStatus, QuestionStatus, new_id
from ...ports import BlobStore, FaceStore, JobQueue, LimitStore, PhotoStore, QuestionStore
from .asking import PersonQuestions
from .face_records import all_faces, delete_crop
from .photo_sync import PhotoFaces

if TYPE_CHECKING:  # pragma: no cover
    from ..limits import LimitsService

SCAN_PAGE = 200  # photos per scan_faces step
SCAN_STALE_S = 3600  # a scan whose steps stopped moving this long ago (its job lost) may be replaced
QUESTION_PAGE = 200


class FaceGroupingSwitch:
    def __init__(self, settings: Settings, face_store: FaceStore, scans: LimitStore, photos: PhotoStore,
                 questions: QuestionStore, blobs: BlobStore, asking: PersonQuestions, sync: PhotoFaces, *,
                 queue: Callable[[], JobQueue] | None = None, limits: LimitsService | None = None) -> None:
        self.settings = settings
        self.face_store = face_store
        self.scans = scans
        self.photos = photos
        self.questions = questions
        self.blobs = blobs
        self.asking = asking
        self.sync = sync
        # Library scans (scan_faces jobs) go through the queue; a factory, so that processing a photo never
        # connects to it (the processing function may only consume jobs, and send the next scan step).
        self._queue = queue
        self.limits = limits  # face scans a user may start per hour

    @property
    def queue(self) -> JobQueue | None:
        return self._queue() if self._queue is not None else None

    def enabled_for(self, owner_id: str) -> bool:
        return self.settings.faces and self.face_store.face_grouping_enabled(owner_id)

    def set_enabled(self, owner_id: str, enabled: bool) -> bool:
        """Turn face grouping on or off for the owner (see the module docstring); whether it is on now."""
        was = self.enabled_for(owner_id)
        if enabled and not was and self.limits is not None and self.settings.faces:
            self.limits.count(owner_id, "face_scan")  # 429 before anything changes
        if not enabled:
            self.scans.clear_face_scan(owner_id)  # the scan's queued jobs now do nothing
            self.forget_everything(owner_id)
        self.face_store.set_face_grouping(owner_id, enabled)
        if not enabled:
            self.forget_everything(owner_id)  # faces a worker stored meanwhile
        now = self.enabled_for(owner_id)
        if now and not was:
            self.start_scan(owner_id)
        return now

    def start_scan(self, owner_id: str) -> bool:
        """Look for faces in every photo of the owner, in the background (see the module docstring).

        At most one scan is in flight per owner: the scan is claimed in the store, atomically, and every job it
        queues carries its id; a job of a scan that is no longer the owner's (face grouping was turned off, or
        a newer scan replaced a stalled one) does nothing. Returns False when a scan was already in flight
        (nothing is queued then)."""
        queue = self.queue
        if queue is None:
            raise RuntimeError("scanning needs the job queue")
        scan_id = new_id()
        if not self.scans.claim_face_scan(owner_id, scan_id, now=time.time(), stale_after_s=SCAN_STALE_S):
            return False
        queue.send(ScanFaces(owner_id, scan_id=scan_id).to_body())
        return True

    def scan_is_current(self, owner_id: str, scan_id: str | None) -> bool:
        """Whether a job of this scan should still run (jobs queued before scans had ids always run)."""
        if scan_id is None:
            return True
        scan = self.scans.face_scan(owner_id)
        return scan is not None and scan.scan_id == scan_id

    def scan_step(self, owner_id: str, cursor: str | None, scan_id: str | None = None) -> str:
        """One page of a library scan: queue each processed photo of the page for processing again (which now
        looks for faces; user edits are kept, and a photo already done by these models changes nothing), then
        the next step. Stops when the owner turned face grouping off meanwhile, or when this scan is no longer
        the owner's. Returns what it did."""
        queue = self.queue
        if not self.enabled_for(owner_id) or queue is None:
            return "scan stopped: face grouping is off"
        if scan_id is not None and not self.scans.touch_face_scan(owner_id, scan_id, now=time.time()):
            return "scan stopped: replaced or cancelled"
        page = self.photos.list_photos(owner_id, limit=SCAN_PAGE, cursor=cursor)
        queued = 0
        for photo in page.items:
            if photo.status in (PhotoStatus.DONE.value, PhotoStatus.NEEDS_INPUT.value) and not photo.faces:
                queue.send(ProcessPhoto(photo.id, owner_id, force=True, scan_id=scan_id).to_body())
                queued += 1
        if page.next_cursor:
            queue.send(ScanFaces(owner_id, cursor=page.next_cursor, scan_id=scan_id).to_body())
        elif scan_id is not None:
            self.scans.touch_face_scan(owner_id, scan_id, now=time.time(), done=True)
        return f"scan: {queued} of {len(page.items)} photos queued" + ("" if page.next_cursor else ", done")

    def forget_everything(self, owner_id: str) -> None:
        """Every face, person, crop and "Who is this?" question of the owner; the photos' face lists emptied."""
        people = self.face_store.people_of_owner(owner_id)
        photo_ids: dict[str, None] = {}
        for person in people:
            for face in all_faces(self.face_store, person):
                photo_ids[face.photo_id] = None
                delete_crop(self.blobs, face_crop_key(owner_id, face.photo_id, face.id))
            self.asking.close(person, QuestionStatus.DISMISSED.value)
        self.face_store.delete_face_data(owner_id)
        self._dismiss_person_questions(owner_id)
        self.sync.refresh(owner_id, photo_ids)

    def _dismiss_person_questions(self, owner_id: str) -> None:
        """Open "Who is this?" questions whose person is not reachable any more (a worker asked one and was about
        to record it on the person when the owner turned grouping off)."""
        cursor: str | None = None
        while True:
            page = self.questions.open_questions(owner_id, limit=QUESTION_PAGE, cursor=cursor)
            for q in page.items:
                if q.person_id:
                    self.questions.save_question(replace(q, status=QuestionStatus.DISMISSED.value))
                    self.sync.settle(owner_id, q.photo_id)
            cursor = page.next_cursor
            if cursor is None:
                return
