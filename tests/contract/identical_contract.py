"""The identical-files contract of the PhotoStore (issue 19 / 15.1): a photo's sha256 is unique per owner,
found through an index, freed by delete. Every metadata store runs it."""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import pytest

from cloudalbum.domain.errors import Conflict
from contract.base import StoreContract
from contract.metadata_contract import make_photo, make_user


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class IdenticalFilesContract(StoreContract):
    """Subclasses supply `store`: an empty, real metadata store. `ATOMIC_RACES = False` for an emulator whose
    transactions are not atomic across concurrent requests (moto): the race then runs elsewhere, visibly."""

    ATOMIC_RACES = True

    def test_found_by_sha256_per_owner(self, store: Any) -> None:
        alice, bob = make_user("a@example.com"), make_user("b@example.com")
        store.users.add_user(alice)
        store.users.add_user(bob)
        photo = make_photo(alice.id, sha256=digest("x"))
        store.photos.add_photo(photo)
        assert store.photos.photo_by_sha256(alice.id, digest("x")).id == photo.id
        assert store.photos.photo_by_sha256(bob.id, digest("x")) is None
        assert store.photos.photo_by_sha256(alice.id, digest("y")) is None
        store.photos.add_photo(make_photo(bob.id, sha256=digest("x")))  # another owner's copy is its own photo

    def test_second_record_with_the_same_bytes_is_a_conflict_and_writes_nothing(self, store: Any) -> None:
        owner = make_user()
        store.users.add_user(owner)
        first = make_photo(owner.id, sha256=digest("x"), size=100)
        store.photos.add_photo(first)
        second = make_photo(owner.id, sha256=digest("x"), size=100)
        with pytest.raises(Conflict) as caught:
            store.photos.add_photo(second)
        assert caught.value.code == "duplicate_photo"
        assert store.photos.get_photo(second.id, owner.id) is None
        assert store.photos.usage(owner.id) == (1, 100)

    def test_delete_frees_the_bytes(self, store: Any) -> None:
        owner = make_user()
        store.users.add_user(owner)
        first = make_photo(owner.id, sha256=digest("x"))
        store.photos.add_photo(first)
        store.photos.delete_photo(first.id)
        assert store.photos.photo_by_sha256(owner.id, digest("x")) is None
        again = make_photo(owner.id, sha256=digest("x"))
        store.photos.add_photo(again)
        assert store.photos.photo_by_sha256(owner.id, digest("x")).id == again.id

    def test_photos_without_a_digest_never_collide(self, store: Any) -> None:
        owner = make_user()
        store.users.add_user(owner)
        store.photos.add_photo(make_photo(owner.id))
        store.photos.add_photo(make_photo(owner.id))
        assert store.photos.usage(owner.id)[0] == 2

    def test_saving_keeps_the_digest(self, store: Any) -> None:
        owner = make_user()
        store.users.add_user(owner)
        photo = make_photo(owner.id, sha256=digest("x"))
        store.photos.add_photo(photo)
        loaded = store.photos.get_photo(photo.id, owner.id)
        loaded.title = "edited"
        store.photos.save_photo(loaded)
        assert store.photos.photo_by_sha256(owner.id, digest("x")).title == "edited"

    def test_concurrent_records_of_the_same_bytes_one_wins(self, store: Any) -> None:
        if not self.ATOMIC_RACES:
            pytest.skip("this emulator checks a transaction's conditions without isolation from concurrent "
                        "requests; the race runs on DynamoDB Local (Amazon's engine) and SQLite")
        owner = make_user()
        store.users.add_user(owner)
        won: list[str] = []
        lost: list[str] = []
        barrier = threading.Barrier(8)

        def add() -> None:
            photo = make_photo(owner.id, sha256=digest("race"))
            barrier.wait()
            try:
                store.photos.add_photo(photo)
                won.append(photo.id)
            except Conflict:
                lost.append(photo.id)

        threads = [threading.Thread(target=add) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(won) == 1 and len(lost) == 7
        assert store.photos.photo_by_sha256(owner.id, digest("race")).id == won[0]
        assert store.photos.usage(owner.id)[0] == 1
