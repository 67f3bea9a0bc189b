"""PeopleService: the one door to people for the rest of the code base (processing, photos, questions, the
API), built from the parts that each do one job (see the package docstring)."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ...config import Settings
from ...domain.model import FaceRef, Page, Photo, Question
from ...domain.people import Face, Person
from ...ports import BlobStore, FaceStore, FoundFace, JobQueue, LimitStore, PhotoStore, QuestionStore, SearchIndex
from ..changes import PersonChanges
from .asking import PersonQuestions
from .curation import Curation
from .grouping import Grouping
from .photo_sync import PhotoFaces
from .recording import FaceRecorder
from .switch import FaceGroupingSwitch
from .who_is_this import WhoIsThis

if TYPE_CHECKING:  # pragma: no cover
    from ..limits import LimitsService


class PeopleService:
    def __init__(self, *, faces: FaceStore, photos: PhotoStore, questions: QuestionStore, scans: LimitStore,
                 index: SearchIndex, blobs: BlobStore, settings: Settings,
                 queue: Callable[[], JobQueue] | None = None, limits: LimitsService | None = None) -> None:
        """scans: where each owner's library scan is claimed (the limit store); queue: a factory, so that
        processing a photo never connects to the queue; limits: face scans a user may start per hour."""
        self.face_store = faces
        self.sync = PhotoFaces(faces, questions, photos)
        persons = PersonChanges(faces)
        self.asking = PersonQuestions(questions, persons, self.sync)
        self.switch = FaceGroupingSwitch(settings, faces, scans, photos, questions, blobs, self.asking, self.sync,
                                         queue=queue, limits=limits)
        self.grouping = Grouping(faces, persons, self.asking, self.sync)
        self.recorder = FaceRecorder(settings, faces, photos, blobs, self.grouping, self.asking, self.sync,
                                     self.switch)
        self.curation = Curation(settings, faces, index, blobs, persons, self.grouping, self.asking, self.sync)
        self.who_is_this = WhoIsThis(faces, photos, persons, self.curation, self.asking)

    # --- the owner's switch and library scans ---------------------------------------------------------------

    def enabled_for(self, owner_id: str) -> bool:
        return self.switch.enabled_for(owner_id)

    def set_enabled(self, owner_id: str, enabled: bool) -> bool:
        return self.switch.set_enabled(owner_id, enabled)

    def start_scan(self, owner_id: str) -> bool:
        return self.switch.start_scan(owner_id)

    def scan_is_current(self, owner_id: str, scan_id: str | None) -> bool:
        return self.switch.scan_is_current(owner_id, scan_id)

    def scan_step(self, owner_id: str, cursor: str | None, scan_id: str | None = None) -> str:
        return self.switch.scan_step(owner_id, cursor, scan_id)

    # --- a photo's faces (processing, deletion) -------------------------------------------------------------

    def record_faces(self, photo: Photo, found: list[FoundFace], crops: list[bytes], model: str) -> list[Face]:
        return self.recorder.record_faces(photo, found, crops, model)

    def still_wanted(self, photo: Photo, faces: list[Face]) -> bool:
        return self.recorder.still_wanted(photo, faces)

    def check_saved_faces(self, photo: Photo) -> None:
        self.recorder.check_saved_faces(photo)

    def forget_deleted_photo(self, photo: Photo, faces: list[Face]) -> None:
        self.recorder.forget_deleted_photo(photo, faces)

    def forget_photo(self, photo: Photo, faces: list[Face]) -> None:
        self.recorder.forget_photo(photo, faces)

    def photo_trashed(self, photo: Photo, trashed: bool) -> None:
        """The photo moved to the trash (or back): its faces are marked and the people they are in recounted,
        so people's counts leave the trash out (domain.people.recount) and a restore brings them back."""
        faces = self.face_store.faces_of_photo(photo.id)
        for face in faces:
            if face.in_trash != trashed:
                face.in_trash = trashed
                self.face_store.save_face(face)
        for person_id in dict.fromkeys(f.person_id for f in faces if f.person_id):
            self.grouping.rebuild(photo.owner_id, person_id)

    def faces_of_photo(self, photo_id: str) -> list[Face]:
        return self.face_store.faces_of_photo(photo_id)

    def face_refs(self, photo_id: str) -> list[FaceRef]:
        return self.sync.face_refs(photo_id)

    # --- the owner's people ---------------------------------------------------------------------------------

    def list(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        return self.curation.list(owner_id, limit=limit, cursor=cursor)

    def get(self, owner_id: str, person_id: str) -> Person:
        return self.curation.get(owner_id, person_id)

    def faces(self, owner_id: str, person_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        return self.curation.faces(owner_id, person_id, limit=limit, cursor=cursor)

    def photos(self, owner_id: str, person_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        return self.curation.photos(owner_id, person_id, limit=limit, cursor=cursor)

    def face_crop(self, owner_id: str, face_id: str) -> tuple[str, str | None]:
        return self.curation.face_crop(owner_id, face_id)

    def rename(self, owner_id: str, person_id: str, raw_name: object) -> Person:
        return self.curation.rename(owner_id, person_id, raw_name)

    def merge(self, owner_id: str, person_id: str, other_ids: Sequence[str]) -> Person:
        return self.curation.merge(owner_id, person_id, other_ids)

    def remove_face(self, owner_id: str, person_id: str, face_id: str) -> Person:
        return self.curation.remove_face(owner_id, person_id, face_id)

    # --- "Who is this?" -------------------------------------------------------------------------------------

    def answer(self, owner_id: str, question: Question, *, answer: str | None, choice: str | None,
               face_ids: Sequence[str] | None) -> tuple[Question, builtins.list[Photo]]:
        return self.who_is_this.answer(owner_id, question, answer=answer, choice=choice, face_ids=face_ids)

    def dont_ask(self, owner_id: str, person_id: str) -> None:
        self.who_is_this.dont_ask(owner_id, person_id)
