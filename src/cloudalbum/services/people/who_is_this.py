"""Answers to "Who is this?" (through the questions API): a name names the person on every photo of them,
"not the same person" splits the faces the owner points at off the group, "don't ask again" stops asking."""

from __future__ import annotations

from collections.abc import Sequence

from ...domain import people as rules
from ...domain.errors import Invalid, NotFound
from ...domain.model import Photo, Question, QuestionStatus
from ...domain.people import Person
from ...ports import FaceStore, PhotoStore
from ..changes import PersonChanges
from .asking import PersonQuestions
from .curation import Curation
from .face_records import photo_ids_of


class WhoIsThis:
    def __init__(self, face_store: FaceStore, photos: PhotoStore, persons: PersonChanges, curation: Curation,
                 asking: PersonQuestions) -> None:
        self.face_store = face_store
        self.photos = photos
        self.persons = persons
        self.curation = curation
        self.asking = asking

    def answer(self, owner_id: str, question: Question, *, answer: str | None, choice: str | None,
               face_ids: Sequence[str] | None) -> tuple[Question, list[Photo]]:
        """The question as closed and the photos the answer changed. face_ids go with "not the same person"."""
        person = self.curation.get(owner_id, question.person_id or "")
        raw = choice if choice is not None else answer
        value = raw.strip() if isinstance(raw, str) else ""
        folded = value.casefold()
        if folded in (rules.NOT_SAME, "not_same_person"):
            return self._not_same(owner_id, question, person, face_ids or [])
        if folded in (rules.DONT_ASK, "dont_ask_again"):
            self.dont_ask(owner_id, person.id)
            return self.asking.closed(owner_id, question.id), []
        if not value:
            raise Invalid("Give the person's name, or the choice 'not the same person' or 'don't ask again'.",
                          code="validation_error")
        kept = self.curation.rename(owner_id, person.id, value)
        closed = self.asking.closed(owner_id, question.id, QuestionStatus.ANSWERED.value, kept.name)
        return closed, self._photos_of(owner_id, kept)

    def dont_ask(self, owner_id: str, person_id: str) -> None:
        person = self.persons.change(self.curation.get(owner_id, person_id), lambda p: setattr(p, "dont_ask", True))
        self.asking.close(person, QuestionStatus.DISMISSED.value)

    def _not_same(self, owner_id: str, question: Question, person: Person,
                  face_ids: Sequence[str]) -> tuple[Question, list[Photo]]:
        if not face_ids:
            raise Invalid("Say which faces are someone else: face_ids lists them (GET /api/people/{id}/faces).",
                          code="validation_error")
        photos: list[str] = []
        for face_id in dict.fromkeys(face_ids):
            face = self.face_store.get_face(face_id, owner_id)
            if face is None or face.person_id != person.id:
                raise NotFound(f"No such face in this person: {face_id}", code="face_not_found")
        for face_id in dict.fromkeys(face_ids):
            face = self.face_store.get_face(face_id, owner_id)
            if face is not None and face.person_id == person.id:
                self.curation.remove_face(owner_id, person.id, face_id)
                photos.append(face.photo_id)
        closed = self.asking.closed(owner_id, question.id, QuestionStatus.ANSWERED.value, rules.NOT_SAME)
        rest = self.face_store.get_person(person.id, owner_id)
        if rest is not None:  # the group is smaller now: ask about it afresh
            self.asking.ask(rest)
        return closed, [p for p in (self.photos.get_photo(i, owner_id) for i in dict.fromkeys(photos)) if p]

    def _photos_of(self, owner_id: str, person: Person) -> list[Photo]:
        return [p for p in (self.photos.get_photo(i, owner_id) for i in photo_ids_of(self.face_store, person)) if p]
