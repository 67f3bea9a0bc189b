"""The timeline contract (SearchIndex.timeline, issue 16): photos per month of their local taken day, newest
month first, kept up to date by every photo write. Every metadata store (SQLite, DynamoDB) runs it."""

from __future__ import annotations

import dataclasses
from typing import Any

from cloudalbum.domain.model import Label
from cloudalbum.domain.search import SearchQuery
from cloudalbum.domain.timeline import MonthCount
from contract.metadata_contract import make_photo, make_user


def buckets(store: Any, owner_id: str, query: SearchQuery | None = None) -> tuple[list[tuple[str, int]], int]:
    t = store.index.timeline(owner_id, query or SearchQuery())
    assert all(isinstance(b, MonthCount) for b in t.buckets)
    return [(b.month, b.count) for b in t.buckets], t.undated


def user(store: Any, email: str) -> Any:
    u = make_user(email)
    store.users.add_user(u)
    return u


class TimelineContract:
    """Subclasses supply `store`: an empty, real metadata store."""

    def test_months_newest_first_with_undated_apart(self, store: Any) -> None:
        owner = user(store, "tl@example.com")
        for taken in ("2014-09-03T10:00:00", "2014-09-30T23:59:59+02:00", "2014-09-01 08:00:00",
                      "2019-02-28T12:00:00-05:00", "2003-12-31T23:00:00", None, None):
            store.photos.add_photo(make_photo(owner.id, taken_at=taken))
        assert buckets(store, owner.id) == ([("2019-02", 1), ("2014-09", 3), ("2003-12", 1)], 2)

    def test_empty_library(self, store: Any) -> None:
        owner = user(store, "empty@example.com")
        assert buckets(store, owner.id) == ([], 0)

    def test_edits_and_deletes_move_the_counts(self, store: Any) -> None:
        owner = user(store, "moves@example.com")
        a = make_photo(owner.id, taken_at="2020-05-05T10:00:00")
        b = make_photo(owner.id, taken_at="2020-05-06T10:00:00")
        c = make_photo(owner.id)
        for p in (a, b, c):
            store.photos.add_photo(p)
        saved = store.photos.save_photo(dataclasses.replace(store.photos.get_photo(a.id, owner.id),
                                                            taken_at="2021-01-01T00:00:00+01:00"))
        store.photos.save_photo(dataclasses.replace(saved, title="same month, new title"))
        store.photos.save_photo(dataclasses.replace(store.photos.get_photo(c.id, owner.id),
                                                    taken_at="2020-05-31T23:00:00"))
        assert buckets(store, owner.id) == ([("2021-01", 1), ("2020-05", 2)], 0)
        store.photos.delete_photo(b.id)
        store.photos.delete_photo(b.id)  # idempotent: counted once
        assert buckets(store, owner.id) == ([("2021-01", 1), ("2020-05", 1)], 0)
        store.photos.delete_photo(c.id)
        assert buckets(store, owner.id) == ([("2021-01", 1)], 0)

    def test_other_owners_photos_never_count(self, store: Any) -> None:
        alice = user(store, "a@example.com")
        bob = user(store, "b@example.com")
        store.photos.add_photo(make_photo(alice.id, taken_at="2010-01-01T00:00:00"))
        store.photos.add_photo(make_photo(bob.id, taken_at="2011-01-01T00:00:00"))
        store.photos.add_photo(make_photo(bob.id))
        assert buckets(store, alice.id) == ([("2010-01", 1)], 0)
        assert buckets(store, bob.id) == ([("2011-01", 1)], 1)
        store.delete_owner_data(bob.id)
        assert buckets(store, bob.id) == ([], 0)
        assert buckets(store, alice.id) == ([("2010-01", 1)], 0)

    def test_filtered_timeline_counts_the_matches(self, store: Any) -> None:
        owner = user(store, "f@example.com")
        dog = [Label(name="dog", confidence=0.9)]
        for taken, labels in (("2015-03-01T10:00:00", dog), ("2015-03-02T10:00:00", []),
                              ("2016-07-01T10:00:00", dog), (None, dog)):
            store.photos.add_photo(make_photo(owner.id, taken_at=taken, status="done", labels=labels))
        assert buckets(store, owner.id, SearchQuery(labels=("dog",))) == ([("2016-07", 1), ("2015-03", 1)], 1)
        assert buckets(store, owner.id, SearchQuery(date_from="2015-01-01", date_to="2015-12-31")) == \
            ([("2015-03", 2)], 0)
        assert buckets(store, owner.id, SearchQuery(labels=("cat",))) == ([], 0)

    def test_undated_search_lists_only_undated_photos_in_list_order(self, store: Any) -> None:
        owner = user(store, "u@example.com")
        other = user(store, "o@example.com")
        undated = [make_photo(owner.id, uploaded_at=f"2026-01-0{i}T12:00:00+00:00") for i in range(1, 4)]
        for p in [*undated, make_photo(owner.id, taken_at="2026-01-05T00:00:00"), make_photo(other.id)]:
            store.photos.add_photo(p)
        page = store.index.search(owner.id, SearchQuery(undated=True), limit=2)
        assert [h.photo.id for h in page.items] == [undated[2].id, undated[1].id]
        assert page.items[0].reasons == ["no date"]
        rest = store.index.search(owner.id, SearchQuery(undated=True), limit=2, cursor=page.next_cursor)
        assert [h.photo.id for h in rest.items] == [undated[0].id] and rest.next_cursor is None
        dated = store.photos.save_photo(dataclasses.replace(store.photos.get_photo(undated[0].id, owner.id),
                                                            taken_at="2001-01-01T00:00:00"))
        assert dated.taken_at
        ids = [h.photo.id for h in store.index.search(owner.id, SearchQuery(undated=True)).items]
        assert ids == [undated[2].id, undated[1].id]

    def test_photos_on_day_of_earlier_years_newest_first(self, store: Any) -> None:
        owner = user(store, "m@example.com")
        other = user(store, "mo@example.com")
        taken = {"a": "2020-02-29T10:00:00+01:00", "b": "2016-02-29T23:59:59", "c": "2024-02-29T08:00:00",
                 "d": "2021-02-28T12:00:00", "e": "2019-03-01T00:00:00", "f": None}
        ids = {}
        for name, when in taken.items():
            p = make_photo(owner.id, taken_at=when)
            store.photos.add_photo(p)
            ids[p.id] = name
        store.photos.add_photo(make_photo(other.id, taken_at="2012-02-29T10:00:00"))

        def names(month_day: str, year: str, limit: int = 200) -> list[str]:
            return [ids[p.id] for p in store.index.photos_on_day(owner.id, month_day, before_year=year, limit=limit)]

        assert names("02-29", "2025") == ["c", "a", "b"]
        assert names("02-29", "2024") == ["a", "b"]
        assert names("02-29", "2025", limit=1) == ["c"]
        assert names("02-28", "2025") == ["d"] and names("02-28", "2021") == []
        assert names("03-01", "2026") == ["e"]
        moved = next(pid for pid, n in ids.items() if n == "a")
        store.photos.save_photo(dataclasses.replace(store.photos.get_photo(moved, owner.id),
                                                    taken_at="2020-03-01T10:00:00"))
        assert names("02-29", "2025") == ["c", "b"] and names("03-01", "2026") == ["a", "e"]
