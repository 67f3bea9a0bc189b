"""One way to change a stored photo or person: load it, apply a change, save it with the version check, and
when someone else saved in between (a lost race: ConcurrentUpdate) load it again and apply the change again,
a bounded number of times.

cosmicpython's unit of work wraps load-change-commit in a database transaction; our stores have none across
requests, but each aggregate carries a version and its save is conditional on it (PhotoStore.save_photo,
FaceStore.save_person). So a change here is a function of the loaded record, applied again to a fresh copy
after a lost race, and the retry lives in this module only. What a change does (the rules) lives in the domain:
domain.photo_rules for photos, domain.people for people.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..domain.errors import ConcurrentUpdate, NotFound
from ..domain.model import Photo, iso, utcnow
from ..domain.people import Person
from ..ports import FaceStore, PhotoStore

SAVE_ATTEMPTS = 8
PHOTO_KEEPS_CHANGING = "The photo is being changed by someone else; try again."
PERSON_KEEPS_CHANGING = "This person keeps changing; try again in a moment."

R = TypeVar("R")
T = TypeVar("T")

# A change to a loaded record. It may run more than once (once per attempt, each time on a fresh copy). It
# returns False when it changed nothing: then nothing is written. True or None: save.
PhotoChange = Callable[[Photo], bool | None]
PersonChange = Callable[[Person], None]


def retry_lost_races(attempt: Callable[[], R], *, gave_up: str, attempts: int = SAVE_ATTEMPTS,
                     also: tuple[type[Exception], ...] = (),
                     before_retry: Callable[[], None] | None = None) -> R:
    """Run attempt until it does not lose a race (raise ConcurrentUpdate, or one of `also`), at most `attempts`
    times; then ConcurrentUpdate(gave_up). before_retry runs after each lost race (read again what the next
    attempt relies on). Every other exception propagates at once."""
    lost: tuple[type[Exception], ...] = (ConcurrentUpdate, *also)
    for _ in range(attempts):
        try:
            return attempt()
        except lost:
            if before_retry is not None:
                before_retry()
    raise ConcurrentUpdate(gave_up)


def _change(load: Callable[[], T | None], save: Callable[[T], T], change: Callable[[T], bool | None],
            loaded: T | None, gave_up: str) -> T | None:
    """Load (the first attempt starts from `loaded` when given), change, save; None when the record is gone."""
    first = [loaded] if loaded is not None else []

    def attempt() -> T | None:
        record = first.pop() if first else load()
        if record is None:
            return None
        if change(record) is False:
            return record
        try:
            return save(record)
        except NotFound:  # deleted between our read and our write
            return None

    return retry_lost_races(attempt, gave_up=gave_up)


class PhotoChanges:
    """Changes to photos through a PhotoStore."""

    def __init__(self, photos: PhotoStore) -> None:
        self.photos = photos

    def change(self, photo_id: str, owner_id: str | None, change: PhotoChange, *, loaded: Photo | None = None,
               gave_up: str = PHOTO_KEEPS_CHANGING, trashed: bool = False) -> Photo | None:
        """The photo as saved after change (as read, when change returned False), or None when there is no such
        photo (missing, another owner's, or deleted before the save). owner_id None: any owner (the worker).
        `loaded`: the photo as the caller just read it, so the first attempt reads nothing. ConcurrentUpdate
        (gave_up) when every attempt lost its race. A photo in the trash counts as missing unless `trashed`
        (the changes that move it in and out of the trash)."""
        return _change(lambda: self.photos.get_photo(photo_id, owner_id, trashed=trashed),
                       lambda p: self.photos.save_photo(p),
                       change, loaded, gave_up)


class PersonChanges:
    """Changes to people through a FaceStore."""

    def __init__(self, faces: FaceStore) -> None:
        self.faces = faces

    def change(self, person: Person, change: PersonChange, *, gave_up: str = PERSON_KEEPS_CHANGING) -> Person:
        """The person as saved after change (applied first to `person` as given, then to fresh copies after a
        lost race), with updated_at moved to now. NotFound (person_not_found) when the person is gone."""
        def touched(p: Person) -> None:
            change(p)
            p.updated_at = iso(utcnow())

        saved = _change(lambda: self.faces.get_person(person.id, person.owner_id),
                        lambda p: self.faces.save_person(p), touched, person, gave_up)
        if saved is None:
            raise NotFound("No such person.", code="person_not_found")
        return saved
