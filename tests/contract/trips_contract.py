"""The TripStore contract (issue 16 item 5): trips listed newest first with cursors, read back whole, found by
time overlap, replaced; the owner's photos read oldest first between two sort keys; window marks that coalesce
recomputes; another owner's trips as missing. Every metadata store runs it."""

from __future__ import annotations

from typing import Any

from cloudalbum.domain import photo_rules
from cloudalbum.domain.trips import Trip
from contract.base import StoreContract
from contract.metadata_contract import make_photo

DAY = 86400.0


def trip(owner_id: str, trip_id: str, start_s: float, end_s: float, **kw: Any) -> Trip:
    return Trip(id=trip_id, owner_id=owner_id, title=kw.pop("title", f"Trip {trip_id}"), start="2013-04-01T10:00:00",
                end="2013-04-03T10:00:00", start_s=start_s, end_s=end_s, places=kw.pop("places", ["Rome, Italy"]),
                photo_count=kw.pop("photo_count", 3), cover_photo_id=kw.pop("cover_photo_id", "p1"), **kw)


class TripStoreContract(StoreContract):
    """Subclasses supply `store`: an empty, real metadata store."""

    def test_trips_round_trip_and_list_newest_first(self, store: Any, owners: tuple[str, str]) -> None:
        alice, bob = owners
        trips = [trip(alice, f"t{i}", i * 10 * DAY, i * 10 * DAY + 3 * DAY) for i in range(5)]
        trips.append(trip(alice, "old", -400 * DAY, -390 * DAY))  # before 1970
        store.trips.replace_trips(alice, [], trips)
        store.trips.replace_trips(bob, [], [trip(bob, "bobs", 5 * DAY, 6 * DAY)])
        named = trip(alice, "t2", 20 * DAY, 23 * DAY, title="Our honeymoon", named=True, question_id="q1",
                     places=["Rome, Italy", "Florence, Italy"], photo_count=12, cover_photo_id="c")
        store.trips.replace_trips(alice, [], [named])
        assert store.trips.get_trip(alice, "t2") == named
        assert store.trips.get_trip(bob, "t2") is None  # another owner's trip: missing
        assert store.trips.get_trip(alice, "nope") is None
        seen, cursor = [], None
        while True:
            page = store.trips.list_trips(alice, limit=4, cursor=cursor)
            seen += [t.id for t in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == ["t4", "t3", "t2", "t1", "t0", "old"]
        assert [t.id for t in store.trips.list_trips(bob).items] == ["bobs"]

    def test_overlap_and_replace(self, store: Any, owners: tuple[str, str]) -> None:
        alice, bob = owners
        store.trips.replace_trips(alice, [], [trip(alice, f"t{i}", i * 10 * DAY, i * 10 * DAY + 3 * DAY)
                                              for i in range(5)])
        store.trips.replace_trips(bob, [], [trip(bob, "b", 20 * DAY, 40 * DAY)])
        assert [t.id for t in store.trips.trips_overlapping(alice, 12 * DAY, 31 * DAY)] == ["t1", "t2", "t3"]
        assert [t.id for t in store.trips.trips_overlapping(alice, 4 * DAY, 9 * DAY)] == []
        assert [t.id for t in store.trips.trips_overlapping(alice, 3 * DAY, 3 * DAY)] == ["t0"]
        store.trips.replace_trips(alice, ["t1", "t2", "missing"], [trip(alice, "t9", 11 * DAY, 25 * DAY)])
        assert [t.id for t in store.trips.list_trips(alice).items] == ["t4", "t3", "t9", "t0"]
        store.trips.replace_trips(alice, ["t9"], [trip(alice, "t9", 12 * DAY, 13 * DAY)])  # removed and put: kept
        assert store.trips.get_trip(alice, "t9").start_s == 12 * DAY
        store.trips.delete_owner_trips(alice)
        assert store.trips.list_trips(alice).items == []
        assert [t.id for t in store.trips.list_trips(bob).items] == ["b"]

    def test_photos_between_oldest_first_live_only(self, store: Any, owners: tuple[str, str]) -> None:
        alice, bob = owners
        made = []
        for day in range(1, 10):
            p = make_photo(alice, taken_at=f"2013-04-0{day}T12:00:00+02:00", status="done")
            store.photos.add_photo(p)
            made.append(p)
        store.photos.add_photo(make_photo(bob, taken_at="2013-04-05T12:00:00", status="done"))
        gone = store.photos.get_photo(made[4].id, alice)
        assert photo_rules.trash(gone, "2026-01-01T00:00:00+00:00")
        store.photos.save_photo(gone)
        seen, cursor = [], None
        while True:
            # the keys are UTC instants: 12:00+02:00 is 10:00
            page = store.trips.photos_between(alice, "2013-04-02T10:00:00", "2013-04-08T10:00:00", limit=2,
                                              cursor=cursor)
            seen += [p.id for p in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == [p.id for p in made[1:8] if p.id != made[4].id]
        assert store.trips.photos_between(alice, "2013-05-01T00:00:00", "2013-05-30T00:00:00").items == []

    def test_a_window_is_claimed_once_until_released_or_stale(self, store: Any, owners: tuple[str, str]) -> None:
        alice, bob = owners
        assert store.trips.claim_window(alice, "2013-04", now=1000.0, stale_s=600)
        assert not store.trips.claim_window(alice, "2013-04", now=1001.0, stale_s=600)
        assert store.trips.claim_window(alice, "2013-05", now=1001.0, stale_s=600)
        assert store.trips.claim_window(bob, "2013-04", now=1001.0, stale_s=600)
        store.trips.release_window(alice, "2013-04")
        store.trips.release_window(alice, "2013-04")  # idempotent
        assert store.trips.claim_window(alice, "2013-04", now=1002.0, stale_s=600)
        assert store.trips.claim_window(alice, "2013-04", now=1700.0, stale_s=600)  # its job was lost: taken over
        store.trips.delete_owner_trips(alice)
        assert store.trips.claim_window(alice, "2013-05", now=1701.0, stale_s=600)
