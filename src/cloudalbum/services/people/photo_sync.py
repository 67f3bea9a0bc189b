"""Photos in step with their people: the face store is the truth about groups and names; a photo's `faces` list
is a copy (with each person's name, which search indexes), rewritten after any change of names or groups so
search finds a person by name at once. A photo's status follows its open questions, "Who is this?" included."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from ...domain import photo_rules
from ...domain.errors import ConcurrentUpdate
from ...domain.model import FaceRef, Photo
from ...ports import FaceStore, PhotoStore, QuestionStore
from ..changes import PhotoChanges

log = logging.getLogger("cloudalbum.people")


class PhotoFaces:
    def __init__(self, face_store: FaceStore, questions: QuestionStore, photos: PhotoStore) -> None:
        self.face_store = face_store
        self.questions = questions
        self.changes = PhotoChanges(photos)

    def face_refs(self, photo_id: str) -> list[FaceRef]:
        """The photo's faces as its record shows them: box, person id and name."""
        faces = self.face_store.faces_of_photo(photo_id)
        names: dict[str, str | None] = {}
        for face in faces:
            if face.person_id and face.person_id not in names:
                person = self.face_store.get_person(face.person_id, face.owner_id)
                names[face.person_id] = person.name if person else None
        return [FaceRef(id=f.id, box=f.box, person_id=f.person_id,
                        person_name=names.get(f.person_id) if f.person_id else None, model=f.model)
                for f in faces]

    def refresh(self, owner_id: str, photo_ids: Iterable[str]) -> None:
        """Rewrite each photo's face list from the face store (names and groups changed)."""
        for photo_id in photo_ids:
            self._update(owner_id, photo_id, refresh_faces=True)

    def settle(self, owner_id: str, photo_id: str) -> None:
        """The photo's status after a question about it was asked or closed."""
        self._update(owner_id, photo_id, refresh_faces=False)

    def _update(self, owner_id: str, photo_id: str, *, refresh_faces: bool) -> None:
        """Faces from the face store (when asked) and the status from the open questions (domain.photo_rules.
        settle); written only when either moved. A photo that keeps changing is left as it is (logged): the
        next change of its people rewrites it."""
        def update(photo: Photo) -> bool:
            before = (photo.faces, photo.status)
            if refresh_faces:
                photo.faces = self.face_refs(photo_id)
            if photo.status in photo_rules.PROCESSED:
                open_questions = bool(self.questions.open_questions(owner_id, photo_id=photo_id, limit=1).items)
                photo_rules.settle(photo, open_questions=open_questions)
            return (photo.faces, photo.status) != before

        try:
            self.changes.change(photo_id, owner_id, update)
        except ConcurrentUpdate:
            log.warning("photo %s kept changing while its faces were being updated", photo_id)
