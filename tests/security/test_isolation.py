"""Broken object level authorization (OWASP API1): every route that takes an id, read from app.url_map so a
new route is covered the day it lands, answers another user's object exactly as a missing one (a 4xx, the same
status and body) and changes nothing of it. Plus the mixed cases: another user's photo put into my album,
removed from it, or answered for through `apply_to`.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from typing import Any

import pytest

from cloudalbum.domain.model import Box, Question, iso, new_id, utcnow
from cloudalbum.domain.people import Face, Person
from support import make_jpeg

# A plausible body per endpoint (valid for the owner), so a refusal is about ownership, not about the body.
BODIES: dict[str, dict[str, Any]] = {
    "photos.patch_photo": {"json": {"title": "pwned", "description": "pwned"}},
    "albums.patch_album": {"json": {"name": "pwned"}},
    "albums.add_photos": {"json": {"photo_ids": ["{photo_id}"]}},
    "questions.answer": {"json": {"answer": "Paris"}},
    "photos.thumbnail": {"query_string": {"size": "small"}},
    "people.rename_person": {"json": {"name": "pwned"}},
    "people.merge_people": {"json": {"person_ids": ["{person_id}"]}},
    "sharing.add_member": {"json": {"email": "carol@example.com", "role": "contributor"}},
    "trips.trip_album": {"json": {"name": "pwned"}},
    "duplicates.resolve": {"json": {"keep": "{photo_id}"}},
}
# The public share routes take a capability (the token), not a user's id: tests/security/test_share_isolation.py
SKIP_PREFIXES = ("/static/", "/api/docs", "/api/s/", "/s/")  # /s/<token>: one static page for any token


def id_routes(app: Any) -> list[tuple[str, str, str]]:
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.arguments or rule.rule.startswith(SKIP_PREFIXES) or "path:" in str(rule):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, rule.rule, rule.endpoint))
    return out


def fill(rule: str, ids: dict[str, str]) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: ids[m.group(1)], rule)


def scrub(resp: Any, ids: dict[str, str]) -> str:
    text = resp.get_data(as_text=True)
    for v in ids.values():
        text = text.replace(v, "<id>")
    return text


def body_for(endpoint: str, ids: dict[str, str]) -> dict[str, Any]:
    spec = BODIES.get(endpoint, {})
    out: dict[str, Any] = {}
    for k, v in spec.items():
        if k == "json":
            out[k] = {f: ([x.format(**ids) for x in val] if isinstance(val, list) else val) for f, val in v.items()}
        else:
            out[k] = v
    return out


@pytest.fixture
def world(alice: Any, bob: Any, container: Any, make_user: Any) -> dict[str, Any]:
    """Alice: a processed-looking photo with thumbnails, in an album, with an open question. Bob: his own."""
    c = container
    pid = alice.upload(make_jpeg(64, 48)).get_json()["id"]
    photo = c.store.photos.get_photo(pid, alice.id)
    keys = {}
    for size in ("small", "large"):
        keys[size] = f"thumbnails/{alice.id}/{pid}/{size}.jpg"
        c.blobs.put(keys[size], make_jpeg(16, 12), content_type="image/jpeg")
    photo.thumbnail_keys = keys
    photo.status = "needs_input"
    c.store.photos.save_photo(photo)
    aid = alice.request("POST", "/api/albums", json={"name": "Alice's"}).get_json()["id"]
    assert alice.request("POST", f"/api/albums/{aid}/photos", json={"photo_ids": [pid]}).status_code == 200
    qid = new_id()
    c.store.questions.add_question(Question(id=qid, owner_id=alice.id, photo_id=pid, kind="location", text="Where?",
                                  reason="no GPS", created_at=iso(utcnow())))
    person_id, face_id = add_person_with_a_face(c, alice.id, pid)
    bob_pid = bob.upload(make_jpeg(64, 48)).get_json()["id"]
    bob_aid = bob.request("POST", "/api/albums", json={"name": "Bob's"}).get_json()["id"]
    group_id = add_duplicate_group(c, alice.id, [pid, alice.upload(make_jpeg(64, 48)).get_json()["id"]])
    bob_qid = new_id()
    c.store.questions.add_question(Question(id=bob_qid, owner_id=bob.id, photo_id=bob_pid, kind="location",
                                  text="Where?", reason="no GPS", created_at=iso(utcnow())))
    for m in c.queue.receive(max_messages=10):
        c.queue.delete(m.receipt_handle)
    bob_person_id, bob_face_id = add_person_with_a_face(c, bob.id, bob_pid)
    bob_group_id = add_duplicate_group(c, bob.id, [bob_pid, bob.upload(make_jpeg(64, 48)).get_json()["id"]])
    for m in c.queue.receive(max_messages=10):
        c.queue.delete(m.receipt_handle)
    carol = make_user("carol@example.com")  # a member of Alice's album (issue 18)
    assert alice.request("POST", f"/api/albums/{aid}/members", json={"email": carol.email, "role": "viewer"}
                         ).status_code == 201
    share_id = alice.request("POST", "/api/shares", json={"album_id": aid}).get_json()["id"]
    bob_share_id = bob.request("POST", "/api/shares", json={"photo_ids": [bob_pid]}).get_json()["id"]
    batch_id = alice.request("POST", "/api/photos/batch", json={"photo_ids": [pid], "add_labels": ["mine"]}
                             ).get_json()["batch_id"]
    bob_batch_id = bob.request("POST", "/api/photos/batch", json={"photo_ids": [bob_pid], "add_labels": ["his"]}
                               ).get_json()["batch_id"]
    trip_id, bob_trip_id = add_trip(c, alice.id, pid), add_trip(c, bob.id, bob_pid)
    return {"alice": {"photo_id": pid, "album_id": aid, "question_id": qid, "person_id": person_id,
                      "face_id": face_id, "share_id": share_id, "user_id": carol.id, "batch_id": batch_id,
                      "trip_id": trip_id, "group_id": group_id},
            "bob": {"photo_id": bob_pid, "album_id": bob_aid, "question_id": bob_qid, "person_id": bob_person_id,
                    "face_id": bob_face_id, "share_id": bob_share_id, "user_id": bob.id, "batch_id": bob_batch_id,
                    "trip_id": bob_trip_id, "group_id": bob_group_id}}


def add_duplicate_group(c: Any, owner: str, photo_ids: list[str]) -> str:
    """A duplicate group of the owner's photos, as processing would leave it."""
    from cloudalbum.domain.duplicates import DuplicateGroup

    group = DuplicateGroup(id=new_id(), owner_id=owner, kind="near", photo_ids=photo_ids, created_at=iso(utcnow()))
    return str(c.store.duplicates.save_group(group, previous=None).id)


def add_trip(c: Any, owner: str, photo_id: str) -> str:
    """A trip as a recompute would store it (issue 16)."""
    from cloudalbum.domain.trips import Trip

    trip = Trip(id=new_id(), owner_id=owner, title="Rome, May 2014", start="2014-05-01T10:00:00",
                end="2014-05-03T10:00:00", start_s=1398938400.0, end_s=1399111200.0, places=["Rome, Italy"],
                photo_count=1, cover_photo_id=photo_id)
    c.store.trips.replace_trips(owner, [], [trip])
    return trip.id


def add_person_with_a_face(c: Any, owner: str, photo_id: str) -> tuple[str, str]:
    """A person with one face (and its crop) on the photo, as processing would leave them."""
    from cloudalbum.domain.blob_keys import face_crop_key

    now = iso(utcnow())
    face = Face(id=new_id(), owner_id=owner, photo_id=photo_id, box=Box(1, 2, 30, 30, 0.9), embedding=[0.5] * 128,
                created_at=now, model="yunet@x+sface@y")
    person = Person(id=new_id(), owner_id=owner, created_at=now, updated_at=now, cover_face_id=face.id,
                    cover_photo_id=photo_id, face_count=1, photo_count=1, centroid_sum=[0.5] * 128)
    face.person_id = person.id
    c.store.faces.add_person(person)
    c.store.faces.add_faces([face])
    c.blobs.put(face_crop_key(owner, photo_id, face.id), make_jpeg(16, 16), content_type="image/jpeg")
    return person.id, face.id


def snapshot(c: Any, owner: str, ids: dict[str, str]) -> Any:
    photo = c.store.photos.get_photo(ids["photo_id"], owner)
    album = c.store.albums.get_album(ids["album_id"], owner)
    question = c.store.questions.get_question(ids["question_id"], owner)
    members = [p.id for p in c.store.albums.album_photos(ids["album_id"], owner).items]
    person = dataclasses.asdict(c.store.faces.get_person(ids["person_id"], owner))
    face = dataclasses.asdict(c.store.faces.get_face(ids["face_id"], owner))
    blobs = sorted(c.blobs.keys(f"originals/{owner}/")) + sorted(c.blobs.keys(f"thumbnails/{owner}/"))
    shares = [dataclasses.asdict(s) for s in c.store.shares.list_shares(owner).items]
    album_members = dataclasses.asdict(c.store.shares.get_member(ids["album_id"], ids["user_id"]))
    trip = dataclasses.asdict(c.store.trips.get_trip(owner, ids["trip_id"]))
    albums = [a.id for a in c.store.albums.list_albums(owner).items]
    group = dataclasses.asdict(c.store.duplicates.get_group(ids["group_id"], owner))
    trash = [p.id for p in c.store.photos.list_trash(owner).items]
    return (dataclasses.asdict(photo), dataclasses.asdict(album), dataclasses.asdict(question), members, blobs,
            person, face, c.queue.depth(), shares, album_members, trip, albums, group, trash)


def test_the_matrix_covers_every_id_route(app: Any) -> None:
    endpoints = {e for _, _, e in id_routes(app)}
    for needed in ("photos.get_photo", "photos.patch_photo", "photos.delete_photo", "photos.original",
                   "photos.thumbnail", "photos.reprocess", "albums.get_album", "albums.patch_album",
                   "albums.delete_album", "albums.add_photos", "albums.remove_photo", "albums.album_photos",
                   "questions.answer", "questions.dismiss", "people.get_person", "people.person_photos",
                   "people.person_faces", "people.rename_person", "people.merge_people", "people.remove_face",
                   "people.face_thumbnail", "sharing.revoke_share", "sharing.add_member", "sharing.remove_member",
                   "moving.export_album", "batches.undo_batch", "trips.get_trip", "trips.trip_photos",
                   "trips.trip_album", "duplicates.resolve", "duplicates.dismiss"):
        assert needed in endpoints


def test_another_users_objects_are_404_like_missing_ones_on_every_id_route(app: Any, bob: Any, container: Any,
                                                                          world: dict[str, Any]) -> None:
    alice_ids = world["alice"]
    alice_id = container.store.photos.get_photo(alice_ids["photo_id"], None).owner_id
    before = snapshot(container, alice_id, alice_ids)
    missing = {k: "doesNotExist0000000000" for k in alice_ids}
    checked = []
    for method, rule, endpoint in id_routes(app):
        for label, ids in (("all alice", alice_ids),
                           ("bob's album, alice's photo", {**alice_ids, "album_id": world["bob"]["album_id"]})):
            if label != "all alice" and not ("<album_id>" in rule and (
                    "<photo_id>" in rule or endpoint == "albums.add_photos")):
                continue
            theirs = bob.request(method, fill(rule, ids), **body_for(endpoint, ids))
            ref_ids = {**missing, **({"album_id": ids["album_id"]} if label != "all alice" else {})}
            ref = bob.request(method, fill(rule, ref_ids), **body_for(endpoint, ref_ids))
            where = f"{method} {rule} ({label})"
            assert 400 <= theirs.status_code < 500, (where, theirs.status_code, theirs.get_data(as_text=True))
            assert theirs.status_code == ref.status_code, (where, theirs.status_code, ref.status_code)
            assert scrub(theirs, ids) == scrub(ref, ref_ids), where  # the same answer, but for the id echoed
            assert theirs.status_code in (404, 422), where
            checked.append(where)
        assert snapshot(container, alice_id, alice_ids) == before, f"{method} {rule} changed alice's data"
    assert len(checked) >= 21


def test_apply_to_cannot_reach_another_users_photo(bob: Any, container: Any, world: dict[str, Any]) -> None:
    alice_ids = world["alice"]
    alice_id = container.store.photos.get_photo(alice_ids["photo_id"], None).owner_id
    before = snapshot(container, alice_id, alice_ids)
    r = bob.request("POST", f"/api/questions/{world['bob']['question_id']}/answer",
                    json={"answer": "Paris", "apply_to": [alice_ids["photo_id"]]})
    assert r.status_code in (200, 404, 422), r.get_data(as_text=True)
    if r.status_code == 200:
        assert alice_ids["photo_id"] not in [p["id"] for p in r.get_json().get("photos", [])]
    assert snapshot(container, alice_id, alice_ids) == before


def test_lists_and_searches_never_show_another_users_photos(bob: Any, world: dict[str, Any]) -> None:
    pid = world["alice"]["photo_id"]
    for path in ("/api/photos", "/api/search", "/api/search?q=photo", "/api/questions", "/api/albums", "/api/trips",
                 "/api/duplicates",
                 f"/api/questions?photo_id={pid}", f"/api/search?album_id={world['alice']['album_id']}"):
        r = bob.request("GET", path)
        assert r.status_code in (200, 404, 422), (path, r.status_code)
        text = r.get_data(as_text=True)
        assert world["alice"]["trip_id"] not in text, path
        assert pid not in text and world["alice"]["album_id"] not in text.replace(
            f"album_id={world['alice']['album_id']}", ""), path
    r = bob.request("GET", "/api/map")
    assert r.status_code == 200 and pid not in r.get_data(as_text=True)
    r = bob.request("GET", "/api/export")  # Bob's export: his photo and album, nothing of Alice's
    names = zipfile.ZipFile(io.BytesIO(r.get_data())).namelist()
    assert r.status_code == 200 and "Bob's/metadata.json" in names and "Alice's/metadata.json" not in names
    assert len([n for n in names if n.endswith(".jpg")]) == 2  # his photo and its copy (a duplicate group)


def test_a_batch_cannot_reach_another_users_photo_or_album(bob: Any, container: Any, world: dict[str, Any]) -> None:
    """Batch edit (issue 15.5): one of Alice's photos among Bob's ids, by id or through Bob's camera, or Alice's
    album as the target: 404 and nothing of either changes."""
    alice, mine = world["alice"], world["bob"]
    owner = container.store.photos.get_photo(alice["photo_id"], None).owner_id
    before = snapshot(container, owner, alice)
    bob_before = container.store.photos.get_photo(mine["photo_id"], None)
    for body in ({"photo_ids": [mine["photo_id"], alice["photo_id"]], "set": {"title": "pwned"}},
                 {"photo_ids": [mine["photo_id"]], "add_to_album": alice["album_id"]}):
        r = bob.request("POST", "/api/photos/batch", json=body)
        assert r.status_code == 404, r.get_data(as_text=True)
    assert container.store.photos.get_photo(mine["photo_id"], None) == bob_before
    assert snapshot(container, owner, alice) == before


def test_merge_cannot_take_another_users_person(bob: Any, container: Any, world: dict[str, Any]) -> None:
    alice, mine = world["alice"], world["bob"]
    owner = container.store.photos.get_photo(alice["photo_id"], None).owner_id
    before = snapshot(container, owner, alice)
    r = bob.request("POST", f"/api/people/{mine['person_id']}/merge", json={"person_ids": [alice["person_id"]]})
    assert r.status_code == 404
    assert snapshot(container, owner, alice) == before
