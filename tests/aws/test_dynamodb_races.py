"""Races the DynamoDB store must win on Amazon's own engine (DynamoDB Local): conditional writes and
transactions, not read-then-write."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

import pytest

from cloudalbum.adapters.aws.store import DynamoMetadataStore
from cloudalbum.domain.errors import ConcurrentUpdate
from cloudalbum.domain.model import Album
from cloudalbum.domain.search import SearchQuery
from contract.metadata_contract import make_photo, make_user

pytestmark = pytest.mark.emulator


@pytest.fixture
def store(ddb_local_store: DynamoMetadataStore) -> DynamoMetadataStore:
    return ddb_local_store


def together(n: int, fn: Callable[[int], Any]) -> list[Any]:
    """Run fn(i) in n threads released at once; results (or exceptions) by thread."""
    barrier, out = threading.Barrier(n), [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            out[i] = fn(i)
        except Exception as exc:
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_one_of_many_writers_of_a_version_wins(store: DynamoMetadataStore) -> None:
    photo = make_photo("u1")
    store.photos.add_photo(photo)
    results = together(6, lambda i: store.photos.save_photo(dataclasses.replace(photo, title=f"writer {i}")))
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1 and all(isinstance(r, ConcurrentUpdate) for r in results if r not in winners)
    got = store.photos.get_photo(photo.id, "u1")
    assert got.title == winners[0].title and got.version == 1
    hits = store.index.search("u1", SearchQuery(q="writer")).items
    assert [h.photo.id for h in hits] == [photo.id]  # the index holds the winner's words, once


def test_one_account_per_email_under_a_race(store: DynamoMetadataStore) -> None:
    results = together(5, lambda i: store.users.add_user(make_user("Same@Example.com")))
    assert sum(r is None for r in results) == 1


def test_album_counts_stay_exact_under_concurrent_adds_and_removes(store: DynamoMetadataStore) -> None:
    album = Album(id="al1", owner_id="u1", name="A", created_at="2026-01-01T00:00:00+00:00",
                  updated_at="2026-01-01T00:00:00+00:00")
    store.albums.add_album(album)
    photos = [make_photo("u1", taken_at=f"2024-01-0{i + 1}T00:00:00") for i in range(4)]
    for p in photos:
        store.photos.add_photo(p)
    together(4, lambda i: store.albums.add_to_album("al1", [p.id for p in photos]))  # everyone adds everything
    assert store.albums.get_album("al1", "u1").photo_count == 4
    together(3, lambda i: store.albums.remove_from_album("al1", photos[0].id))
    got = store.albums.get_album("al1", "u1")
    assert got.photo_count == 3 and got.cover_photo_id == photos[3].id
    assert [p.id for p in store.albums.album_photos("al1", "u1").items] == [p.id for p in reversed(photos[1:])]
    store.photos.delete_photo(photos[3].id)
    assert store.albums.get_album("al1", "u1").photo_count == 2
