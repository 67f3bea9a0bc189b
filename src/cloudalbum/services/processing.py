"""Processing one photo: read (EXIF), place (geocoder), look (detector), thumbnail, and ask (questions).

`ProcessingService.process(photo_id)` is what a queue message asks for. It is idempotent per (photo, model
version): a photo already processed by this model version is left alone unless `force` (reprocess). Model
labels are replaced, never appended, so a redelivered message cannot duplicate them; user labels, rejected
labels and every field the user edited (photo.user_fields) are kept: user edits win over EXIF.

Failures — the choice between "ack" and "retry":
* the photo is gone (deleted meanwhile): nothing to do, the message is acknowledged;
* deterministic (the bytes cannot be decoded, the original is missing): retrying cannot help, so the photo is
  marked failed at once with a readable reason ("could not decode the image: …") and the message is
  acknowledged. Whatever EXIF could be read is still recorded; the original stays downloadable;
* transient (storage or database unavailable, a lost race we could not win, an unexpected error): the
  exception propagates, the handler reports the message as failed and the queue redelivers it after the
  visibility timeout. On the last allowed receive (receive_count >= settings.max_receives) the photo is marked
  failed with a reason when the attempt starts (so a worker killed mid-photo every time still leaves it
  failed) and with the error's own reason if it raises, so a photo whose message goes to the dead-letter queue
  shows "failed" instead of staying "processing" for ever. A successful last attempt ends done as usual, and
  a later reprocess (explicit) can still succeed.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from ..config import Settings
from ..domain import photo_rules
from ..domain import places as place_rules
from ..domain.blob_keys import thumbnail_key
from ..domain.errors import ModelUnavailable, NotFound
from ..domain.jobs import ReadText
from ..domain.model import ModelInfo, Photo
from ..domain.photo_rules import apply_analysis
from ..media.exif import read_metadata
from ..ports import BlobStore, Detector, FaceAnalyzer, Geocoder, JobQueue, PhotoStore
from .analysis import Analysis, analyze, may_show_a_face, model_key
from .changes import PhotoChanges
from .local_time import LocalTimes

if TYPE_CHECKING:  # pragma: no cover
    from ..domain.people import Face
    from .people import PeopleService
    from .places import Placed, PlaceService

log = logging.getLogger("cloudalbum.processing")

FINAL = photo_rules.PROCESSED
MAX_REASON = 500


class Outcome:
    """What process() did (for logs, the handler and tests)."""

    GONE = "gone"
    SKIPPED = "skipped"
    DONE = "done"
    NEEDS_INPUT = "needs_input"
    FAILED = "failed"


class QuestionAsker(Protocol):
    """Who asks follow-up questions about a processed photo (services.questions.QuestionService)."""

    def ask_about(self, photo: Photo) -> int:
        """Store the questions worth asking; the number of questions open on the photo."""


class DuplicateFinder(Protocol):
    """Who groups a final photo with its duplicates (services.duplicates.DuplicateService)."""

    def find(self, photo: Photo) -> object:
        """Group the photo with its duplicates; idempotent."""


class ProcessingService:
    """Use case: process one photo (see the module docstring for the failure policy)."""

    def __init__(self, photos: PhotoStore, blobs: BlobStore, detector_provider: Callable[[], Detector],
                 geocoder: Geocoder | None, questions: QuestionAsker | None, settings: Settings, *,
                 faces_provider: Callable[[], FaceAnalyzer] | None = None,
                 people: PeopleService | None = None, queue: JobQueue | None = None,
                 places: PlaceService | None = None,
                 trips: Callable[[Photo], object] | None = None,
                 duplicates: DuplicateFinder | None = None, local_times: LocalTimes | None = None) -> None:
        self.photos = photos
        self.changes = PhotoChanges(photos)
        self.blobs = blobs
        self.detector_provider = detector_provider
        self.geocoder = geocoder
        self.questions = questions
        self.settings = settings
        self.faces_provider = faces_provider
        self.people = people
        self.queue = queue  # where a final photo's read_text job goes (None: text is not read)
        self.places = places  # inferred places (None: a photo without GPS gets none)
        self.trips = trips  # told of each photo that becomes final (its month's trips are found again)
        self.duplicates = duplicates  # groups a final photo with its duplicates (None: not looked for)
        self.local_times = local_times  # offsets of naive camera times (None: kept naive)

    def process(self, photo_id: str, *, force: bool = False, receive_count: int = 1) -> str:
        """Process the photo; returns an Outcome. Raises on transient failures (the message is retried)."""
        photo = self.photos.get_photo(photo_id, None)
        if photo is None:
            return Outcome.GONE
        detector = self.detector_provider()  # ModelUnavailable propagates: retried, never marks the photo
        if not force and photo.processed_version == model_key(detector) and photo.status in FINAL:
            if photo.text is None:  # e.g. the read_text job's send failed after the save: this redelivery sends it
                self._queue_text(photo)
            self._group_duplicates(photo, last=receive_count >= self.settings.max_receives)
            return Outcome.SKIPPED
        last = receive_count >= self.settings.max_receives
        try:
            return self._process(photo, detector, last_attempt=receive_count if last else None)
        except ModelUnavailable:
            raise
        except Exception as exc:
            if last:
                self._mark_failed(photo_id, f"processing failed after {receive_count} attempts: "
                                            f"{_describe(exc)}")
            raise

    # --- steps --------------------------------------------------------------------------------------------

    def _process(self, photo: Photo, detector: Detector, *, last_attempt: int | None = None) -> str:
        marked = self._mark_processing(photo, last_attempt)
        if marked is None:
            return Outcome.GONE
        photo = marked
        try:
            data = self.blobs.get(photo.original_key)
        except NotFound:
            if self.photos.get_photo(photo.id, None) is None:
                return Outcome.GONE
            self._mark_failed(photo.id, "the original file is missing: upload the photo again")
            return Outcome.FAILED
        analyzer = self._face_analyzer(photo)
        try:
            result = analyze(data, detector, self.geocoder, threshold=detector.threshold,
                             max_pixels=self.settings.max_pixels, faces=analyzer,
                             max_decode_bytes=self.settings.max_decode_bytes,
                             face_gate=self.settings.face_gate)
        except MemoryError as exc:  # past the worker's memory limit (RLIMIT_DATA): this photo fails, not the worker
            result = Analysis(exif=read_metadata(data), error=f"not enough memory to process the image "
                                                              f"({str(exc) or 'over the worker memory limit'})")
        if self.local_times is not None:  # the camera time's offset (issue 16 item 1, services/local_time.py)
            result.taken_at, result.taken_offset_source = self.local_times.resolve(photo.owner_id, result.exif)
        model = ModelInfo(detector.name, detector.version)
        keys: dict[str, str] = {}
        if result.error is None:
            for size, jpeg in result.thumbnails.items():
                key = thumbnail_key(photo.owner_id, photo.id, size)
                self.blobs.put(key, jpeg, content_type="image/jpeg", durable=False)  # rebuilt by reprocess
                keys[size] = key
        faces: list[Face] = []
        if result.error is None and analyzer is not None and self.people is not None:
            faces = self.people.record_faces(photo, result.faces, result.face_crops,
                                             result.faces_model or analyzer.name)
        log.info("photo %s analysed: %s", photo.id,
                 ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in result.timings.items()))
        outcome = self._finish(photo, result, model, keys)
        if outcome == Outcome.GONE and self.photos.get_photo(photo.id, None, trashed=True) is not None:
            # trashed while we worked: the results are not saved (nothing brings it back to the library), what
            # was written stays for a restore (which queues the photo again) or goes with the purge; faces
            # recorded after the trash was noted are marked now, so people do not count them
            if faces and self.people is not None:
                self.people.photo_trashed(photo, True)
            return outcome
        if outcome == Outcome.GONE:  # deleted while we worked: leave no thumbnails, faces or people behind
            for key in keys.values():
                self._delete_quietly(key)
            if faces and self.people is not None:
                self.people.forget_deleted_photo(photo, faces)
            self.photos.delete_photo(photo.id)  # questions asked meanwhile (DynamoDB has no foreign keys)
        else:
            if analyzer is not None and self.people is not None and result.error is None:
                self.people.check_saved_faces(photo)
            if outcome in FINAL:
                self._queue_text(photo)
                if self.trips is not None:
                    self.trips(photo)
                final = self.photos.get_photo(photo.id, None)
                if final is not None:
                    self._group_duplicates(final, last=last_attempt is not None)
        return outcome

    def _group_duplicates(self, photo: Photo, *, last: bool) -> None:
        """Group the final photo with its duplicates (issue 15.2). A failure before the last attempt propagates,
        so the message comes back and its redelivery (which finds the photo done) groups it then; on the last
        attempt it is logged: the photo's own results are what matter."""
        if self.duplicates is None or photo.status not in FINAL:
            return
        try:
            self.duplicates.find(photo)
        except Exception:
            if not last:
                raise
            log.exception("grouping photo %s with its duplicates failed", photo.id)

    def _queue_text(self, photo: Photo) -> None:
        """The photo is final: its text is read by a job of its own (issue 17), so reading text never delays
        labels, faces or thumbnails. A redelivered process_photo queues it again; the job then does nothing."""
        if self.queue is not None and self.settings.read_text:
            self.queue.send(ReadText(photo.id, photo.owner_id).to_body())

    def _face_analyzer(self, photo: Photo) -> FaceAnalyzer | None:
        """The face analyzer when faces are grouped for this photo's owner (ModelUnavailable propagates and the
        message is retried, as for the object detector)."""
        if self.faces_provider is None or self.people is None or not self.people.enabled_for(photo.owner_id):
            return None
        return self.faces_provider()

    def _delete_quietly(self, key: str) -> None:
        try:
            self.blobs.delete(key)
        except Exception as exc:
            log.warning("could not delete %s of a deleted photo: %s", key, exc)

    def _mark_processing(self, photo: Photo, last_attempt: int | None = None) -> Photo | None:
        """Status "processing" (optimistic write, retried on a race). None when the photo was deleted.

        On the last allowed delivery the photo is marked failed instead, with the reason, before the work starts:
        if this attempt dies too (a worker killed by the OOM killer, SIGKILL, a Lambda timeout) nothing else
        would run to record the failure, and the photo would stay "processing" while its message sits in the
        dead-letter queue. A successful attempt overwrites it with done/needs_input."""
        def mark(p: Photo) -> None:
            if last_attempt is None:
                photo_rules.start_processing(p)
            else:
                photo_rules.fail(p, f"processing did not complete in {last_attempt} attempts (the worker stopped "
                                    "or failed each time, for example out of memory); reprocess the photo to try "
                                    "again")

        return self.changes.change(photo.id, None, mark, loaded=photo, gave_up=(
            f"photo {photo.id} kept changing while it was being marked as processing"))

    def _estimate_place(self, photo: Photo, result: Analysis, model: ModelInfo) -> Placed | None:
        """Where the photo was taken, inferred from the owner's photos around it, when its analysis gives it no
        place (read before the save, so a sure place asks no location question)."""
        if self.places is None or result.error is not None:
            return None
        probe = copy.deepcopy(photo)
        apply_analysis(probe, result, model=model, thumbnail_keys={})
        return self.places.estimate_for(probe)

    def _finish(self, photo: Photo, result: Analysis, model: ModelInfo, keys: dict[str, str]) -> str:
        """Apply the results and the final status; on a lost race the results go on a fresh copy. The questions
        are asked once, whatever the number of attempts."""
        asked: list[int] = []
        placed = self._estimate_place(photo, result, model)

        def finish(p: Photo) -> None:
            apply_analysis(p, result, model=model, thumbnail_keys=keys)
            if result.error is not None:
                photo_rules.fail(p, result.error)
                return
            if placed is not None:
                place_rules.apply_inferred(p, placed.estimate, placed.place)
            if self.people is not None:
                p.faces = self.people.face_refs(p.id)
            if not asked:
                asked.append(self._ask(p))
            photo_rules.finish_processing(p, open_questions=asked[0] > 0)

        saved = self.changes.change(photo.id, None, finish, loaded=photo, gave_up=(
            f"photo {photo.id} kept changing while its results were being saved"))
        if saved is None:
            return Outcome.GONE
        if self.places is not None and saved.trashed_at is None:
            self.places.after_processing(saved, placed)
        return Outcome.FAILED if result.error is not None else saved.status

    def _ask(self, photo: Photo) -> int:
        """Open follow-up questions for the photo through the question service. A question failure never fails
        the photo: the photo's own results are what matter."""
        if self.questions is None:
            return 0
        try:
            return int(self.questions.ask_about(photo) or 0)
        except (NotImplementedError, AttributeError):
            return 0
        except Exception:
            log.exception("asking questions about photo %s failed; the photo is processed without them", photo.id)
            return 0

    def _mark_failed(self, photo_id: str, reason: str) -> None:
        """Best effort: a failure to record the failure is logged, never raised over the original error."""
        try:
            self.changes.change(photo_id, None, lambda p: photo_rules.fail(p, reason[:MAX_REASON]))
        except Exception as exc:
            log.warning("could not mark photo %s failed (%s): %s", photo_id, reason, exc)


def _describe(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return message[:300]


__all__ = ["ProcessingService", "Analysis", "Outcome", "analyze", "apply_analysis", "model_key", "may_show_a_face"]
