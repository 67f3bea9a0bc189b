"""Asking "Who is this?": exactly one open question per unnamed person the owner did not wave off, on the
person's cover photo, ranked by how many photos one answer names; closed once the person has a name."""

from __future__ import annotations

from dataclasses import replace

from ...domain import people as rules
from ...domain import questions as question_rules
from ...domain.errors import NotFound
from ...domain.model import Question, QuestionStatus, iso, new_id, utcnow
from ...domain.people import Person
from ...ports import QuestionStore
from ..changes import PersonChanges
from .photo_sync import PhotoFaces


class PersonQuestions:
    def __init__(self, questions: QuestionStore, persons: PersonChanges, sync: PhotoFaces) -> None:
        self.questions = questions
        self.persons = persons
        self.sync = sync

    def ask(self, person: Person) -> None:
        """Keep the person's question as the person is now: asked, moved to the new cover, re-ranked, or
        closed (answered once named, dismissed when there is nothing to ask)."""
        if person.name or person.dont_ask or not person.cover_photo_id:
            self.close(person, QuestionStatus.ANSWERED.value if person.name else QuestionStatus.DISMISSED.value)
            return
        q = self.questions.get_question(person.question_id, person.owner_id) if person.question_id else None
        score, reason = rules.question_score(person), rules.question_reason(person)
        if q is not None and q.status == QuestionStatus.OPEN.value and q.photo_id == person.cover_photo_id:
            if (q.score, q.reason, q.face_id) != (score, reason, person.cover_face_id):
                self.questions.save_question(replace(q, score=score, reason=reason, face_id=person.cover_face_id))
            return
        if q is not None and q.status == QuestionStatus.OPEN.value:  # the cover moved to another photo
            self.questions.save_question(replace(q, status=QuestionStatus.DISMISSED.value))
            self.sync.settle(person.owner_id, q.photo_id)
        fresh = Question(id=new_id(), owner_id=person.owner_id, photo_id=person.cover_photo_id,
                         kind=question_rules.PEOPLE, text=rules.QUESTION_TEXT, reason=reason,
                         created_at=iso(utcnow()), subject=rules.person_subject(person.id), score=score,
                         person_id=person.id, face_id=person.cover_face_id)
        self.questions.add_question(fresh)
        try:
            self.persons.change(person, lambda p: setattr(p, "question_id", fresh.id))
        except NotFound:
            pass
        self.sync.settle(person.owner_id, fresh.photo_id)

    def close(self, person: Person, status: str) -> None:
        """Close the person's open question (answered with the person's name, or dismissed)."""
        if not person.question_id:
            return
        q = self.questions.get_question(person.question_id, person.owner_id)
        if q is not None and q.status == QuestionStatus.OPEN.value:
            self.questions.save_question(replace(q, status=status, answer=person.name))
            self.sync.settle(person.owner_id, q.photo_id)

    def closed(self, owner_id: str, question_id: str, status: str | None = None,
               value: str | None = None) -> Question:
        """The question as it is now (closing it, when status is given and it is still open)."""
        q = self.questions.get_question(question_id, owner_id)
        if q is None:
            raise NotFound("No such question.", code="question_not_found")
        if status is not None and q.status == QuestionStatus.OPEN.value:
            q = replace(q, status=status, answer=value)
            self.questions.save_question(q)
            self.sync.settle(owner_id, q.photo_id)
        return q
