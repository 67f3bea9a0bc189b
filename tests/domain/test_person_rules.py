"""What a change does to a person (domain.people), without a store."""

from __future__ import annotations

from cloudalbum.domain import people as rules
from cloudalbum.domain.model import Box
from cloudalbum.domain.people import Face, Person


def person(**fields: object) -> Person:
    base = Person(id="a", owner_id="u1", created_at="2024-01-01T00:00:00+00:00",
                  updated_at="2024-01-01T00:00:00+00:00")
    for name, value in fields.items():
        setattr(base, name, value)
    return base


def face(face_id: str, photo_id: str, embedding: list[float], *, size: int = 50, score: float = 0.9) -> Face:
    return Face(id=face_id, owner_id="u1", photo_id=photo_id, box=Box(0, 0, size, size, score), embedding=embedding,
                created_at="2024-01-01T00:00:00+00:00", model="m")


def test_a_face_joins_a_copy_of_the_person() -> None:
    before = person(centroid_sum=[1.0, 0.0], face_count=1, photo_count=1, cover_face_id="f0", cover_photo_id="p0")
    after = rules.with_face(before, face("f1", "p1", [0.0, 1.0]), new_photo=True, now="2024-02-02T00:00:00+00:00")
    assert (after.centroid_sum, after.face_count, after.photo_count) == ([1.0, 1.0], 2, 2)
    assert (after.cover_face_id, after.updated_at) == ("f0", "2024-02-02T00:00:00+00:00")
    assert before.face_count == 1  # the person as read is not changed


def test_the_first_face_becomes_the_cover() -> None:
    after = rules.with_face(person(), face("f1", "p1", [1.0]), new_photo=False, now="t")
    assert (after.cover_face_id, after.cover_photo_id, after.photo_count) == ("f1", "p1", 0)


def test_recount_from_the_faces_keeps_a_cover_still_among_them() -> None:
    p = person(cover_face_id="f2", cover_photo_id="p1", face_count=9)
    faces = [face("f1", "p1", [1.0, 0.0], size=80), face("f2", "p1", [0.0, 1.0]), face("f3", "p2", [1.0, 1.0])]
    rules.recount(p, faces)
    assert (p.centroid_sum, p.face_count, p.photo_count, p.cover_face_id) == ([2.0, 2.0], 3, 2, "f2")


def test_recount_picks_the_largest_most_confident_face_when_the_cover_left() -> None:
    p = person(cover_face_id="gone", cover_photo_id="p9")
    rules.recount(p, [face("f1", "p1", [1.0], size=40), face("f2", "p2", [1.0], size=80, score=0.8)])
    assert (p.cover_face_id, p.cover_photo_id) == ("f2", "p2")


def test_absorbing_takes_the_name_only_when_there_is_none_and_joins_what_the_owner_said() -> None:
    kept = person(id="a", not_same_as=["c", "b"], dont_ask=True)
    rules.absorb(kept, person(id="b", name="Ann", not_same_as=["a", "d", "c"], dont_ask=False))
    assert (kept.name, kept.not_same_as, kept.dont_ask) == ("Ann", ["c", "d"], False)
    named = person(id="a", name="Bea")
    rules.absorb(named, person(id="b", name="Ann"))
    assert named.name == "Bea"


def test_people_seen_together_are_kept_apart_once_each() -> None:
    p = person(not_same_as=["x"])
    rules.keep_apart(p, {"z", "x", "y"})
    rules.keep_apart(p, {"y"})
    assert p.not_same_as == ["x", "y", "z"]


def test_recount_leaves_out_the_faces_of_photos_in_the_trash() -> None:
    p = person(cover_face_id="f2", cover_photo_id="p2")
    trashed = face("f2", "p2", [0.0, 1.0], size=90)
    trashed.in_trash = True
    rules.recount(p, [face("f1", "p1", [1.0, 0.0]), trashed])
    assert (p.face_count, p.photo_count) == (1, 1)
    assert p.centroid_sum == [1.0, 1.0]  # the trashed face still shapes the person: it comes back with a restore
    assert (p.cover_face_id, p.cover_photo_id) == ("f1", "p1")  # the cover is a face that is shown
