"""The people routes on the AWS shape (DynamoDB on moto): every route's DynamoDB operations are counted with
botocore hooks on the store's client, as test_api_on_aws does for the other routes; none may Scan. The
table is printed; docs/dynamodb.md quotes it.

Faces come from synthetic embeddings handed to PeopleService.record_faces (what processing calls after the
face analyzer), so the counts do not depend on the models."""

from __future__ import annotations

from typing import Any

import pytest

from aws.test_api_on_aws import Client, OpCounter, aws  # noqa: F401 - the fixture is used here
from cloudalbum.domain.people import normalise
from cloudalbum.ports import FoundFace
from support import make_jpeg

pytestmark = pytest.mark.emulator
MODEL = "yunet@test+sface@test"


def face(x: float, direction: int, jitter: float = 0.0) -> FoundFace:
    """A face whose embedding points along one axis (same axis: same person), nudged by jitter."""
    vec = [jitter] * 128
    vec[direction] = 1.0
    return FoundFace(x=x, y=20, w=60, h=60, confidence=0.95, landmarks=[], embedding=normalise(vec))


def process_faces(container: Any, photo_id: str, found: list[FoundFace]) -> None:
    """What processing does with one photo's faces: record them, then save the photo's face list."""
    photo = container.store.photos.get_photo(photo_id, None)
    container.people.record_faces(photo, found, [], MODEL)
    photo = container.store.photos.get_photo(photo_id, None)
    photo.faces = container.people.face_refs(photo_id)
    container.store.photos.save_photo(photo)


def test_people_routes_without_scan_and_their_operation_counts(aws: Any) -> None:
    settings, container, app = aws
    alice = Client(app, "alice@example.com")
    photos = [alice.upload(make_jpeg(320, 240, color=(i * 40, 90, 30)), f"{i}.jpg")["id"] for i in range(3)]
    counter = OpCounter(container.store.client)

    def step(label: str) -> None:
        counter.current = label

    step("setup")
    process_faces(container, photos[0], [face(10, 0), face(120, 1)])
    process_faces(container, photos[1], [face(10, 0, 0.01)])
    step("processing one photo's faces (2 faces: one joins a person, one new)")
    process_faces(container, photos[2], [face(10, 0, 0.02), face(150, 2)])
    step("setup")
    people = alice("GET", "/api/people").get_json()["items"]
    assert [p["photo_count"] for p in people] == [3, 1, 1]
    anna, other = people[0]["id"], people[1]["id"]

    step("GET /api/people")
    assert len(alice("GET", "/api/people").get_json()["items"]) == 3
    step("GET /api/people/{id}")
    assert alice("GET", f"/api/people/{anna}").get_json()["photo_count"] == 3
    step("GET /api/people/{id}/photos")
    assert len(alice("GET", f"/api/people/{anna}/photos").get_json()["items"]) == 3
    step("GET /api/people/{id}/faces")
    faces = alice("GET", f"/api/people/{anna}/faces").get_json()["items"]
    assert len(faces) == 3
    step("PATCH /api/people/{id} (name a person in 3 photos)")
    r = alice("PATCH", f"/api/people/{anna}", json={"name": "Anna"})
    assert r.status_code == 200, r.get_data(as_text=True)
    step("GET /api/search?person=Anna")
    assert len(alice("GET", "/api/search?person=Anna").get_json()["items"]) == 3
    step("POST /api/people/{id}/merge (one other person, 1 face)")
    r = alice("POST", f"/api/people/{anna}/merge", json={"person_ids": [other]})
    assert r.status_code == 200, r.get_data(as_text=True)
    step("DELETE /api/people/{id}/faces/{face_id}")
    r = alice("DELETE", f"/api/people/{anna}/faces/{faces[-1]['id']}")
    assert r.status_code == 204, r.get_data(as_text=True)
    step("setup")

    print("\n" + counter.table())  # docs/dynamodb.md quotes it (pytest -s shows it)
    assert not any(ops.get("Scan") for ops in counter.counts.values()), counter.table()
    reads = {"GET /api/people": {"GetItem": 1, "Query": 1}, "GET /api/people/{id}": {"GetItem": 2},
             "GET /api/people/{id}/photos": {"GetItem": 2, "Query": 1, "BatchGetItem": 1},
             "GET /api/people/{id}/faces": {"GetItem": 2, "Query": 1},
             "GET /api/search?person=Anna": {"GetItem": 1, "Query": 1, "BatchGetItem": 1}}
    assert {route: dict(counter.counts[route]) for route in reads} == reads, counter.table()
    assert all(sum(ops.values()) < 60 for route, ops in counter.counts.items() if route != "setup"), counter.table()
