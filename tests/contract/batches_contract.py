"""The BatchStore contract (batch edits and their undo records) and SearchIndex.photos_by_camera. Every metadata
store runs it: SQLite (tests/contract/test_sqlite_store.py) and DynamoDB on moto and DynamoDB Local
(tests/aws/test_contracts.py)."""

from __future__ import annotations

import threading
from typing import Any

from cloudalbum.domain.batches import Batch, BatchPhoto
from cloudalbum.domain.model import Camera, new_id
from contract.base import StoreContract

from .metadata_contract import make_photo, make_user

NOW = "2026-01-01T00:00:00+00:00"


def make_batch(owner_id: str, *, expires_at: str = "2026-01-31T00:00:00+00:00", **kw: Any) -> Batch:
    return Batch(id=new_id(), owner_id=owner_id, created_at=NOW, expires_at=expires_at, photo_ids=["p1", "p2"],
                 operations={"shift_taken_at_s": 3600}, **kw)


class BatchStoreContract(StoreContract):
    def test_batch_round_trip_with_its_photos(self, store: Any) -> None:
        alice = make_user()
        batch = make_batch(alice.id, album_id="a1")
        store.batches.add_batch(batch)
        before = {"fields": {"taken_at": "2015-04-10T20:12:23", "location": None}, "user": [],
                  "labels": {"dog": {"labels": [], "rejected": True}}}
        store.batches.add_batch_photos(batch.id, alice.id, [BatchPhoto("p1", before, True)])
        store.batches.add_batch_photos(batch.id, alice.id, [BatchPhoto("p2", {}, False)])
        got = store.batches.get_batch(batch.id, alice.id, now=NOW)
        assert got is not None and got.updated == 2 and got.photo_ids == ["p1", "p2"] and got.album_id == "a1"
        assert got.operations == {"shift_taken_at_s": 3600} and got.undone_at is None
        entries = sorted(store.batches.batch_photos(batch.id, alice.id), key=lambda e: e.photo_id)
        assert entries == [BatchPhoto("p1", before, True), BatchPhoto("p2", {}, False)]

    def test_another_owners_or_an_expired_batch_is_missing(self, store: Any) -> None:
        alice, bob = make_user("a@example.com"), make_user("b@example.com")
        batch = make_batch(alice.id)
        store.batches.add_batch(batch)
        store.batches.add_batch_photos(batch.id, bob.id, [BatchPhoto("p1", {"fields": {"title": None}})])
        assert store.batches.get_batch(batch.id, bob.id, now=NOW) is None
        assert store.batches.batch_photos(batch.id, bob.id) == []
        assert store.batches.get_batch(batch.id, alice.id, now=NOW).updated == 0  # bob's entries went nowhere
        assert store.batches.get_batch(batch.id, alice.id, now="2026-02-01T00:00:00+00:00") is None
        assert store.batches.get_batch("missing", alice.id, now=NOW) is None
        store.batches.add_batch_photos(batch.id, alice.id, [BatchPhoto("p1", {"fields": {"title": None}})])
        assert store.batches.get_batch(f"{batch.id}#P#p1", alice.id, now=NOW) is None  # an id is not an entry's key
        assert store.batches.mark_undone(batch.id, bob.id, at=NOW) is False

    def test_a_batch_is_undone_once_even_under_a_race(self, store: Any) -> None:
        alice = make_user()
        batch = make_batch(alice.id)
        store.batches.add_batch(batch)
        wins: list[bool] = []
        threads = [threading.Thread(target=lambda: wins.append(store.batches.mark_undone(batch.id, alice.id, at=NOW)))
                   for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(wins) == [False] * 5 + [True]
        assert store.batches.get_batch(batch.id, alice.id, now=NOW).undone_at == NOW

    def test_owner_batches_are_deleted_with_the_owner(self, store: Any) -> None:
        alice, bob = make_user("a@example.com"), make_user("b@example.com")
        mine, theirs = make_batch(alice.id), make_batch(bob.id)
        for b in (mine, theirs):
            store.batches.add_batch(b)
            store.batches.add_batch_photos(b.id, b.owner_id, [BatchPhoto("p1", {"fields": {"title": "x"}})])
        store.delete_owner_data(alice.id)
        assert store.batches.get_batch(mine.id, alice.id, now=NOW) is None
        assert store.batches.batch_photos(mine.id, alice.id) == []
        assert store.batches.get_batch(theirs.id, bob.id, now=NOW) is not None
        assert len(store.batches.batch_photos(theirs.id, bob.id)) == 1

    def test_photos_by_camera_are_the_owners_exact_camera_newest_first(self, store: Any) -> None:
        alice, bob = make_user("a@example.com"), make_user("b@example.com")

        def add(owner: str, taken: str, make: str, model: str) -> str:
            photo = make_photo(owner, taken_at=taken, status="done", camera=Camera(make, model))
            store.photos.add_photo(photo)
            return str(photo.id)

        older = add(alice.id, "2015-01-01T10:00:00", "Canon", "Canon EOS 5D Mark II")
        newer = add(alice.id, "2016-01-01T10:00:00", "Canon", "Canon EOS 5D Mark II")
        add(alice.id, "2016-01-01T10:00:00", "Canon", "Canon EOS 5D Mark III")
        add(alice.id, "2016-01-01T10:00:00", "Canon", "Canon EOS 5D")
        add(bob.id, "2016-01-01T10:00:00", "Canon", "Canon EOS 5D Mark II")
        found = store.index.photos_by_camera(alice.id, "CANON", "canon eos 5d mark ii", limit=10)
        assert [p.id for p in found] == [newer, older]
        assert [p.id for p in store.index.photos_by_camera(alice.id, "canon", "Canon EOS 5D Mark II", limit=1)] \
            == [newer]
        assert len(store.index.photos_by_camera(alice.id, "Canon", None, limit=10)) == 4
        assert store.index.photos_by_camera(alice.id, "Nikon", "D90", limit=10) == []
