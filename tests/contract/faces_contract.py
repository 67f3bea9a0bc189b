"""The FaceStore contract (faces with embeddings, people, the owner's face setting). Every metadata store runs
it (SQLite here, DynamoDB in tests/aws)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from cloudalbum.domain.errors import ConcurrentUpdate, NotFound
from cloudalbum.domain.model import Box, new_id
from cloudalbum.domain.people import Face, Person
from contract.base import StoreContract
from contract.metadata_contract import make_photo, make_user


def make_face(owner_id: str, photo_id: str, *, x: int = 10, person_id: str | None = None,
              created_at: str = "2026-01-01T00:00:00+00:00", seed: float = 0.1) -> Face:
    vec = [seed * ((i % 7) - 3) for i in range(128)]
    return Face(id=new_id(), owner_id=owner_id, photo_id=photo_id, box=Box(x, 20, 64, 80, 0.93),
                embedding=vec, created_at=created_at, model="yunet@a+sface@b", person_id=person_id)


def make_person(owner_id: str, *, photo_count: int = 1, name: str | None = None,
                created_at: str = "2026-01-01T00:00:00+00:00") -> Person:
    return Person(id=new_id(), owner_id=owner_id, created_at=created_at, updated_at=created_at, name=name,
                  face_count=photo_count, photo_count=photo_count, centroid_sum=[0.25] * 128)


def close(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(abs(x - y) < 1e-5 for x, y in zip(a, b, strict=True))


class FaceStoreContract(StoreContract):
    """Subclasses supply `store`: an empty, real metadata store."""

    @pytest.fixture
    def owner(self, store: Any) -> str:
        user = make_user(f"{new_id()}@example.com")
        store.users.add_user(user)
        return user.id

    def _photo(self, store: Any, owner: str, **kw: Any) -> str:
        photo = make_photo(owner, **kw)
        store.photos.add_photo(photo)
        return photo.id

    # --- faces ------------------------------------------------------------------------------------------

    def test_face_round_trip_keeps_the_embedding(self, store: Any, owner: str) -> None:
        pid = self._photo(store, owner)
        face = make_face(owner, pid)
        face.not_person_ids = ["p1"]
        store.faces.add_faces([face])
        got = store.faces.get_face(face.id, owner)
        assert got is not None and close(got.embedding, face.embedding)
        assert dataclasses.replace(got, embedding=[]) == dataclasses.replace(face, embedding=[])

    def test_another_owner_sees_no_face(self, store: Any, owner: str) -> None:
        pid = self._photo(store, owner)
        face = make_face(owner, pid)
        store.faces.add_faces([face])
        assert store.faces.get_face(face.id, "someone-else") is None
        assert store.faces.get_face("missing", owner) is None

    def test_faces_of_photo_left_to_right(self, store: Any, owner: str) -> None:
        pid, other = self._photo(store, owner), self._photo(store, owner)
        faces = [make_face(owner, pid, x=x) for x in (300, 10, 150)]
        store.faces.add_faces(faces + [make_face(owner, other)])
        assert [f.box.x for f in store.faces.faces_of_photo(pid)] == [10, 150, 300]
        assert store.faces.faces_of_photo("missing") == []

    def test_save_face_moves_it_between_people(self, store: Any, owner: str) -> None:
        pid = self._photo(store, owner)
        face = make_face(owner, pid, person_id="a")
        store.faces.add_faces([face])
        store.faces.save_face(dataclasses.replace(face, person_id="b", not_person_ids=["a"]))
        assert [f.id for f in store.faces.faces_of_person("b", owner).items] == [face.id]
        assert store.faces.faces_of_person("a", owner).items == []
        assert store.faces.get_face(face.id, owner).not_person_ids == ["a"]

    def test_faces_of_person_pages_oldest_first(self, store: Any, owner: str) -> None:
        pid = self._photo(store, owner)
        faces = [make_face(owner, pid, person_id="p", created_at=f"2026-01-0{1 + i % 3}T00:00:00+00:00")
                 for i in range(7)]
        store.faces.add_faces(faces)
        seen, cursor = [], None
        while True:
            page = store.faces.faces_of_person("p", owner, limit=3, cursor=cursor)
            seen += page.items
            cursor = page.next_cursor
            if cursor is None:
                break
        assert sorted(f.id for f in seen) == sorted(f.id for f in faces) and len(seen) == 7
        assert [f.created_at for f in seen] == sorted(f.created_at for f in seen)
        assert store.faces.faces_of_person("p", "someone-else").items == []

    def test_delete_faces_is_idempotent(self, store: Any, owner: str) -> None:
        pid = self._photo(store, owner)
        a, b = make_face(owner, pid, x=1), make_face(owner, pid, x=2)
        store.faces.add_faces([a, b])
        store.faces.delete_faces([a.id, "missing"])
        store.faces.delete_faces([a.id])
        assert [f.id for f in store.faces.faces_of_photo(pid)] == [b.id]

    def test_deleting_a_photo_deletes_its_faces(self, store: Any, owner: str) -> None:
        pid, keep = self._photo(store, owner), self._photo(store, owner)
        gone, kept = make_face(owner, pid, person_id="p"), make_face(owner, keep, person_id="p")
        store.faces.add_faces([gone, kept])
        store.photos.delete_photo(pid)
        assert store.faces.get_face(gone.id, owner) is None
        assert store.faces.faces_of_photo(pid) == []
        assert [f.id for f in store.faces.faces_of_person("p", owner).items] == [kept.id]

    # --- people -----------------------------------------------------------------------------------------

    def test_person_round_trip(self, store: Any, owner: str) -> None:
        person = make_person(owner, name="Anna")
        person.not_same_as, person.dont_ask, person.question_id = ["x"], True, "q1"
        person.cover_face_id, person.cover_photo_id = "f1", "ph1"
        store.faces.add_person(person)
        got = store.faces.get_person(person.id, owner)
        assert got is not None and close(got.centroid_sum, person.centroid_sum)
        assert dataclasses.replace(got, centroid_sum=[]) == dataclasses.replace(person, centroid_sum=[])
        assert store.faces.get_person(person.id, "someone-else") is None

    def test_save_person_is_optimistic(self, store: Any, owner: str) -> None:
        person = make_person(owner)
        store.faces.add_person(person)
        saved = store.faces.save_person(dataclasses.replace(person, name="Bo", photo_count=3))
        assert saved.version == person.version + 1
        assert store.faces.get_person(person.id, owner).name == "Bo"
        with pytest.raises(ConcurrentUpdate):
            store.faces.save_person(dataclasses.replace(person, name="stale"))
        store.faces.delete_person(person.id)
        with pytest.raises(NotFound):
            store.faces.save_person(saved)

    def test_delete_person_is_idempotent(self, store: Any, owner: str) -> None:
        person = make_person(owner)
        store.faces.add_person(person)
        store.faces.delete_person(person.id)
        store.faces.delete_person(person.id)
        assert store.faces.get_person(person.id, owner) is None
        assert store.faces.people_of_owner(owner) == []

    def test_list_people_most_photos_first_and_pages(self, store: Any, owner: str) -> None:
        people = [make_person(owner, photo_count=n) for n in (3, 10, 1, 3, 7, 2, 3)]
        for p in people:
            store.faces.add_person(p)
        store.faces.add_person(make_person("someone-else", photo_count=99))
        seen, cursor = [], None
        while True:
            page = store.faces.list_people(owner, limit=2, cursor=cursor)
            seen += page.items
            cursor = page.next_cursor
            if cursor is None:
                break
        assert [p.photo_count for p in seen] == [10, 7, 3, 3, 3, 2, 1]
        assert sorted(p.id for p in seen) == sorted(p.id for p in people)
        threes = [p.id for p in seen if p.photo_count == 3]
        assert threes == sorted(threes)

    def test_list_order_follows_saved_counts(self, store: Any, owner: str) -> None:
        a, b = make_person(owner, photo_count=5), make_person(owner, photo_count=1)
        store.faces.add_person(a)
        store.faces.add_person(b)
        store.faces.save_person(dataclasses.replace(b, photo_count=9))
        assert [p.id for p in store.faces.list_people(owner).items] == [b.id, a.id]

    def test_people_of_owner_has_everyone_with_centroids(self, store: Any, owner: str) -> None:
        people = [make_person(owner) for _ in range(5)]
        for p in people:
            store.faces.add_person(p)
        got = store.faces.people_of_owner(owner)
        assert sorted(p.id for p in got) == sorted(p.id for p in people)
        assert all(len(p.centroid_sum) == 128 for p in got)
        assert store.faces.people_of_owner("someone-else") == []

    def test_person_vectors_are_the_centroids(self, store: Any, owner: str) -> None:
        people = [make_person(owner) for _ in range(3)]
        for i, p in enumerate(people):
            p.centroid_sum = [float(i + 1)] * 128
            store.faces.add_person(p)
        store.faces.add_person(make_person("someone-else"))
        ids, matrix = store.faces.person_vectors(owner)
        assert sorted(ids) == sorted(p.id for p in people) and matrix.shape == (3, 128)
        for pid, row in zip(ids, matrix, strict=True):
            assert close(list(map(float, row)), next(p.centroid_sum for p in people if p.id == pid))
        ids, matrix = store.faces.person_vectors("nobody")
        assert ids == [] and len(matrix) == 0

    # --- the owner's setting and forgetting -------------------------------------------------------------

    def test_face_grouping_setting(self, store: Any, owner: str) -> None:
        assert store.faces.face_grouping_enabled(owner) is True
        store.faces.set_face_grouping(owner, False)
        assert store.faces.face_grouping_enabled(owner) is False
        store.faces.set_face_grouping(owner, True)
        assert store.faces.face_grouping_enabled(owner) is True

    def test_delete_face_data_is_per_owner(self, store: Any, owner: str) -> None:
        other = make_user(f"{new_id()}@example.com")
        store.users.add_user(other)
        mine, theirs = self._photo(store, owner), self._photo(store, other.id)
        store.faces.add_faces([make_face(owner, mine, person_id="p"), make_face(other.id, theirs, person_id="q")])
        store.faces.add_person(make_person(owner))
        kept = make_person(other.id)
        store.faces.add_person(kept)
        store.faces.delete_face_data(owner)
        assert store.faces.faces_of_photo(mine) == [] and store.faces.people_of_owner(owner) == []
        assert len(store.faces.faces_of_photo(theirs)) == 1
        assert [p.id for p in store.faces.people_of_owner(other.id)] == [kept.id]
