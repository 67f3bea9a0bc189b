"""The time contract (issue 16 item 1): "newest taken first" compares absolute instants, in every list of every
store (the owner's list, a status list, an album, search, paging), while a photo's day is its local day (a date
search); trips read the list by instant keys. Every metadata store (SQLite, DynamoDB) runs it.

The library, newest instant first: New York 20:00 on 28 February (-05:00: 01:00Z on 1 March), a naive 00:45 (read
as UTC), London 00:30Z, and Tokyo 08:00 on 1 March (+09:00: 23:00Z on 28 February) - the oldest, although its
wall clock is the latest.
"""

from __future__ import annotations

from typing import Any

import pytest

from cloudalbum.domain.model import Album, Label
from cloudalbum.domain.search import SearchQuery
from cloudalbum.domain.times import instant_key
from contract.metadata_contract import make_photo, make_user

TIMES = {"new_york": "2026-02-28T20:00:00-05:00", "naive": "2026-03-01T00:45:00", "london": "2026-03-01T00:30:00Z",
         "tokyo": "2026-03-01T08:00:00+09:00"}
NEWEST_FIRST = ["new_york", "naive", "london", "tokyo"]
NOW = "2026-03-02T00:00:00+00:00"


def ids(items: list[Any]) -> list[str]:
    return [getattr(i, "photo", i).id for i in items]


def add_library(store: Any) -> tuple[str, dict[str, str], str]:
    """(owner id, photo id by name, album id): the four photos, each labelled "dog", all in one album."""
    owner = make_user(f"time-{len(TIMES)}@example.com")
    store.users.add_user(owner)
    made = {}
    for name, taken in TIMES.items():
        photo = make_photo(owner.id, taken_at=taken, status="done", labels=[Label("dog", 0.9, model="m@1")])
        store.photos.add_photo(photo)
        made[name] = photo.id
    album = Album(id="album-" + owner.id[:8], owner_id=owner.id, name="Night", created_at=NOW, updated_at=NOW)
    store.albums.add_album(album)
    store.albums.add_to_album(album.id, list(made.values()))
    return owner.id, made, album.id


class TimeOrderContract:
    """Subclasses supply `store`: an empty, real metadata store."""

    @pytest.fixture
    def store(self) -> Any:
        raise NotImplementedError("a subclass supplies the adapter under test")

    @pytest.fixture
    def library(self, store: Any) -> tuple[str, dict[str, str], str]:
        return add_library(store)

    def test_every_list_is_newest_instant_first(self, store: Any, library: tuple[str, dict[str, str], str]) -> None:
        owner, made, album = library
        expected = [made[n] for n in NEWEST_FIRST]
        assert ids(store.photos.list_photos(owner).items) == expected
        assert ids(store.photos.list_photos(owner, status="done").items) == expected
        assert ids(store.albums.album_photos(album, owner).items) == expected
        assert ids(store.index.search(owner, SearchQuery(labels=("dog",))).items) == expected
        assert ids(store.index.search(owner, SearchQuery()).items) == expected

    def test_paging_follows_the_instants(self, store: Any, library: tuple[str, dict[str, str], str]) -> None:
        owner, made, album = library
        for read in (lambda c: store.photos.list_photos(owner, limit=1, cursor=c),
                     lambda c: store.albums.album_photos(album, owner, limit=1, cursor=c),
                     lambda c: store.index.search(owner, SearchQuery(labels=("dog",)), limit=1, cursor=c)):
            seen: list[str] = []
            cursor = None
            while True:
                page = read(cursor)
                seen += ids(page.items)
                cursor = page.next_cursor
                if cursor is None:
                    break
            assert seen == [made[n] for n in NEWEST_FIRST]

    def test_a_date_search_is_by_local_day(self, store: Any, library: tuple[str, dict[str, str], str]) -> None:
        owner, made, _ = library
        first = store.index.search(owner, SearchQuery(date_from="2026-03-01", date_to="2026-03-01")).items
        assert ids(first) == [made[n] for n in ("naive", "london", "tokyo")]  # Tokyo's 1 March, 28 Feb in UTC
        last = store.index.search(owner, SearchQuery(date_from="2026-02-28", date_to="2026-02-28")).items
        assert ids(last) == [made["new_york"]]  # New York's evening of 28 February, 1 March in UTC
        labelled = store.index.search(owner, SearchQuery(labels=("dog",), date_from="2026-02-28")).items
        assert ids(labelled) == [made[n] for n in NEWEST_FIRST]

    def test_trips_read_the_list_between_instant_keys(self, store: Any,
                                                      library: tuple[str, dict[str, str], str]) -> None:
        owner, made, _ = library
        page = store.trips.photos_between(owner, instant_key(TIMES["tokyo"]), instant_key(TIMES["naive"]))
        assert ids(page.items) == [made[n] for n in ("tokyo", "london", "naive")]  # oldest first

    def test_a_current_photo_needs_no_reposition(self, store: Any, library: tuple[str, dict[str, str], str]) -> None:
        owner, made, _ = library
        assert not any(store.photos.reposition(pid) for pid in made.values())
        assert ids(store.photos.list_photos(owner).items) == [made[n] for n in NEWEST_FIRST]
        assert store.photos.reposition("no-such-photo") is False
