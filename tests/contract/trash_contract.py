"""The trash contract of the PhotoStore and what it hides (issue 15 item 4): a save that sets `trashed_at` takes
the photo out of lists, search, the map, albums, open questions and the photo count; a save that clears it puts
everything back; the trash is listed and purged through its own index. Every metadata store runs it."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from cloudalbum.domain import photo_rules
from cloudalbum.domain.model import Album, Label, Location, Photo, Place, Question
from cloudalbum.domain.search import SearchQuery
from contract.base import StoreContract
from contract.metadata_contract import make_photo, make_user

NOW = "2026-03-01T10:00:00+00:00"


def trash(store: Any, photo: Photo, at: str = NOW) -> Photo:
    fresh = store.photos.get_photo(photo.id, photo.owner_id)
    assert photo_rules.trash(fresh, at)
    saved: Photo = store.photos.save_photo(fresh)
    return saved


def restore(store: Any, photo: Photo) -> Photo:
    fresh = store.photos.get_photo(photo.id, photo.owner_id, trashed=True)
    assert photo_rules.restore(fresh)
    saved: Photo = store.photos.save_photo(fresh)
    return saved


def ids(items: list[Any]) -> list[str]:
    return [getattr(i, "photo", i).id for i in items]


class TrashContract(StoreContract):
    """Subclasses supply `store`: an empty, real metadata store."""

    @pytest.fixture
    def library(self, store: Any) -> dict[str, Any]:
        owner = make_user()
        store.users.add_user(owner)
        photos = []
        for i, name in enumerate(("kept", "gone")):
            photo = make_photo(owner.id, taken_at=f"2020-05-0{i + 1}T12:00:00", status="needs_input", size=100,
                               labels=[Label(name="dog", confidence=0.9, model="m@1")],
                               location=Location(lat=48.85, lon=2.29, place=Place("Paris", "IDF", "France", "FR")),
                               sha256=hashlib.sha256(name.encode()).hexdigest())
            store.photos.add_photo(photo)
            photos.append(photo)
        album = Album(id="album-" + owner.id[:8], owner_id=owner.id, name="Paris", created_at=NOW, updated_at=NOW)
        store.albums.add_album(album)
        store.albums.add_to_album(album.id, [p.id for p in photos])
        for p in photos:
            store.questions.add_question(Question(id=f"q-{p.id}", owner_id=owner.id, photo_id=p.id, kind="event",
                                                  text="What happened?", reason="test", created_at=NOW, score=1.0))
        return {"owner": owner.id, "kept": photos[0], "gone": photos[1], "album": album.id}

    def test_a_trashed_photo_is_hidden_everywhere_and_restored_whole(self, store: Any, library: dict) -> None:
        owner, kept, gone, album = library["owner"], library["kept"], library["gone"], library["album"]
        before = store.photos.get_photo(gone.id, owner)
        trashed = trash(store, gone)
        assert trashed.trashed_at == NOW
        assert store.photos.get_photo(gone.id, owner) is None
        assert store.photos.get_photo(gone.id, None) is None  # the worker's read too
        assert store.photos.get_photo(gone.id, owner, trashed=True).trashed_at == NOW
        assert ids(store.photos.list_photos(owner).items) == [kept.id]
        assert ids(store.photos.list_photos(owner, status="needs_input").items) == [kept.id]
        assert ids(store.index.search(owner, SearchQuery(labels=("dog",))).items) == [kept.id]
        assert ids(store.index.search(owner, SearchQuery(album_id=album)).items) == [kept.id]
        assert ids(store.index.map_points(owner, SearchQuery())) == [kept.id]
        info = store.albums.get_album(album, owner)
        assert info.photo_count == 1 and info.cover_photo_id == kept.id
        assert ids(store.albums.album_photos(album, owner).items) == [kept.id]
        assert [q.photo_id for q in store.questions.open_questions(owner).items] == [kept.id]
        assert store.photos.usage(owner) == (1, 200)  # the count leaves the trash out, the bytes count it
        assert store.limits.trash_count(owner) == 1
        assert store.photos.photo_by_sha256(owner, gone.sha256).id == gone.id  # an upload finds it

        back = restore(store, gone)
        assert back.trashed_at is None
        assert back.albums == before.albums and back.labels == before.labels
        assert sorted(ids(store.photos.list_photos(owner).items)) == sorted([kept.id, gone.id])
        assert sorted(ids(store.index.search(owner, SearchQuery(labels=("dog",))).items)) == \
            sorted([kept.id, gone.id])
        assert store.albums.get_album(album, owner).photo_count == 2
        assert sorted(ids(store.albums.album_photos(album, owner).items)) == sorted([kept.id, gone.id])
        assert sorted(q.photo_id for q in store.questions.open_questions(owner).items) == sorted([kept.id, gone.id])
        assert store.photos.usage(owner) == (2, 200) and store.limits.trash_count(owner) == 0
        assert store.photos.list_trash(owner).items == []

    def test_a_trashed_photo_cannot_join_an_album(self, store: Any, library: dict) -> None:
        owner, gone = library["owner"], library["gone"]
        other = Album(id="other-" + owner[:8], owner_id=owner, name="Other", created_at=NOW, updated_at=NOW)
        store.albums.add_album(other)
        trash(store, gone)
        store.albums.add_to_album(other.id, [gone.id])
        assert store.albums.get_album(other.id, owner).photo_count == 0
        assert other.id not in store.photos.get_photo(gone.id, owner, trashed=True).albums

    def test_the_trash_pages_newest_trashed_first_and_per_owner(self, store: Any) -> None:
        alice, bob = make_user("a@example.com"), make_user("b@example.com")
        store.users.add_user(alice)
        store.users.add_user(bob)
        photos = [make_photo(alice.id) for _ in range(5)]
        for i, p in enumerate(photos):
            store.photos.add_photo(p)
            trash(store, p, at=f"2026-03-0{i + 1}T10:00:00+00:00")
        bobs = make_photo(bob.id)
        store.photos.add_photo(bobs)
        trash(store, bobs)
        got, cursor = [], None
        while True:
            page = store.photos.list_trash(alice.id, limit=2, cursor=cursor)
            got += ids(page.items)
            cursor = page.next_cursor
            if cursor is None:
                break
        assert got == [p.id for p in reversed(photos)]
        assert ids(store.photos.list_trash(bob.id).items) == [bobs.id]
        assert store.limits.trash_count(alice.id) == 5 and store.limits.trash_count(bob.id) == 1

    def test_trashed_before_is_the_purge_list_oldest_first(self, store: Any) -> None:
        owner = make_user()
        store.users.add_user(owner)
        old, older, recent, live = (make_photo(owner.id) for _ in range(4))
        for p in (old, older, recent, live):
            store.photos.add_photo(p)
        trash(store, old, at="2026-01-10T00:00:00+00:00")
        trash(store, older, at="2026-01-05T00:00:00+00:00")
        trash(store, recent, at="2026-03-01T00:00:00+00:00")
        due = store.photos.trashed_before("2026-02-01T00:00:00+00:00")
        assert ids(due) == [older.id, old.id]
        assert ids(store.photos.trashed_before("2026-02-01T00:00:00+00:00", limit=1)) == [older.id]
        restore(store, older)
        assert ids(store.photos.trashed_before("2026-02-01T00:00:00+00:00")) == [old.id]

    def test_deleting_a_trashed_photo_frees_its_bytes_and_its_trash_place(self, store: Any, library: dict) -> None:
        owner, gone, album = library["owner"], library["gone"], library["album"]
        trash(store, gone)
        store.photos.delete_photo(gone.id)
        assert store.photos.get_photo(gone.id, owner, trashed=True) is None
        assert store.photos.list_trash(owner).items == [] and store.limits.trash_count(owner) == 0
        assert store.photos.usage(owner) == (1, 100)
        assert store.albums.get_album(album, owner).photo_count == 1
        assert store.photos.photo_by_sha256(owner, gone.sha256) is None
        assert store.photos.trashed_before("9999-01-01T00:00:00+00:00") == []

    def test_a_stale_unfinished_photo_in_the_trash_is_not_requeued(self, store: Any) -> None:
        owner = make_user()
        store.users.add_user(owner)
        photo = make_photo(owner.id, status="uploaded", uploaded_at="2026-01-01T00:00:00+00:00")
        store.photos.add_photo(photo)
        trash(store, photo)
        assert store.photos.stale_photos("uploaded", older_than="2026-02-01T00:00:00+00:00") == []
        restore(store, photo)
        assert ids(store.photos.stale_photos("uploaded", older_than="2026-02-01T00:00:00+00:00")) == [photo.id]

    def test_deleting_the_owners_data_takes_the_trash_too(self, store: Any, library: dict) -> None:
        owner, gone = library["owner"], library["gone"]
        trash(store, gone)
        store.delete_owner_data(owner)
        assert store.photos.get_photo(gone.id, owner, trashed=True) is None
        assert store.photos.list_trash(owner).items == [] and store.limits.trash_count(owner) == 0
        assert store.photos.trashed_before("9999-01-01T00:00:00+00:00") == []
        assert store.photos.photo_by_sha256(owner, gone.sha256) is None
