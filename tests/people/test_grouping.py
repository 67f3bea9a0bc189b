"""Grouping rules (domain.people) and the people service's grouping on the real SQLite store, with embeddings
made to order: which person a face joins, when two people merge, and what keeps people apart."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cloudalbum.adapters.embedded.blobstore import FileBlobStore
from cloudalbum.adapters.embedded.store import SqliteMetadataStore
from cloudalbum.config import Settings
from cloudalbum.domain import people as rules
from cloudalbum.domain.model import new_id
from cloudalbum.domain.people import Person
from cloudalbum.ports import FoundFace
from cloudalbum.services.people import PeopleService
from contract.metadata_contract import make_photo, make_user

DIM = 128


def unit(i: int) -> np.ndarray:
    v = np.zeros(DIM)
    v[i] = 1.0
    return v


def mix(a: np.ndarray, b: np.ndarray, cos: float) -> list[float]:
    """A unit vector at cosine `cos` from a, in the plane of a and b (b orthogonal to a)."""
    return list(cos * a + math.sqrt(1 - cos * cos) * b)


def person(pid: str, centroid: list[float], **kw: Any) -> Person:
    return Person(id=pid, owner_id="o", created_at="2026-01-01", updated_at="2026-01-01", centroid_sum=centroid,
                  face_count=1, photo_count=1, **kw)


# --- pure rules -----------------------------------------------------------------------------------------------


def test_a_face_joins_the_most_similar_person_above_the_threshold() -> None:
    a, b = person("a", list(unit(0))), person("b", list(unit(1)))
    assert rules.best_person(mix(unit(0), unit(2), 0.9), [a, b])[0] is a
    assert rules.best_person(mix(unit(1), unit(2), 0.5), [a, b])[0] is b
    found, sim = rules.best_person(mix(unit(0), unit(2), 0.3), [a, b])
    assert found is None and sim == pytest.approx(0.3, abs=1e-5)
    assert rules.best_person(list(unit(0)), [a, b], exclude=["a"])[0] is None
    assert rules.best_person(list(unit(0)), []) == (None, -1.0)


def test_centroid_sums_of_any_size_compare_by_direction() -> None:
    big = person("big", list(unit(0) * 40))  # forty faces' sum
    assert rules.best_person(mix(unit(0), unit(1), 0.5), [big])[0] is big


def test_people_the_owner_kept_apart_or_named_differently_never_merge() -> None:
    a = person("a", list(unit(0)))
    twin = person("twin", mix(unit(0), unit(1), 0.9))
    assert rules.merge_candidates(a, [a, twin]) == [twin]
    assert rules.merge_candidates(a, [person("twin", twin.centroid_sum, not_same_as=["a"])]) == []
    assert rules.merge_candidates(person("a", a.centroid_sum, name="Ann"),
                                  [person("t", twin.centroid_sum, name="Bea")]) == []
    assert rules.merge_candidates(person("a", a.centroid_sum, name="Ann"),
                                  [person("t", twin.centroid_sum, name=" ann ")]) != []
    assert rules.merge_candidates(a, [person("far", mix(unit(0), unit(1), 0.2))]) == []


def test_the_named_then_bigger_then_older_person_survives_a_merge() -> None:
    old, new = person("old", [1.0]), person("new", [1.0])
    old.created_at, new.created_at = "2020", "2026"
    assert rules.survivor(new, old)[0] is old
    new.face_count = 5
    assert rules.survivor(old, new)[0] is new
    old.name = "Ann"
    assert rules.survivor(new, old)[0] is old


@pytest.mark.parametrize("raw, expected", [("  Anna   Maria ", "Anna Maria"), ("", None), ("   ", None),
                                           (None, None), ("Zoë", "Zoë")])
def test_names_are_cleaned(raw: Any, expected: str | None) -> None:
    assert rules.clean_name(raw) == expected


@pytest.mark.parametrize("raw", [5, "x" * 101, "bell\x07", ["Ann"]])
def test_bad_names_are_refused(raw: Any) -> None:
    with pytest.raises(ValueError):
        rules.clean_name(raw)


# --- the service on the real store ------------------------------------------------------------------------------


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[PeopleService, Any, str]]:
    store = SqliteMetadataStore(tmp_path / "meta.sqlite3")
    user = make_user()
    store.users.add_user(user)
    service = PeopleService(faces=store.faces, photos=store.photos, questions=store.questions, scans=store.limits,
                            index=store.index, blobs=FileBlobStore(tmp_path / "blobs"),
                            settings=Settings(data_dir=tmp_path))
    yield service, store, user.id
    store.close()


def add(world: tuple[PeopleService, Any, str], *embeddings: list[float]) -> str:
    """A photo with one face per embedding, grouped by the service; returns the photo id."""
    service, store, owner = world
    photo = make_photo(owner, status="processing")
    store.photos.add_photo(photo)
    found = [FoundFace(x=10 + 100 * i, y=10, w=60, h=60, confidence=0.95, landmarks=[], embedding=e)
             for i, e in enumerate(embeddings)]
    service.record_faces(photo, found, [b"\xff\xd8jpeg"] * len(found), "yunet@t+sface@t")
    return photo.id


def groups(store: Any, owner: str) -> list[int]:
    return sorted(p.face_count for p in store.faces.people_of_owner(owner))


def test_two_groups_merge_when_a_face_shows_they_are_one(world: Any) -> None:
    service, store, owner = world
    a, b = unit(0), mix(unit(0), unit(1), 0.30)  # too far apart to join: two people
    add(world, list(a))
    add(world, b)
    assert groups(store, owner) == [1, 1]
    add(world, mix(unit(0), unit(1), 0.85))  # close to both: joins one, and its centroid now meets the other
    assert groups(store, owner) == [3]
    [p] = store.faces.people_of_owner(owner)
    assert p.photo_count == 3 and len(store.faces.faces_of_person(p.id, owner).items) == 3
    open_questions = store.questions.open_questions(owner).items
    assert [q.person_id for q in open_questions] == [p.id], "one question for the merged person"


def test_two_faces_in_one_photo_are_never_one_person(world: Any) -> None:
    service, store, owner = world
    add(world, list(unit(0)), mix(unit(0), unit(1), 0.95))  # a person and a lookalike side by side
    assert groups(store, owner) == [1, 1]
    add(world, list(unit(0)))
    assert sorted(p.photo_count for p in store.faces.people_of_owner(owner)) == [1, 2]


def test_different_people_stay_apart_however_many_photos(world: Any) -> None:
    service, store, owner = world
    rng = np.random.default_rng(7)
    centres = [unit(i) for i in range(6)]
    for _ in range(8):
        for c in centres:
            noise = rng.normal(size=DIM)
            noise -= noise.dot(c) * c
            add(world, mix(c, noise / np.linalg.norm(noise), 0.7))
    assert groups(store, owner) == [8] * 6


def test_a_named_person_keeps_the_name_for_faces_that_join_later(world: Any) -> None:
    service, store, owner = world
    first = add(world, list(unit(0)))
    [p] = store.faces.people_of_owner(owner)
    service.rename(owner, p.id, "Ann")
    later = add(world, mix(unit(0), unit(1), 0.8))
    assert [f.person_name for f in service.face_refs(later)] == ["Ann"]
    assert store.photos.get_photo(first, owner).faces[0].person_name == "Ann"
    assert store.questions.open_questions(owner).items == []


def test_owners_are_grouped_separately(world: Any) -> None:
    service, store, owner = world
    other = make_user(f"{new_id()}@example.com")
    store.users.add_user(other)
    add(world, list(unit(0)))
    add((service, store, other.id), list(unit(0)))
    assert groups(store, owner) == [1] and groups(store, other.id) == [1]
    assert store.faces.people_of_owner(owner)[0].id != store.faces.people_of_owner(other.id)[0].id


def test_naming_a_person_jose_when_josé_exists_merges_the_two_and_search_finds_both(world: Any) -> None:
    """Accents do not make two names (domain.text.name_key), as case and spaces never did."""
    from cloudalbum.domain.search import SearchQuery

    service, store, owner = world
    first, second = add(world, list(unit(0))), add(world, list(unit(1)))  # far apart: two people
    josé, jose = (service.face_refs(photo_id)[0].person_id for photo_id in (first, second))
    service.rename(owner, josé, "José")
    kept = service.rename(owner, jose, "Jose")
    assert kept.id == josé and kept.name == "José"
    assert [p.id for p in store.faces.people_of_owner(owner)] == [josé]
    found = store.index.search(owner, SearchQuery(person="jose")).items
    assert sorted(hit.photo.id for hit in found) == sorted([first, second])
