"""The place index contract (ports.PlaceIndex, issue 16 item 2): the owner's anchors and open photos by instant,
kept up to date by every photo write, never another owner's, never a trashed photo. Every metadata store
(SQLite, DynamoDB) runs it."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from cloudalbum.domain.errors import NotFound
from cloudalbum.domain.model import Location, Photo
from cloudalbum.domain.times import taken_seconds
from contract.metadata_contract import make_photo, make_user

T0 = "2013-04-10T10:00:00"


def at(minutes: int, offset: str = "") -> str:
    """T0 plus minutes (the same wall clock; offset appended when given)."""
    h, m = divmod(10 * 60 + minutes, 60)
    return f"2013-04-10T{h:02d}:{m:02d}:00{offset}"


def located(owner_id: str, taken: str, lat: float, lon: float, source: str = "exif", **kw: Any) -> Photo:
    return make_photo(owner_id, taken_at=taken, status="done", location=Location(lat=lat, lon=lon, source=source),
                      **kw)


def unplaced(owner_id: str, taken: str | None, **kw: Any) -> Photo:
    return make_photo(owner_id, taken_at=taken, status=kw.pop("status", "done"), **kw)


class PlaceIndexContract:
    """Subclasses supply `store`: an empty, real metadata store."""

    def test_nearest_anchors_before_and_after_within_the_window(self, store: Any) -> None:
        owner = make_user("places@example.com")
        store.users.add_user(owner)
        far_before = located(owner.id, at(-150), 43.0, 11.0)
        before = located(owner.id, at(-20), 43.1, 11.1)
        older = located(owner.id, at(-40), 43.2, 11.2, source="user")
        after = located(owner.id, at(30), 43.3, 11.3, source="track")
        guess = located(owner.id, at(-5), 43.4, 11.4, source="inferred")  # an inferred place never anchors
        for p in (far_before, before, older, after, guess):
            store.photos.add_photo(p)
        ts = taken_seconds(T0)
        assert ts is not None
        b, a = store.places.fixes_around(owner.id, ts, 3600)
        assert (b.photo_id, b.lat, b.lon, b.ts) == (before.id, 43.1, 11.1, ts - 20 * 60)
        assert (a.photo_id, a.lat, a.lon, a.ts) == (after.id, 43.3, 11.3, ts + 30 * 60)
        assert store.places.fixes_around(owner.id, ts, 10 * 60) == (None, None)
        b, a = store.places.fixes_around(owner.id, ts - 20 * 60, 3600)  # an anchor at the instant is "before"
        assert (b.photo_id, a.photo_id) == (before.id, after.id)

    def test_open_photos_between_two_instants_oldest_first(self, store: Any) -> None:
        owner = make_user("open@example.com")
        store.users.add_user(owner)
        one, two, three = (unplaced(owner.id, at(m)) for m in (5, -10, 50))
        guessed = located(owner.id, at(0), 43.0, 11.0, source="inferred")  # may be improved: open
        mine = unplaced(owner.id, at(1), user_fields=["location"])  # the user cleared it: not open
        waiting = unplaced(owner.id, at(2), status="uploaded")  # not processed yet: not open
        undated = unplaced(owner.id, None)
        anchor = located(owner.id, at(3), 43.0, 11.0)
        for p in (one, two, three, guessed, mine, waiting, undated, anchor):
            store.photos.add_photo(p)
        ts = taken_seconds(T0)
        assert ts is not None
        assert store.places.open_between(owner.id, ts - 3600, ts + 3600, limit=10) == [two.id, guessed.id, one.id,
                                                                                       three.id]
        assert store.places.open_between(owner.id, ts - 3600, ts + 3600, limit=2) == [two.id, guessed.id]
        assert store.places.open_between(owner.id, ts, ts + 5 * 60, limit=10) == [guessed.id, one.id]

    def test_writes_move_photos_between_the_roles(self, store: Any) -> None:
        owner = make_user("moves@example.com")
        store.users.add_user(owner)
        photo = unplaced(owner.id, at(0))
        store.photos.add_photo(photo)
        ts = taken_seconds(T0)
        assert ts is not None
        assert store.places.open_between(owner.id, ts - 60, ts + 60, limit=5) == [photo.id]
        saved = store.photos.save_photo(dataclasses.replace(
            store.photos.get_photo(photo.id, owner.id), location=Location(lat=1.0, lon=2.0, source="user"),
            user_fields=["location"]))
        assert store.places.open_between(owner.id, ts - 60, ts + 60, limit=5) == []
        assert store.places.fixes_around(owner.id, ts, 60)[0].photo_id == photo.id
        moved = store.photos.save_photo(dataclasses.replace(saved, taken_at=at(90)))
        assert store.places.fixes_around(owner.id, ts, 60) == (None, None)
        assert store.places.fixes_around(owner.id, ts + 90 * 60, 60)[0].photo_id == photo.id
        store.photos.save_photo(dataclasses.replace(moved, trashed_at="2026-01-01T00:00:00+00:00"))
        assert store.places.fixes_around(owner.id, ts + 90 * 60, 60) == (None, None)
        gone = unplaced(owner.id, at(0))
        store.photos.add_photo(gone)
        store.photos.delete_photo(gone.id)
        assert store.places.open_between(owner.id, ts - 60, ts + 60, limit=5) == []

    def test_offsets_count_instants_compare(self, store: Any) -> None:
        owner = make_user("zones@example.com")
        store.users.add_user(owner)
        rome = located(owner.id, "2013-04-10T12:00:00+02:00", 41.9, 12.5)  # 10:00 UTC
        store.photos.add_photo(rome)
        ts = taken_seconds("2013-04-10T10:30:00+00:00")
        assert ts is not None
        assert store.places.fixes_around(owner.id, ts, 3600)[0].photo_id == rome.id

    def test_other_owners_photos_never_answer(self, store: Any) -> None:
        alice, bob = make_user("a@example.com"), make_user("b@example.com")
        store.users.add_user(alice)
        store.users.add_user(bob)
        store.photos.add_photo(located(bob.id, at(-5), 43.0, 11.0))
        store.photos.add_photo(unplaced(bob.id, at(5)))
        ts = taken_seconds(T0)
        assert ts is not None
        assert store.places.fixes_around(alice.id, ts, 3600) == (None, None)
        assert store.places.open_between(alice.id, ts - 3600, ts + 3600, limit=5) == []
        store.delete_owner_data(bob.id)
        assert store.places.fixes_around(bob.id, ts, 3600) == (None, None)
        assert store.places.open_between(bob.id, ts - 3600, ts + 3600, limit=5) == []

    def test_the_accounts_time_zone(self, store: Any) -> None:
        """The account's time zone (PATCH /api/me/settings), a GPS track's default for times without an offset."""
        user = make_user("tz@example.com")
        store.users.add_user(user)
        assert store.users.timezone_of(user.id) is None
        store.users.set_timezone(user.id, "Europe/Rome")
        assert store.users.timezone_of(user.id) == "Europe/Rome"
        assert store.users.user_by_id(user.id).email == "tz@example.com"  # the account is as it was
        store.users.set_timezone(user.id, None)
        assert store.users.timezone_of(user.id) is None
        with pytest.raises(NotFound):
            store.users.set_timezone("nobody", "Europe/Rome")
        assert store.users.timezone_of("nobody") is None
        store.users.set_timezone(user.id, "Asia/Tokyo")
        store.users.delete_user(user.id)
        assert store.users.timezone_of(user.id) is None
