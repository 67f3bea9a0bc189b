"""Follow-up questions: ask where an answer helps (domain.questions), turn answers into searchable metadata.

`ask_about(photo)` is called by processing after each photo is processed; it is idempotent (a question asked,
answered or dismissed once is never asked again) and never writes the photo itself (processing saves it next).
Answers write photos (location, taken_at, user labels, rejected labels, answers) through save_photo, which
re-indexes them, so what the user tells us is found by search at once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from ..config import Settings
from ..domain import photo_rules, places
from ..domain import questions as rules
from ..domain.errors import Conflict, Invalid, NotFound
from ..domain.model import Answer, Location, Page, Photo, Question, QuestionStatus, Source, iso, new_id, utcnow
from ..ports import Geocoder, PhotoStore, QuestionStore, SearchIndex
from .changes import PhotoChanges
from .search import check_limit

if TYPE_CHECKING:  # pragma: no cover
    from .people import PeopleService
    from .trips import TripService

log = logging.getLogger("cloudalbum.questions")
MAX_ANSWER = 500
MAX_APPLY_TO = 500
READ_OPEN = 600  # open questions read to choose the listing from (a listing shows settings.max_open_questions)
_OFFSET = re.compile(r"^o(\d{1,6})$")
_POINT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)\s*$")


class QuestionService:
    def __init__(self, questions: QuestionStore, photos: PhotoStore, index: SearchIndex, geocoder: Geocoder,
                 settings: Settings, people: PeopleService | None = None,
                 placed: Callable[[list[Photo]], object] | None = None,
                 trips: Callable[[], TripService] | None = None) -> None:
        self.questions = questions
        self.photos = photos
        self.index = index
        self.changes = PhotoChanges(photos)
        self.geocoder = geocoder
        self.settings = settings
        self.people = people  # answers "Who is this?" about a group of faces
        self.placed = placed  # a place answered may place the photos around it (services.places)
        self.trips = trips  # titles a trip named by "Name this trip?"

    # --- asking ---------------------------------------------------------------------------------------------

    def ask_about(self, photo: Photo) -> int:
        """Store the questions worth asking about photo (up to settings.max_questions_per_photo open at once);
        close open ones that no longer make sense. Returns the number of open questions on the photo."""
        existing = self.questions.questions_for_photo(photo.id)
        asked = {(q.kind, q.subject) for q in existing}
        open_now = 0
        for q in existing:
            if q.status != QuestionStatus.OPEN.value:
                continue
            if rules.still_needed(q.kind, q.subject, photo):
                open_now += 1
            else:
                self.questions.save_question(replace(q, status=QuestionStatus.DISMISSED.value))
        neighbours = self._neighbours(photo)
        by_faces = self.people is not None and self.people.enabled_for(photo.owner_id)
        proposals = rules.propose(photo, confirm_low=self.settings.label_confirm_low,
                                  confirm_high=self.settings.label_confirm_high, neighbours=neighbours,
                                  ask_people=not by_faces)
        for p in proposals:
            if open_now >= self.settings.max_questions_per_photo:
                break
            if p.key in asked or (p.kind == rules.EVENT and self._joined_event(photo, neighbours)):
                continue
            self.questions.add_question(Question(
                id=new_id(), owner_id=photo.owner_id, photo_id=photo.id, kind=p.kind, text=p.text, reason=p.reason,
                created_at=iso(utcnow()), choices=list(p.choices) if p.choices else None, subject=p.subject,
                related_photo_ids=list(p.related_photo_ids), score=p.score))
            open_now += 1
        return open_now

    def _neighbours(self, photo: Photo) -> list[Photo]:
        if not photo.taken_at:
            return []
        loc = photo.location
        return self.index.photos_near_in_time(
            photo.owner_id, taken_at=photo.taken_at, window_s=rules.EVENT_WINDOW_S,
            lat=loc.lat if loc else None, lon=loc.lon if loc else None, radius_km=rules.EVENT_RADIUS_KM)

    def _joined_event(self, photo: Photo, neighbours: list[Photo]) -> bool:
        """One event question per burst: when a neighbour already has one, this photo joins it instead."""
        for other in neighbours:
            if other.id == photo.id:
                continue
            for q in self.questions.questions_for_photo(other.id):
                if q.kind != rules.EVENT:
                    continue
                if q.status == QuestionStatus.OPEN.value and photo.id not in q.related_photo_ids:
                    self.questions.save_question(replace(q, related_photo_ids=[*q.related_photo_ids, photo.id],
                                                     score=q.score + 1))
                return True
        return False

    # --- listing --------------------------------------------------------------------------------------------

    def list_open(self, owner_id: str, *, photo_id: str | None = None, limit: int = 50,
                  cursor: str | None = None) -> Page:
        """Open questions of the owner, most useful first; photo_id narrows to one of the owner's photos."""
        if photo_id is not None and self.photos.get_photo(photo_id, owner_id) is None:
            raise NotFound("No such photo.", code="photo_not_found")
        if photo_id is not None:  # a photo's page shows every open question about it
            return self.questions.open_questions(owner_id, photo_id=photo_id, limit=check_limit(limit), cursor=cursor)
        limit = check_limit(limit)
        start = _offset(cursor)
        listed = rules.worth_asking(self._stored_open(owner_id), cap=self.settings.max_open_questions)
        end = start + limit
        return Page(items=listed[start:end], next_cursor=f"o{end}" if end < len(listed) else None)

    def _stored_open(self, owner_id: str) -> list[Question]:
        """The owner's open questions as stored, most useful first, at most READ_OPEN (the listing is chosen
        from the most useful of them)."""
        out: list[Question] = []
        cursor: str | None = None
        while len(out) < READ_OPEN:
            page = self.questions.open_questions(owner_id, limit=200, cursor=cursor)
            out += page.items
            cursor = page.next_cursor
            if cursor is None:
                break
        return out

    def get(self, owner_id: str, question_id: str) -> Question:
        q = self.questions.get_question(question_id, owner_id)
        if q is None:
            raise NotFound("No such question.", code="question_not_found")
        return q

    # --- answering ------------------------------------------------------------------------------------------

    def answer(self, owner_id: str, question_id: str, *, answer: str | None = None, choice: str | None = None,
               apply_to: list[str] | None = None,
               face_ids: list[str] | None = None) -> tuple[Question, list[Photo]]:
        """Record the answer on the question's photo and on `apply_to` (more of the owner's photos: the same
        place, event or person). Returns the question and the photos as saved. A "Who is this?" question about
        a person (grouped faces) is answered by the people service: the name goes on every photo of the person;
        face_ids go with the choice "not the same person"."""
        q = self.get(owner_id, question_id)
        if q.status != QuestionStatus.OPEN.value:
            raise Conflict(f"This question was already {q.status}.", code="question_closed")
        if q.person_id and self.people is not None:
            return self.people.answer(owner_id, q, answer=answer, choice=choice, face_ids=face_ids)
        value = self._value(q, answer, choice)
        if q.suggestion is not None and value == rules.NO:  # not there: the question asks where again
            q = places.decline(q)
            self.questions.save_question(q)
            return q, []
        if q.kind == rules.TRIP and self.trips is not None:  # the name goes on the trip and all its photos
            apply_to = self.trips().name_trip(owner_id, q.subject, value)
        targets = self._targets(owner_id, q.photo_id, apply_to or [])
        change = self._change_for(q, value)
        q = replace(q, status=QuestionStatus.ANSWERED.value, answer=value)
        self.questions.save_question(q)
        for pid in targets[1:]:  # the same question on the other photos is answered too
            for other in self.questions.questions_for_photo(pid):
                if other.status == QuestionStatus.OPEN.value and (other.kind, other.subject) == (q.kind, q.subject):
                    self.questions.save_question(replace(other, status=QuestionStatus.ANSWERED.value, answer=value))
        photos = [p for p in (self._update_photo(owner_id, pid, change) for pid in targets) if p is not None]
        if q.kind == rules.LOCATION and self.placed is not None:
            self.placed(photos)
        return q, photos

    def dismiss(self, owner_id: str, question_id: str) -> None:
        """Never ask this again. Idempotent for a question already closed."""
        q = self.get(owner_id, question_id)
        if q.status != QuestionStatus.OPEN.value:
            return
        if q.person_id and self.people is not None:  # don't ask about this person again
            try:
                self.people.dont_ask(owner_id, q.person_id)
            except NotFound:
                pass
        self.questions.save_question(replace(q, status=QuestionStatus.DISMISSED.value))
        self._update_photo(owner_id, q.photo_id, None)

    def _value(self, q: Question, answer: str | None, choice: str | None) -> str:
        raw = choice if choice is not None else answer
        value = raw.strip() if isinstance(raw, str) else ""
        if not value or len(value) > MAX_ANSWER:
            raise Invalid(f"Give an answer (1 to {MAX_ANSWER} characters) or a choice.", code="validation_error")
        if q.choices:
            by_fold = {c.casefold(): c for c in q.choices}
            if value.casefold() in by_fold:
                return by_fold[value.casefold()]
            if choice is not None or q.suggestion is None:  # a place name overrides a suggested place
                raise Invalid("Choose one of: " + ", ".join(q.choices), code="invalid_choice")
        return value

    def _targets(self, owner_id: str, photo_id: str, apply_to: list[str]) -> list[str]:
        ids = list(dict.fromkeys([photo_id, *apply_to]))
        if len(ids) > MAX_APPLY_TO + 1:
            raise Invalid(f"apply_to lists at most {MAX_APPLY_TO} photos", code="validation_error")
        for pid in ids:
            if not isinstance(pid, str) or self.photos.get_photo(pid, owner_id) is None:
                raise NotFound(f"No such photo: {pid}", code="photo_not_found")
        return ids

    def _change_for(self, q: Question, value: str) -> Callable[[Photo], None]:
        """How the answer changes a photo (domain.questions.apply_answer). A place or a date is resolved once,
        here, before any photo is written."""
        record = Answer(question=q.text, answer=value)
        location = None
        if q.kind == rules.LOCATION and q.suggestion is not None and value == rules.YES:
            location = places.accepted_location(q.suggestion)  # the answer recorded names the place, not "yes"
            record = Answer(question=places.WHERE, answer=places.place_name(q.suggestion.place) or value)
        elif q.kind == rules.LOCATION:
            location = self._location(value)
        taken_at = _parse_taken(value) if q.kind == rules.DATE else None

        def change(photo: Photo) -> None:
            rules.apply_answer(photo, q.kind, q.subject, record, location=location, taken_at=taken_at)
        return change

    def _location(self, value: str) -> Location:
        m = _POINT.match(value)
        if m:
            lat, lon = float(m.group(1)), float(m.group(2))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise Invalid("A position is 'lat,lon' with lat within -90..90 and lon within -180..180.",
                              code="invalid_location")
            return Location(lat=lat, lon=lon, source=Source.USER.value, place=self.geocoder.reverse(lat, lon))
        found = self.geocoder.forward(value)
        if found is None:
            raise Invalid(f"No place called {value!r} is known. Try a town or city, 'Town, Country', or "
                          "'lat,lon'.", code="unknown_place")
        lat, lon, place = found
        return Location(lat=lat, lon=lon, source=Source.USER.value, place=place)

    def _update_photo(self, owner_id: str, photo_id: str, change: Callable[[Photo], None] | None) -> Photo | None:
        """Apply change and settle the status from the photo's open questions; retried when the worker writes
        the same photo meanwhile. Without a change, the photo is written only when its status moves."""
        def answered(photo: Photo) -> bool:
            if change is not None:
                change(photo)
            settled = photo.status in photo_rules.PROCESSED and photo_rules.settle(
                photo, open_questions=bool(self.questions.open_questions(owner_id, photo_id=photo_id, limit=1).items))
            return change is not None or settled

        return self.changes.change(photo_id, owner_id, answered, gave_up="The photo keeps changing; try again in "
                                                                         "a moment.")


def _offset(cursor: str | None) -> int:
    """The position a listing cursor ("o<n>", made by list_open) goes on from."""
    if cursor is None:
        return 0
    m = _OFFSET.match(cursor)
    if m is None:
        raise Invalid("the cursor is not one this service gave out", code="invalid_cursor")
    return int(m.group(1))


def _parse_taken(value: str) -> str:
    """A day (YYYY-MM-DD) or an ISO date-time, kept as given (API.md: taken_at is returned as stored)."""
    try:
        if len(value) == 10:
            return date.fromisoformat(value).isoformat()
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return value
    except ValueError as exc:
        raise Invalid("A date is YYYY-MM-DD (or an ISO date-time such as 2008-10-22T16:28:39).",
                      code="invalid_date") from exc

