"""The faces of one photo: stored after processing found them, grouped, and undone when the photo is deleted or
the owner turns face grouping off while a worker writes them."""

from __future__ import annotations

from ...config import Settings
from ...domain import people as rules
from ...domain.blob_keys import face_crop_key
from ...domain.model import Box, Photo, iso, utcnow
from ...domain.people import Face
from ...ports import BlobStore, FaceStore, FoundFace, PhotoStore
from .asking import PersonQuestions
from .face_records import delete_crop, face_id_for
from .grouping import Grouping
from .photo_sync import PhotoFaces
from .switch import FaceGroupingSwitch

SAME_FACE_IOU = 0.5  # a face found again on reprocessing: same box (within this overlap) -> same face record


class FaceRecorder:
    def __init__(self, settings: Settings, face_store: FaceStore, photos: PhotoStore, blobs: BlobStore,
                 grouping: Grouping, asking: PersonQuestions, sync: PhotoFaces, switch: FaceGroupingSwitch) -> None:
        self.settings = settings
        self.face_store = face_store
        self.photos = photos
        self.blobs = blobs
        self.grouping = grouping
        self.asking = asking
        self.sync = sync
        self.switch = switch

    def record_faces(self, photo: Photo, found: list[FoundFace], crops: list[bytes], model: str) -> list[Face]:
        """Store the faces found in photo (domain-filtered), group them, and ask about new people; returns every
        face this call stored or found stored for the photo (processing forgets them if the photo is deleted
        before its results are saved).

        Faces already stored for the photo are matched by box: a match keeps its id, person and the owner's
        corrections; stored faces not found again are removed; new ones are grouped.

        The owner may delete the photo or turn face grouping off while this runs: once every write is done,
        both are checked again, and whatever was written for a photo that is gone, or for an owner who no
        longer wants faces, is removed (faces, crops, people, questions). A failure caused by that race (a
        write refused because the photo went away) ends the same way instead of being retried."""
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
        if not self.switch.enabled_for(photo.owner_id):
            for face in faces:  # faces not yet in a person are not found through the people
                delete_crop(self.blobs, face_crop_key(photo.owner_id, photo.id, face.id))
            self.switch.forget_everything(photo.owner_id)
            return False
        if self.photos.get_photo(photo.id, photo.owner_id, trashed=True) is None:  # trashed: kept for a restore
            self.forget_deleted_photo(photo, faces)
            return False
        return True

    def check_saved_faces(self, photo: Photo) -> None:
        """After processing saved the photo with its face list: if the owner turned grouping off meanwhile, the
        list (computed before the switch) is rewritten from the face store, which has none now. A switch after
        this check finds the saved list itself and rewrites it."""
        if not self.switch.enabled_for(photo.owner_id):
            self.sync.refresh(photo.owner_id, [photo.id])

    def forget_deleted_photo(self, photo: Photo, faces: list[Face]) -> None:
        """Faces a worker wrote for a photo that was deleted meanwhile: the faces, their crops, the people they
        made or joined (rebuilt; deleted when empty) and any question left on the photo."""
        self.face_store.delete_faces([f.id for f in faces])
        self.forget_photo(photo, faces)
        self.photos.delete_photo(photo.id)  # idempotent: questions or faces written after the record went

    def forget_photo(self, photo: Photo, faces: list[Face]) -> None:
        """After the photo (and with it its faces) was deleted: crops go, and the people it touched are
        rebuilt from their remaining faces (a person with none left is deleted)."""
        for face in faces:
            delete_crop(self.blobs, face_crop_key(photo.owner_id, photo.id, face.id))
        for person_id in dict.fromkeys(f.person_id for f in faces if f.person_id):
            person = self.grouping.rebuild(photo.owner_id, person_id)
            if person is not None:
                self.asking.ask(person)

    def _record_faces(self, photo: Photo, found: list[FoundFace], crops: list[bytes], model: str,
                      recorded: list[Face]) -> None:
        existing = self.face_store.faces_of_photo(photo.id)
        recorded.extend(existing)
        keep, fresh = self._match(photo, existing, found, crops, model, recorded)
        gone = [f for f in existing if f.id not in {k.id for k in keep}]
        if gone:
            self.face_store.delete_faces([f.id for f in gone])
            for f in gone:
                delete_crop(self.blobs, face_crop_key(photo.owner_id, photo.id, f.id))
        if fresh:
            self.face_store.add_faces(fresh)
        # Removed faces leave their people; on a redelivery (faces already stored) the people of the kept
        # faces are rebuilt too, in case the previous attempt died between a face's and its person's write.
        touched = {f.person_id for f in [*gone, *(keep if existing else [])] if f.person_id}
        rebuilt = {person_id: self.grouping.rebuild(photo.owner_id, person_id) for person_id in touched}
        for face in keep:
            if face.person_id in rebuilt and rebuilt[face.person_id] is None:  # died before its person was added
                face.person_id = None
        touched = {i for i, p in rebuilt.items() if p is not None}
        taken = {f.person_id for f in keep if f.person_id}
        # The owner's people are read once per photo and kept current as faces join (one read and one matrix
        # product per face, however large the library: bench/people.py).
        centroids = self.grouping.centroids(photo.owner_id)
        for face in [*fresh, *(f for f in keep if not f.person_id)]:
            person = self.grouping.assign(face, taken, centroids)
            taken.add(person.id)
            touched.add(person.id)
        self.grouping.keep_apart(photo.owner_id, taken)
        for person_id in list(touched):
            merged = self.grouping.merge_lookalikes(photo.owner_id, person_id, centroids)
            touched.add(merged)
        for person_id in touched:
            now = self.face_store.get_person(person_id, photo.owner_id)
            if now is not None:
                self.asking.ask(now)

    def _match(self, photo: Photo, existing: list[Face], found: list[FoundFace], crops: list[bytes],
               model: str, recorded: list[Face]) -> tuple[list[Face], list[Face]]:
        keep: list[Face] = []
        fresh: list[Face] = []
        unused = list(existing)
        for i, f in enumerate(found):
            box = Box(round(f.x), round(f.y), round(f.w), round(f.h), round(float(f.confidence), 4))
            if f.confidence < self.settings.face_threshold or min(box.w, box.h) < rules.MIN_FACE_PX:
                continue
            same = _most_overlapping(unused, box)
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


def _most_overlapping(faces: list[Face], box: Box) -> Face | None:
    return max(faces, key=lambda e: rules.boxes_overlap(e.box, box), default=None)
