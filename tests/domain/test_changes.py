"""The one way to change a stored photo or person (services.changes): load, change, save on the version, and
after a lost race apply the change again to a fresh copy. With an in-memory stand-in for the stores."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from cloudalbum.domain.errors import ConcurrentUpdate, NotFound
from cloudalbum.domain.model import Photo
from cloudalbum.domain.people import Person
from cloudalbum.services.changes import SAVE_ATTEMPTS, PersonChanges, PhotoChanges, retry_lost_races

from .test_photo_rules import photo


class Records:
    """Versioned records by id; `meanwhile` runs before a save, as another writer would."""

    def __init__(self, *records: Any) -> None:
        self.records = {r.id: copy.deepcopy(r) for r in records}
        self.meanwhile: Callable[[], None] | None = None
        self.reads = self.saves = 0

    def get(self, record_id: str, owner_id: str | None) -> Any:
        self.reads += 1
        record = self.records.get(record_id)
        return copy.deepcopy(record) if record is not None and owner_id in (None, record.owner_id) else None

    def save(self, record: Any) -> Any:
        if self.meanwhile is not None:
            self.meanwhile()
        stored = self.records.get(record.id)
        if stored is None:
            raise NotFound("gone")
        if stored.version != record.version:
            raise ConcurrentUpdate("lost")
        self.saves += 1
        saved = copy.deepcopy(record)
        saved.version += 1
        self.records[record.id] = saved
        return copy.deepcopy(saved)

    def write_title(self, title: str) -> None:  # another writer
        self.records["p1"].title = title
        self.records["p1"].version += 1


class PhotoRecords(Records):
    def get_photo(self, photo_id: str, owner_id: str | None, *, trashed: bool = False) -> Photo | None:
        return self.get(photo_id, owner_id)

    def save_photo(self, p: Photo) -> Photo:
        return self.save(p)


class PersonRecords(Records):
    def get_person(self, person_id: str, owner_id: str) -> Person | None:
        return self.get(person_id, owner_id)

    def save_person(self, p: Person) -> Person:
        return self.save(p)


def changes(store: PhotoRecords) -> PhotoChanges:
    return PhotoChanges(store)  # the two methods a change uses


def test_a_change_is_saved_with_the_version_bumped() -> None:
    store = PhotoRecords(photo())
    saved = changes(store).change("p1", "u1", lambda p: setattr(p, "description", "mine"))
    assert saved is not None and saved.description == "mine" and saved.version == 1
    assert store.records["p1"].description == "mine"


def test_a_lost_race_applies_the_change_again_to_a_fresh_copy() -> None:
    store = PhotoRecords(photo())
    store.meanwhile = lambda: (store.write_title("theirs"), setattr(store, "meanwhile", None))  # once
    applied: list[int] = []

    def change(p: Photo) -> None:
        applied.append(p.version)
        p.description = "mine"

    saved = changes(store).change("p1", "u1", change)
    assert saved is not None and (saved.title, saved.description) == ("theirs", "mine")
    assert applied == [0, 1]


def test_nothing_is_written_when_the_change_says_so() -> None:
    store = PhotoRecords(photo(title="same"))
    saved = changes(store).change("p1", "u1", lambda p: False)
    assert saved is not None and saved.version == 0 and store.saves == 0


def test_a_missing_another_owners_or_deleted_photo_is_none() -> None:
    store = PhotoRecords(photo())
    assert changes(store).change("nope", "u1", lambda p: None) is None
    assert changes(store).change("p1", "someone else", lambda p: None) is None
    store.meanwhile = lambda: store.records.clear()  # deleted between our read and our write
    assert changes(store).change("p1", "u1", lambda p: None) is None


def test_the_first_attempt_starts_from_the_photo_given() -> None:
    store = PhotoRecords(photo())
    loaded = store.get_photo("p1", None)
    assert loaded is not None
    store.reads = 0
    changes(store).change("p1", None, lambda p: setattr(p, "title", "x"), loaded=loaded)
    assert store.reads == 0


def test_a_photo_that_keeps_changing_gives_up_with_the_message_given() -> None:
    store = PhotoRecords(photo())
    store.meanwhile = lambda: store.write_title("again")
    with pytest.raises(ConcurrentUpdate, match="try later"):
        changes(store).change("p1", "u1", lambda p: None, gave_up="try later")
    assert store.reads == SAVE_ATTEMPTS


def test_a_person_change_moves_updated_at_and_a_gone_person_is_not_found() -> None:
    who = Person(id="a", owner_id="u1", created_at="2024-01-01T00:00:00+00:00",
                 updated_at="2024-01-01T00:00:00+00:00")
    store = PersonRecords(who)
    persons = PersonChanges(store)
    saved = persons.change(who, lambda p: setattr(p, "name", "Ann"))  # the first attempt changes `who` itself
    assert saved.name == "Ann" and saved.updated_at > "2024-01-01T00:00:00+00:00" and saved.version == 1
    store.records.clear()
    with pytest.raises(NotFound) as gone:
        persons.change(saved, lambda p: setattr(p, "name", "Bea"))
    assert gone.value.code == "person_not_found"


def test_retry_runs_before_retry_after_each_lost_race_and_lets_other_errors_through() -> None:
    calls: list[str] = []

    def attempt() -> str:
        calls.append("attempt")
        if len(calls) < 5:
            raise NotFound("person merged away") if len(calls) == 1 else ConcurrentUpdate("lost")
        return "placed"

    assert retry_lost_races(attempt, gave_up="no", also=(NotFound,),
                            before_retry=lambda: calls.append("read again")) == "placed"
    assert calls == ["attempt", "read again", "attempt", "read again", "attempt"]
    with pytest.raises(NotFound):
        retry_lost_races(lambda: (_ for _ in ()).throw(NotFound("x")), gave_up="no")
