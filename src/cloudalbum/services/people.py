"""People: group each owner's faces into people as photos arrive, ask "Who is this?" once per person, and
keep every photo's face list (with the person's name, which search indexes) in step with the groups.

Who calls what:
* processing, after a photo is analysed: `record_faces(photo, analysis)` stores the faces (matched to the
  faces already stored for the photo, so a redelivered message changes nothing), assigns each new face to a
  person (domain.people.best_person; a photo never has two faces of one person), merges people whose centroids
  meet, and asks about unnamed people; then `face_refs(photo_id)` gives the photo's face list to save;
* photos, after a photo is deleted: `forget_photo(photo, faces)` rebuilds the people it touched;
* the API: list, rename, merge, split (a face is not this person), the owner's setting;
* questions: answers and dismissals of "Who is this?" questions come here (`answer`, `dont_ask`).

The face store is the truth about groups; a photo's `faces` list is a copy that `_refresh_photos` rewrites
(with optimistic retries) after any change of names or groups, so search finds a person by name at once.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from ..config import Settings
from ..domain import people as rules
from ..domain import questions as question_rules
from ..domain.blob_keys import face_crop_key
from ..domain.errors import ConcurrentUpdate, Invalid, NotFound
from ..domain.jobs import ProcessPhoto, ScanFaces
from ..domain.model import (
    Box, FaceRef, Page, Photo, PhotoStatus, Question, QuestionStatus, iso, new_id, utcnow,
)
from ..domain.people import Face, Person
from ..domain.search import SearchQuery
from ..ports import BlobStore, JobQueue, MetadataStore
from .search import check_limit

if TYPE_CHECKING:  # pragma: no cover
    from .limits import LimitsService

log = logging.getLogger("cloudalbum.people")
SAVE_ATTEMPTS = 8
SAME_FACE_IOU = 0.5  # a face found again on reprocessing: same box (within this overlap) -> same face record
MAX_MERGE_IDS = 50
SCAN_PAGE = 200  # photos per scan_faces step
SCAN_STALE_S = 3600  # a scan whose steps stopped moving this long ago (its job lost) may be replaced


def face_id_for(photo_id: str, model: str, box: Box) -> str:
    """A face id derived from what was found, so a redelivered message writes the same face (and the same crop
    key) instead of a second one. Unguessable because photo ids are."""
    digest = hashlib.sha256(f"{photo_id}|{model}|{box.x},{box.y},{box.w},{box.h}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=").replace("-", "a").replace("_", "b")


class PeopleService:
    def __init__(self, store: MetadataStore, blobs: BlobStore, settings: Settings,
                 queue: Callable[[], JobQueue] | None = None, limits: LimitsService | None = None) -> None:
        self.store = store
        self.limits = limits  # face scans a user may start per hour (issue 12)
        self.blobs = blobs
        self.settings = settings
        # Library scans (scan_faces jobs) go through the queue; a factory, so that processing a photo never
        # connects to it (the processing function may only consume jobs, and send the next scan step).
        self._queue = queue

    @property
    def queue(self) -> JobQueue | None:
        return self._queue() if self._queue is not None else None

    # --- the owner's setting --------------------------------------------------------------------------------

    def enabled_for(self, owner_id: str) -> bool:
        return self.settings.faces and self.store.faces.face_grouping_enabled(owner_id)

    def set_enabled(self, owner_id: str, enabled: bool) -> bool:
        """Turning face grouping off deletes every face, person, face crop and "Who is this?" question of the
        owner (photos keep everything else). Turning it back on scans the library (start_scan)."""
        was = self.enabled_for(owner_id)
        if enabled and not was and self.limits is not None and self.settings.faces:
            self.limits.count(owner_id, "face_scan")  # 429 before anything changes
        if not enabled:
            self.store.limits.clear_face_scan(owner_id)  # the scan's queued jobs now do nothing
            self._forget_everything(owner_id)
        self.store.faces.set_face_grouping(owner_id, enabled)
        if not enabled:
            self._forget_everything(owner_id)  # faces a worker stored meanwhile
        now = self.enabled_for(owner_id)
        if now and not was:
            self.start_scan(owner_id)
        return now

    def start_scan(self, owner_id: str) -> bool:
        """Look for faces in every photo of the owner, in the background: one scan_faces job walks the library a
        page at a time (each step queues the page's photos for processing and the next step), so a library of
        any size is scanned without one long request or one long job.

        At most one scan is in flight per owner (issue 12): the scan is claimed in the store, atomically, and
        every job it queues carries its id; a job of a scan that is no longer the owner's (face grouping was
        turned off, or a newer scan replaced a stalled one) does nothing. Returns False when a scan was already
        in flight (nothing is queued then)."""
        queue = self.queue
        if queue is None:
            raise RuntimeError("scanning needs the job queue")
        scan_id = new_id()
        if not self.store.limits.claim_face_scan(owner_id, scan_id, now=time.time(), stale_after_s=SCAN_STALE_S):
            return False
        queue.send(ScanFaces(owner_id, scan_id=scan_id).to_body())
        return True

    def scan_is_current(self, owner_id: str, scan_id: str | None) -> bool:
        """Whether a job of this scan should still run (jobs queued before scans had ids always run)."""
        if scan_id is None:
            return True
        scan = self.store.limits.face_scan(owner_id)
        return scan is not None and scan.scan_id == scan_id

    def scan_step(self, owner_id: str, cursor: str | None, scan_id: str | None = None) -> str:
        """One page of a library scan: queue each processed photo of the page for processing again (which now
        looks for faces; user edits are kept, and a photo already done by these models changes nothing), then
        the next step. Stops when the owner turned face grouping off meanwhile, or when this scan is no longer
        the owner's. Returns what it did."""
        queue = self.queue
        if not self.enabled_for(owner_id) or queue is None:
            return "scan stopped: face grouping is off"
        if scan_id is not None and not self.store.limits.touch_face_scan(owner_id, scan_id, now=time.time()):
            return "scan stopped: replaced or cancelled"
        page = self.store.photos.list_photos(owner_id, limit=SCAN_PAGE, cursor=cursor)
        queued = 0
        for photo in page.items:
            if photo.status in (PhotoStatus.DONE.value, PhotoStatus.NEEDS_INPUT.value) and not photo.faces:
                queue.send(ProcessPhoto(photo.id, owner_id, force=True, scan_id=scan_id).to_body())
                queued += 1
        if page.next_cursor:
            queue.send(ScanFaces(owner_id, cursor=page.next_cursor, scan_id=scan_id).to_body())
        elif scan_id is not None:
            self.store.limits.touch_face_scan(owner_id, scan_id, now=time.time(), done=True)
        return f"scan: {queued} of {len(page.items)} photos queued" + ("" if page.next_cursor else ", done")

    def _forget_everything(self, owner_id: str) -> None:
        people = self.store.faces.people_of_owner(owner_id)
        photo_ids: dict[str, None] = {}
        for person in people:
            for face in self._all_faces(person):
                photo_ids[face.photo_id] = None
                self._delete_blob(face_crop_key(owner_id, face.photo_id, face.id))
            self._close_question(person, QuestionStatus.DISMISSED.value)
        self.store.faces.delete_face_data(owner_id)
        self._dismiss_person_questions(owner_id)
        self._refresh_photos(owner_id, photo_ids)

    def _dismiss_person_questions(self, owner_id: str) -> None:
        """Open "Who is this?" questions whose person is not reachable any more (a worker asked one and was
        about to record it on the person when the owner turned grouping off: issue 12, item 8)."""
        cursor: str | None = None
        while True:
            page = self.store.questions.open_questions(owner_id, limit=200, cursor=cursor)
            for q in page.items:
                if q.person_id:
                    self.store.questions.save_question(replace(q, status=QuestionStatus.DISMISSED.value))
                    self._settle(owner_id, q.photo_id)
            cursor = page.next_cursor
            if cursor is None:
                return

    # --- processing -----------------------------------------------------------------------------------------

    def record_faces(self, photo: Photo, found: list[Any], crops: list[bytes], model: str) -> list[Face]:
        """Store the faces found in photo (domain-filtered), group them, and ask about new people; returns every
        face this call stored or found stored for the photo (processing forgets them if the photo is deleted
        before its results are saved).

        Faces already stored for the photo are matched by box: a match keeps its id, person and the owner's
        corrections; stored faces not found again are removed; new ones are grouped.

        The owner may delete the photo or turn face grouping off while this runs (issue 12, item 8): once every
        write is done, both are checked again, and whatever was written for a photo that is gone, or for an
        owner who no longer wants faces, is removed (faces, crops, people, questions). A failure caused by that
        race (a write refused because the photo went away) ends the same way instead of being retried."""
        recorded: list[Face] = []
        try:
            self._record_faces(photo, found, crops, model, recorded)
        except Exception:
            if self.still_wanted(photo, recorded):
                raise
            return []
        return recorded if self.still_wanted(photo, recorded) else []

    def still_wanted(self, photo: Photo, faces: list[Face]) -> bool:
        """After writing faces: is face grouping still on for the owner and the photo still there? If not, undo
        (everything of the owner, or the photo's faces) and answer False. Called after the writes, so a delete
        or a switch-off that the writes raced with is always seen by one side or the other."""
        if not self.enabled_for(photo.owner_id):
            for face in faces:  # faces not yet in a person are not found through the people
                self._delete_blob(face_crop_key(photo.owner_id, photo.id, face.id))
            self._forget_everything(photo.owner_id)
            return False
        if self.store.photos.get_photo(photo.id, photo.owner_id) is None:
            self.forget_deleted_photo(photo, faces)
            return False
        return True

    def check_saved_faces(self, photo: Photo) -> None:
        """After processing saved the photo with its face list: if the owner turned grouping off meanwhile, the
        list (computed before the switch) is rewritten from the face store, which has none now. A switch after
        this check finds the saved list itself and rewrites it."""
        if not self.enabled_for(photo.owner_id):
            self._refresh_photos(photo.owner_id, [photo.id])

    def forget_deleted_photo(self, photo: Photo, faces: list[Face]) -> None:
        """Faces a worker wrote for a photo that was deleted meanwhile: the faces, their crops, the people they
        made or joined (rebuilt; deleted when empty) and any question left on the photo."""
        self.store.faces.delete_faces([f.id for f in faces])
        self.forget_photo(photo, faces)
        self.store.photos.delete_photo(photo.id)  # idempotent: questions or faces written after the record went

    def _record_faces(self, photo: Photo, found: list[Any], crops: list[bytes], model: str,
                      recorded: list[Face]) -> None:
        existing = self.store.faces.faces_of_photo(photo.id)
        recorded.extend(existing)
        keep, fresh = self._match(photo, existing, found, crops, model, recorded)
        gone = [f for f in existing if f.id not in {k.id for k in keep}]
        if gone:
            self.store.faces.delete_faces([f.id for f in gone])
            for f in gone:
                self._delete_blob(face_crop_key(photo.owner_id, photo.id, f.id))
        if fresh:
            self.store.faces.add_faces(fresh)
        # Removed faces leave their people; on a redelivery (faces already stored) the people of the kept
        # faces are rebuilt too, in case the previous attempt died between a face's and its person's write.
        touched = {f.person_id for f in [*gone, *(keep if existing else [])] if f.person_id}
        rebuilt = {person_id: self._rebuild(photo.owner_id, person_id) for person_id in touched}
        for face in keep:
            if face.person_id in rebuilt and rebuilt[face.person_id] is None:  # died before its person was added
                face.person_id = None
        touched = {i for i, p in rebuilt.items() if p is not None}
        taken = {f.person_id for f in keep if f.person_id}
        # The owner's people are read once per photo and kept current as faces join (one read and one matrix
        # product per face, however large the library: bench/people.py).
        centroids = self._centroids(photo.owner_id)
        for face in [*fresh, *(f for f in keep if not f.person_id)]:
            person = self._assign(face, taken, centroids)
            taken.add(person.id)
            touched.add(person.id)
        self._keep_apart(photo.owner_id, taken)
        for person_id in list(touched):
            merged = self._merge_lookalikes(photo.owner_id, person_id, centroids)
            touched.add(merged)
        for person_id in touched:
            person = self.store.faces.get_person(person_id, photo.owner_id)
            if person is not None:
                self._ask(person)

    def _match(self, photo: Photo, existing: list[Face], found: list[Any], crops: list[bytes],
               model: str, recorded: list[Face]) -> tuple[list[Face], list[Face]]:
        keep: list[Face] = []
        fresh: list[Face] = []
        unused = list(existing)
        for i, f in enumerate(found):
            box = Box(round(f.x), round(f.y), round(f.w), round(f.h), round(float(f.confidence), 4))
            if f.confidence < self.settings.face_threshold or min(box.w, box.h) < rules.MIN_FACE_PX:
                continue
            same = max(unused, key=lambda e: rules.boxes_overlap(e.box, box), default=None)
            if same is not None and rules.boxes_overlap(same.box, box) >= SAME_FACE_IOU:
                unused.remove(same)
                keep.append(same)
                continue
            face = Face(id=face_id_for(photo.id, model, box), owner_id=photo.owner_id, photo_id=photo.id, box=box,
                        embedding=rules.normalise(f.embedding), created_at=iso(utcnow()), model=model)
            recorded.append(face)  # before its crop is written: an undo must find the crop too
            if i < len(crops):
                self.blobs.put(face_crop_key(photo.owner_id, photo.id, face.id), crops[i],
                               content_type="image/jpeg", durable=False)  # derived: reprocessing rebuilds it
            fresh.append(face)
        return keep, fresh

    def _assign(self, face: Face, taken: set[str], centroids: rules.Centroids) -> Person:
        """Join the most similar person (never one already in this photo), or start a new one.

        The face is written before its person: a worker killed in between leaves a face pointing at a person
        whose counts miss it (or who does not exist yet), and the redelivery's rebuild (record_faces) repairs
        exactly that. The other order would count the face twice after a redelivery."""
        for _ in range(SAVE_ATTEMPTS):
            person_id, _sim = centroids.best(face.embedding, exclude=[*face.not_person_ids, *taken])
            person = self.store.faces.get_person(person_id, face.owner_id) if person_id else None
            if person is None:
                person = self._new_person(face)
                self._move_face(face, person.id)
                self.store.faces.add_person(person)
                centroids.put(person.id, person.centroid_sum)
                return person
            self._move_face(face, person.id)
            try:
                joined = self.store.faces.save_person(_joined(person, face, new_photo=True))
            except (ConcurrentUpdate, NotFound):  # another worker changed the people meanwhile: read them again
                centroids = self._centroids(face.owner_id)
                continue
            centroids.put(joined.id, joined.centroid_sum)
            return joined
        raise ConcurrentUpdate("the owner's people kept changing while a face was being grouped")

    def _centroids(self, owner_id: str) -> rules.Centroids:
        ids, sums = self.store.faces.person_vectors(owner_id)
        return rules.Centroids(ids, sums)

    def _new_person(self, face: Face) -> Person:
        now = iso(utcnow())
        return Person(id=new_id(), owner_id=face.owner_id, created_at=now, updated_at=now,
                      cover_face_id=face.id, cover_photo_id=face.photo_id, face_count=1, photo_count=1,
                      centroid_sum=list(face.embedding))

    def _move_face(self, face: Face, person_id: str) -> None:
        face.person_id = person_id
        self.store.faces.save_face(face)

    def _keep_apart(self, owner_id: str, person_ids: set[str]) -> None:
        """People seen side by side in one photo are different people: each records the others, so no later
        merge by likeness joins them (a lookalike sibling, a reflection, a face on a poster)."""
        if len(person_ids) < 2:
            return
        for person_id in person_ids:
            others = person_ids - {person_id}
            person = self.store.faces.get_person(person_id, owner_id)
            if person is None or others <= set(person.not_same_as):
                continue
            try:
                self._save(person, lambda p, o=others: setattr(p, "not_same_as", [
                    *p.not_same_as, *sorted(o - set(p.not_same_as))]))
            except NotFound:
                continue

    def _merge_lookalikes(self, owner_id: str, person_id: str, centroids: rules.Centroids) -> str:
        """Merge the people whose centroid now meets person's; returns the id that survives."""
        current = person_id
        for _ in range(SAVE_ATTEMPTS):
            person = self.store.faces.get_person(current, owner_id)
            if person is None:
                return current
            near = (self.store.faces.get_person(i, owner_id) for i in centroids.near(current))
            other = next((p for p in near if p is not None and rules.may_merge(person, p)), None)
            if other is None:
                return current
            kept, absorbed = rules.survivor(person, other)
            kept, _ = self._merge(kept, absorbed)
            centroids.remove(absorbed.id)
            centroids.put(kept.id, kept.centroid_sum)
            current = kept.id
        return current

    # --- reading --------------------------------------------------------------------------------------------

    def face_refs(self, photo_id: str) -> list[FaceRef]:
        """The photo's faces as its record shows them: box, person id and name."""
        faces = self.store.faces.faces_of_photo(photo_id)
        names: dict[str, str | None] = {}
        for face in faces:
            if face.person_id and face.person_id not in names:
                person = self.store.faces.get_person(face.person_id, face.owner_id)
                names[face.person_id] = person.name if person else None
        return [FaceRef(id=f.id, box=f.box, person_id=f.person_id,
                        person_name=names.get(f.person_id) if f.person_id else None, model=f.model)
                for f in faces]

    def list(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        return self.store.faces.list_people(owner_id, limit=check_limit(limit), cursor=cursor)

    def get(self, owner_id: str, person_id: str) -> Person:
        person = self.store.faces.get_person(person_id, owner_id)
        if person is None:
            raise NotFound("No such person.", code="person_not_found")
        return person

    def faces(self, owner_id: str, person_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        self.get(owner_id, person_id)
        return self.store.faces.faces_of_person(person_id, owner_id, limit=check_limit(limit), cursor=cursor)

    def photos(self, owner_id: str, person_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of SearchHit: the photos the person is in, newest taken first."""
        self.get(owner_id, person_id)
        return self.store.index.search(owner_id, SearchQuery(person_id=person_id), limit=check_limit(limit),
                                 cursor=cursor)

    def face_crop(self, owner_id: str, face_id: str) -> tuple[str, str | None]:
        """(blob key, signed URL or None) of a face's crop."""
        face = self.store.faces.get_face(face_id, owner_id)
        if face is None:
            raise NotFound("No such face.", code="face_not_found")
        key = face_crop_key(owner_id, face.photo_id, face.id)
        if not self.blobs.exists(key):
            raise NotFound("This face has no crop yet.", code="face_not_found")
        url = self.blobs.signed_url(key, expires_s=self.settings.signed_url_expiry_s, content_type="image/jpeg")
        return key, url

    # --- changes by the owner -------------------------------------------------------------------------------

    def rename(self, owner_id: str, person_id: str, raw_name: object) -> Person:
        """Name (or unname, with null) a person. A name another person already has means the same person:
        the two are merged (unless the owner said they are different people)."""
        try:
            name = rules.clean_name(raw_name)
        except ValueError as exc:
            raise Invalid(f"name: {exc}", code="validation_error") from exc
        person = self.get(owner_id, person_id)
        if name is not None:
            for other in self.store.faces.people_of_owner(owner_id):
                if (other.id != person.id and other.name and rules.fold_name(other.name) == rules.fold_name(name)
                        and rules.may_merge(replace(person, name=None), other)):
                    kept, _ = self._merge(other, person)
                    return kept
        person = self._save(person, lambda p: setattr(p, "name", name))
        self._ask(person)
        self._refresh_photos(owner_id, self._photo_ids(person))
        return person

    def merge(self, owner_id: str, person_id: str, other_ids: list[str]) -> Person:
        """The owner says these people are one: every other's faces join person_id (whose name is kept; an
        unnamed person takes the first other name)."""
        ids = [i for i in dict.fromkeys(other_ids) if i != person_id]
        if not ids or len(ids) > MAX_MERGE_IDS:
            raise Invalid(f"person_ids: give 1 to {MAX_MERGE_IDS} other people", code="validation_error")
        person = self.get(owner_id, person_id)
        others = [self.get(owner_id, i) for i in ids]
        for other in others:
            person, _ = self._merge(person, other, forced=True)
        return person

    def remove_face(self, owner_id: str, person_id: str, face_id: str) -> Person:
        """This face is not this person: it leaves the group for good and joins whoever it resembles (or starts
        a new person). Returns the face's new person."""
        person = self.get(owner_id, person_id)
        face = self.store.faces.get_face(face_id, owner_id)
        if face is None or face.person_id != person.id:
            raise NotFound("No such face in this person.", code="face_not_found")
        face.not_person_ids = list(dict.fromkeys([*face.not_person_ids, person.id]))
        face.person_id = None
        self.store.faces.save_face(face)
        self._rebuild(owner_id, person.id)
        taken = {f.person_id for f in self.store.faces.faces_of_photo(face.photo_id) if f.person_id and f.id != face.id}
        new = self._assign(face, taken, self._centroids(owner_id))
        # Whoever the face is now is not the person it left: the two are never merged automatically.
        new = self._save(new, lambda p: setattr(p, "not_same_as", list(dict.fromkeys([*p.not_same_as, person.id]))))
        self._ask(new)
        rest = self.store.faces.get_person(person.id, owner_id)
        if rest is not None:
            self._ask(rest)
        self._refresh_photos(owner_id, [face.photo_id])
        return new

    # --- "Who is this?" -------------------------------------------------------------------------------------

    def answer(self, owner_id: str, question: Question, *, answer: str | None, choice: str | None,
               face_ids: list[str] | None) -> tuple[Question, list[Photo]]:
        """A name names the person; "not the same person" (with face_ids, the faces that are someone else)
        splits them off; "don't ask again" stops asking about this person."""
        person = self.get(owner_id, question.person_id or "")
        raw = choice if choice is not None else answer
        value = raw.strip() if isinstance(raw, str) else ""
        folded = value.casefold()
        if folded in (rules.NOT_SAME, "not_same_person"):
            return self._answer_not_same(owner_id, question, person, face_ids or [])
        if folded in (rules.DONT_ASK, "dont_ask_again"):
            self.dont_ask(owner_id, person.id)
            return self._closed(owner_id, question.id), []
        if not value:
            raise Invalid("Give the person's name, or the choice 'not the same person' or 'don't ask again'.",
                          code="validation_error")
        kept = self.rename(owner_id, person.id, value)
        closed = self._closed(owner_id, question.id, QuestionStatus.ANSWERED.value, kept.name)
        return closed, self._photos_of(owner_id, kept)

    def _answer_not_same(self, owner_id: str, question: Question, person: Person,
                         face_ids: list[str]) -> tuple[Question, list[Photo]]:
        if not face_ids:
            raise Invalid("Say which faces are someone else: face_ids lists them (GET /api/people/{id}/faces).",
                          code="validation_error")
        photos: list[str] = []
        for face_id in dict.fromkeys(face_ids):
            face = self.store.faces.get_face(face_id, owner_id)
            if face is None or face.person_id != person.id:
                raise NotFound(f"No such face in this person: {face_id}", code="face_not_found")
        for face_id in dict.fromkeys(face_ids):
            face = self.store.faces.get_face(face_id, owner_id)
            if face is not None and face.person_id == person.id:
                self.remove_face(owner_id, person.id, face_id)
                photos.append(face.photo_id)
        closed = self._closed(owner_id, question.id, QuestionStatus.ANSWERED.value, rules.NOT_SAME)
        rest = self.store.faces.get_person(person.id, owner_id)
        if rest is not None:  # the group is smaller now: ask about it afresh
            self._ask(rest)
        return closed, [p for p in (self.store.photos.get_photo(i, owner_id) for i in dict.fromkeys(photos)) if p]

    def dont_ask(self, owner_id: str, person_id: str) -> None:
        person = self._save(self.get(owner_id, person_id), lambda p: setattr(p, "dont_ask", True))
        self._close_question(person, QuestionStatus.DISMISSED.value)

    def _closed(self, owner_id: str, question_id: str, status: str | None = None,
                value: str | None = None) -> Question:
        """The question as it is now (closing it, when status is given and it is still open)."""
        q = self.store.questions.get_question(question_id, owner_id)
        if q is None:
            raise NotFound("No such question.", code="question_not_found")
        if status is not None and q.status == QuestionStatus.OPEN.value:
            q = replace(q, status=status, answer=value)
            self.store.questions.save_question(q)
            self._settle(owner_id, q.photo_id)
        return q

    def _ask(self, person: Person) -> None:
        """Keep exactly one open "Who is this?" question for an unnamed person the owner did not wave off,
        on the cover photo, ranked by the person's photo count; close it once the person has a name."""
        if person.name or person.dont_ask or not person.cover_photo_id:
            self._close_question(person, QuestionStatus.ANSWERED.value if person.name
                                 else QuestionStatus.DISMISSED.value)
            return
        q = self.store.questions.get_question(person.question_id, person.owner_id) if person.question_id else None
        score, reason = rules.question_score(person), rules.question_reason(person)
        if q is not None and q.status == QuestionStatus.OPEN.value and q.photo_id == person.cover_photo_id:
            if (q.score, q.reason, q.face_id) != (score, reason, person.cover_face_id):
                self.store.questions.save_question(replace(q, score=score, reason=reason, face_id=person.cover_face_id))
            return
        if q is not None and q.status == QuestionStatus.OPEN.value:  # the cover moved to another photo
            self.store.questions.save_question(replace(q, status=QuestionStatus.DISMISSED.value))
            self._settle(person.owner_id, q.photo_id)
        fresh = Question(id=new_id(), owner_id=person.owner_id, photo_id=person.cover_photo_id,
                         kind=question_rules.PEOPLE, text=rules.QUESTION_TEXT, reason=reason,
                         created_at=iso(utcnow()), subject=rules.person_subject(person.id), score=score,
                         person_id=person.id, face_id=person.cover_face_id)
        self.store.questions.add_question(fresh)
        try:
            self._save(person, lambda p: setattr(p, "question_id", fresh.id))
        except NotFound:
            pass
        self._settle(person.owner_id, fresh.photo_id)

    def _close_question(self, person: Person, status: str) -> None:
        if not person.question_id:
            return
        q = self.store.questions.get_question(person.question_id, person.owner_id)
        if q is not None and q.status == QuestionStatus.OPEN.value:
            self.store.questions.save_question(replace(q, status=status, answer=person.name))
            self._settle(person.owner_id, q.photo_id)

    # --- photo deletion -------------------------------------------------------------------------------------

    def forget_photo(self, photo: Photo, faces: list[Face]) -> None:
        """After the photo (and with it its faces) was deleted: crops go, and the people it touched are
        rebuilt from their remaining faces (a person with none left is deleted)."""
        for face in faces:
            self._delete_blob(face_crop_key(photo.owner_id, photo.id, face.id))
        for person_id in dict.fromkeys(f.person_id for f in faces if f.person_id):
            person = self._rebuild(photo.owner_id, person_id)
            if person is not None:
                self._ask(person)

    # --- internals ------------------------------------------------------------------------------------------

    def _merge(self, kept: Person, absorbed: Person, *, forced: bool = False) -> tuple[Person, list[str]]:
        """Move absorbed's faces to kept, delete absorbed, fix names, questions and photos."""
        moved_photos: dict[str, None] = {}
        for face in self._all_faces(absorbed):
            face.not_person_ids = [i for i in face.not_person_ids if i != kept.id] if forced else face.not_person_ids
            self._move_face(face, kept.id)
            moved_photos[face.photo_id] = None
        self._close_question(absorbed, QuestionStatus.DISMISSED.value)
        self.store.faces.delete_person(absorbed.id)

        def absorb(p: Person) -> None:
            p.name = p.name or absorbed.name
            p.not_same_as = [i for i in dict.fromkeys([*p.not_same_as, *absorbed.not_same_as])
                             if i not in (p.id, absorbed.id)]
            p.dont_ask = p.dont_ask and absorbed.dont_ask
        kept = self._save(kept, absorb)
        kept = self._rebuild(kept.owner_id, kept.id) or kept
        self._ask(kept)
        photo_ids = self._photo_ids(kept) if kept.name != absorbed.name else list(moved_photos)
        self._refresh_photos(kept.owner_id, photo_ids)
        log.info("person %s merged into %s", absorbed.id, kept.id)
        return kept, list(moved_photos)

    def _rebuild(self, owner_id: str, person_id: str) -> Person | None:
        """Counts, centroid and cover from the person's faces; deletes a person with no face left."""
        person = self.store.faces.get_person(person_id, owner_id)
        if person is None:
            return None
        faces = list(self._all_faces(person))
        if not faces:
            self._close_question(person, QuestionStatus.DISMISSED.value)
            self.store.faces.delete_person(person.id)
            return None

        def recount(p: Person) -> None:
            total: list[float] = []
            for f in faces:
                total = rules.add_vectors(total, f.embedding)
            p.centroid_sum, p.face_count = total, len(faces)
            p.photo_count = len({f.photo_id for f in faces})
            if p.cover_face_id not in {f.id for f in faces}:
                cover = max(faces, key=lambda f: (f.box.confidence * f.box.w * f.box.h, f.id))
                p.cover_face_id, p.cover_photo_id = cover.id, cover.photo_id
        try:
            return self._save(person, recount)
        except NotFound:
            return None

    def _save(self, person: Person, change: Callable[[Person], None]) -> Person:
        for _ in range(SAVE_ATTEMPTS):
            change(person)
            person.updated_at = iso(utcnow())
            try:
                return self.store.faces.save_person(person)
            except ConcurrentUpdate:
                fresh = self.store.faces.get_person(person.id, person.owner_id)
                if fresh is None:
                    raise NotFound("No such person.", code="person_not_found") from None
                person = fresh
        raise ConcurrentUpdate("This person keeps changing; try again in a moment.")

    def _all_faces(self, person: Person) -> Iterator[Face]:
        cursor: str | None = None
        while True:
            page = self.store.faces.faces_of_person(person.id, person.owner_id, limit=200, cursor=cursor)
            yield from page.items
            cursor = page.next_cursor
            if cursor is None:
                return

    def _photo_ids(self, person: Person) -> list[str]:
        return list(dict.fromkeys(f.photo_id for f in self._all_faces(person)))

    def _photos_of(self, owner_id: str, person: Person) -> list[Photo]:
        return [p for p in (self.store.photos.get_photo(i, owner_id) for i in self._photo_ids(person)) if p]

    def _refresh_photos(self, owner_id: str, photo_ids: Iterable[str]) -> None:
        """Rewrite each photo's face list from the face store (names and groups changed)."""
        for photo_id in photo_ids:
            self._update_photo(owner_id, photo_id, refresh_faces=True)

    def _settle(self, owner_id: str, photo_id: str) -> None:
        self._update_photo(owner_id, photo_id, refresh_faces=False)

    def _update_photo(self, owner_id: str, photo_id: str, *, refresh_faces: bool) -> None:
        """Faces from the face store (when asked) and the status from the open questions: a processed photo is
        needs_input while a question about it is open, done otherwise. Retried when someone writes meanwhile."""
        for _ in range(SAVE_ATTEMPTS):
            photo = self.store.photos.get_photo(photo_id, owner_id)
            if photo is None:
                return
            before = (photo.faces, photo.status)
            if refresh_faces:
                photo.faces = self.face_refs(photo_id)
            if photo.status in (PhotoStatus.DONE.value, PhotoStatus.NEEDS_INPUT.value):
                open_q = bool(self.store.questions.open_questions(owner_id, photo_id=photo_id, limit=1).items)
                photo.status = PhotoStatus.NEEDS_INPUT.value if open_q else PhotoStatus.DONE.value
            if (photo.faces, photo.status) == before:
                return
            try:
                self.store.photos.save_photo(photo)
                return
            except ConcurrentUpdate:
                continue
            except NotFound:
                return
        log.warning("photo %s kept changing while its faces were being updated", photo_id)

    def _delete_blob(self, key: str) -> None:
        try:
            self.blobs.delete(key)
        except Exception as exc:  # noqa: BLE001 - best effort; the maintenance sweep finds leftovers
            log.warning("could not delete face crop %s: %s", key, exc)


def _joined(person: Person, face: Face, *, new_photo: bool) -> Person:
    """person with face added (centroid, counts); the cover stays unless there is none."""
    p = replace(person, centroid_sum=rules.add_vectors(person.centroid_sum, face.embedding),
                face_count=person.face_count + 1, photo_count=person.photo_count + (1 if new_photo else 0),
                updated_at=iso(utcnow()))
    if not p.cover_face_id:
        p.cover_face_id, p.cover_photo_id = face.id, face.photo_id
    return p


__all__ = ["PeopleService", "face_id_for"]
