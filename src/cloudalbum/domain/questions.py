"""Follow-up questions: the pure rules of what to ask about a photo, why, and how useful an answer is.

We ask only where an answer makes photos findable that otherwise are not: a photo with no place or no date,
a label the model is unsure of, a person or pet that could be named, a burst of photos that is one event.
`score` estimates how many photos one answer improves (the photo itself plus related photos the answer can be
applied to), so the most useful questions come first. A question is identified by (kind, subject): once asked,
answered or dismissed it is never asked again about the same photo.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from .model import Answer, Location, Photo, Question
from .photo_rules import add_answer, add_user_label, apply_user_edit, confirm_label, reject_label

LOCATION, DATE, LABEL_CONFIRM, LABEL_NAME, PEOPLE, EVENT = (
    "location", "date", "label_confirm", "label_name", "people", "event")
TRIP, TRIP_TEXT = "trip", "Name this trip?"  # about a trip (domain.trips): subject is the trip's id
YES, NO = "yes", "no"
PETS = ("dog", "cat", "horse", "bird", "sheep", "cow")
EVENT_MIN_PHOTOS = 3  # a burst: at least this many photos close in time and place
EVENT_WINDOW_S = 3 * 3600
EVENT_RADIUS_KM = 2.0
# Small offsets break score ties in a stable, sensible order (where > when > what).
_KIND_BONUS = {LOCATION: 0.4, DATE: 0.3, TRIP: 0.27, EVENT: 0.25, LABEL_CONFIRM: 0.2, PEOPLE: 0.15, LABEL_NAME: 0.1}


@dataclass(frozen=True)
class Proposal:
    """A question worth asking about one photo (the service turns it into a stored Question)."""

    kind: str
    subject: str | None
    text: str
    reason: str
    score: float
    choices: tuple[str, ...] | None = None
    related_photo_ids: tuple[str, ...] = field(default_factory=tuple)

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.kind, self.subject)


def _score(kind: str, photos_improved: int) -> float:
    return round(photos_improved + _KIND_BONUS.get(kind, 0.0), 3)


def propose(photo: Photo, *, confirm_low: float, confirm_high: float,
            neighbours: Iterable[Photo] = (), ask_people: bool = True) -> list[Proposal]:
    """Every question worth asking about `photo`, most useful first.

    `neighbours`: the owner's other photos taken close in time (and place): an answer about where the photo
    was taken or what the event was applies to them too. `ask_people` False: people are asked about once per
    person, from their grouped faces (services.people), not once per photo with a person in it."""
    others = [p for p in neighbours if p.id != photo.id]
    out: list[Proposal] = []
    if photo.location is None and "location" not in photo.user_fields:
        unplaced = tuple(p.id for p in others if p.location is None)
        out.append(Proposal(
            LOCATION, None, "Where was this taken?",
            "This photo has no GPS position. A place name (a town or city) makes it findable by place and puts "
            "it on the map" + (_also_unplaced(len(unplaced)) if unplaced else "."),
            _score(LOCATION, 1 + len(unplaced)), None, unplaced))
    if not photo.taken_at and "taken_at" not in photo.user_fields:
        out.append(Proposal(DATE, None, "When was this taken?",
                            "The camera recorded no date, so this photo cannot be found by date and sorts by upload "
                            "time. A day (YYYY-MM-DD) is enough.", _score(DATE, 1)))
    rejected = set(photo.rejected_labels)
    for lbl in photo.visible_labels():
        if lbl.source != "model" or lbl.name in rejected:
            continue
        if confirm_low <= lbl.confidence < confirm_high:
            out.append(Proposal(
                LABEL_CONFIRM, lbl.name, f"Is this a {lbl.name}?",
                f"The model is only {lbl.confidence:.0%} sure it sees a {lbl.name}. Confirming makes searches for "
                f"{lbl.name} certain; saying no hides the label for good.", _score(LABEL_CONFIRM, 1), (YES, NO)))
    names_given = {a.question for a in photo.answers}
    confident = {lbl.name for lbl in photo.visible_labels() if lbl.confidence >= confirm_high}
    if ask_people and "person" in confident and "Who is this?" not in names_given:
        out.append(Proposal(PEOPLE, "person", "Who is this?",
                            "There is someone in this photo. A name lets you find every photo of them by searching "
                            "for it.", _score(PEOPLE, 1)))
    for pet in sorted(confident & set(PETS)):
        text = f"What is this {pet}'s name?"
        if text not in names_given:
            out.append(Proposal(LABEL_NAME, pet, text,
                                f"There is a {pet} in this photo. Its name makes it findable by searching for it.",
                                _score(LABEL_NAME, 1)))
    burst = event_group(photo, others)
    if burst:
        out.append(Proposal(EVENT, "event", "What was the event?",
                            f"{len(burst) + 1} photos were taken around the same time and place. Naming the event "
                            "(a trip, a party) makes all of them findable by that name in one answer.",
                            _score(EVENT, len(burst) + 1), None, tuple(p.id for p in burst)))
    return sorted(out, key=lambda p: -p.score)


def trip_proposal(trip_id: str, title: str, photo_count: int) -> Proposal:
    """"Name this trip?": one answer names the trip and is recorded on every photo of it, so they are found by
    that name (answers are searched by q)."""
    return Proposal(TRIP, trip_id, TRIP_TEXT,
                    f"{photo_count} photos were taken away from home ({title}). A name for the trip (\"Anna's "
                    "wedding\", \"Honeymoon\") titles it and finds all of them when you search for it.",
                    _score(TRIP, photo_count))


# Listing (issue 16 item 7): the open questions a person is shown, out of all that are stored. Kinds whose
# answer helps one photo a little are shown a few at a time; the next come as these are answered or dismissed.
LISTED_PER_KIND = {LABEL_CONFIRM: 3, LABEL_NAME: 3, PEOPLE: 3, DATE: 5}


def worth_asking(open_questions: Sequence[Question], *, cap: int) -> list[Question]:
    """The open questions to list, from the stored ones most useful first (the store's order), at most `cap`:

    * one location question per run: a photo among the related photos of a location question already listed
      is placed by its answer ("apply to these photos"), so its own question is not listed;
    * at most LISTED_PER_KIND of the kinds whose answer helps one photo a little (a question about a person,
      from grouped faces, names every photo of them: it is not one of these)."""
    listed: list[Question] = []
    placed_by_answer: set[str] = set()
    per_kind: Counter[str] = Counter()
    for q in open_questions:
        if len(listed) >= cap:
            break
        if q.kind == LOCATION and q.photo_id in placed_by_answer:
            continue
        minor = q.person_id is None and q.kind in LISTED_PER_KIND
        if minor and per_kind[q.kind] >= LISTED_PER_KIND[q.kind]:
            continue
        listed.append(q)
        per_kind[q.kind] += minor
        if q.kind == LOCATION:
            placed_by_answer.update([q.photo_id, *q.related_photo_ids])
    return listed


def event_group(photo: Photo, others: list[Photo]) -> list[Photo]:
    """The other photos of a burst this photo belongs to, or [] when there is no burst."""
    if not photo.taken_at or any(a.question == "What was the event?" for a in photo.answers):
        return []
    group = [p for p in others if p.taken_at]
    return group if len(group) + 1 >= EVENT_MIN_PHOTOS else []


def still_needed(kind: str, subject: str | None, photo: Photo) -> bool:
    """Whether an open question still makes sense (the user may have set the field another way meanwhile)."""
    if kind == LOCATION:
        return photo.location is None
    if kind == DATE:
        return not photo.taken_at
    if kind == LABEL_CONFIRM:
        return any(lbl.name == subject and lbl.source == "model" for lbl in photo.visible_labels())
    return True


def apply_answer(photo: Photo, kind: str, subject: str | None, answer: Answer, *, location: Location | None = None,
                 taken_at: str | None = None) -> None:
    """What an answer to a question of this kind changes on a photo (the question's own photo, and every photo
    the user applied the answer to). A place or a date is resolved once, before any photo is written, and
    passed in: it becomes the user's value, which processing never overwrites. A label question confirms or
    rejects the label; a name becomes a user label; every other answer is recorded as it is."""
    if kind == LOCATION:
        if location is None:
            raise ValueError("an answer about the place needs the location it names")
        apply_user_edit(photo, {"location": replace(location)})
        add_answer(photo, answer)
    elif kind == DATE:
        apply_user_edit(photo, {"taken_at": taken_at})
        add_answer(photo, answer)
    elif kind == LABEL_CONFIRM:
        (confirm_label if answer.answer == YES else reject_label)(photo, subject or "")
    elif kind in (PEOPLE, LABEL_NAME):
        add_user_label(photo, answer.answer)
        add_answer(photo, answer)
    else:
        add_answer(photo, answer)


def _also_unplaced(n: int) -> str:
    return ("; 1 photo taken around the same time has none either." if n == 1
            else f"; {n} photos taken around the same time have none either.")
