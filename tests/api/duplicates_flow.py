"""Duplicate groups through the HTTP API (issue 15 items 2-3, API.md "Duplicates and trash"), written once and
run on both shapes: tests/api/test_duplicates.py (embedded) and tests/aws/test_duplicates_on_aws.py (moto).

A `user` is anything with `call(method, path, **kw)` and `upload(data, filename) -> photo id`; photos are
processed by calling the container's processing service (what the worker does for each job)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import dupgen
from cloudalbum.domain.model import Answer

COFFEE = dupgen.skimage_photo("coffee") or b""
CAMERA = {"make": "Canon", "model": "Canon EOS 5D", "taken": "2019:07:14 10:00:00"}


class User(Protocol):
    id: str

    def call(self, method: str, path: str, **kw: Any) -> Any: ...

    def upload(self, data: bytes, filename: str) -> str: ...


def original() -> bytes:
    """scikit-image's coffee as a camera JPEG (600 x 400, with camera, time and so EXIF tags)."""
    return dupgen.with_camera(COFFEE, make=CAMERA["make"], model=CAMERA["model"], taken=CAMERA["taken"])


def add(container: Any, user: User, data: bytes, filename: str) -> str:
    pid = user.upload(data, filename)
    assert container.processing.process(pid) in ("done", "needs_input"), filename
    return pid


def groups(user: User) -> list[dict[str, Any]]:
    r = user.call("GET", "/api/duplicates")
    assert r.status_code == 200, r.get_data(as_text=True)
    items: list[dict[str, Any]] = r.get_json()["items"]
    for g in items:
        assert set(g) == {"id", "kind", "photos", "keep", "reason"}, g
        assert g["keep"] in [p["id"] for p in g["photos"]] and g["reason"]
        for p in g["photos"]:
            assert "fingerprint" not in p and p["id"] and p["filename"]
    return items


def check_tiers(container: Any, make_user: Callable[[str], User]) -> None:
    """identical_pixels (re-tagged), near (resized: the larger is kept, and the reason says so), burst (frames of
    one camera a second apart); photos of different pictures stay apart."""
    same = make_user("pixels@example.com")
    a = add(container, same, original(), "original.jpg")
    b = add(container, same, dupgen.retagged(original()), "retagged.jpg")
    [g] = groups(same)
    assert g["kind"] == "identical_pixels" and {p["id"] for p in g["photos"]} == {a, b}
    assert "same pixels" in g["reason"]

    near = make_user("near@example.com")
    big = add(container, near, original(), "big.jpg")
    small = add(container, near, dupgen.resized(original(), 0.5), "small.jpg")
    other = add(container, near, dupgen.skimage_photo("astronaut") or b"", "astronaut.png")
    [g] = groups(near)
    assert g["kind"] == "near" and {p["id"] for p in g["photos"]} == {big, small} and other not in str(g)
    assert g["keep"] == big and "most pixels (600 × 400, against 300 × 200)" in g["reason"], g["reason"]

    burst = make_user("burst@example.com")
    frames = [add(container, burst, f, f"frame{i}.jpg") for i, f in enumerate(dupgen.burst(COFFEE, 3))]
    [g] = groups(burst)
    assert g["kind"] == "burst" and {p["id"] for p in g["photos"]} == set(frames)
    assert "Canon EOS 5D" in g["reason"] and "burst" in g["reason"]


def check_original_format_is_kept(container: Any, make_user: Callable[[str], User]) -> None:
    """With the pixels equal, the original format is kept over a re-encoded copy, and the reason says why: the
    camera JPEG over its PNG (uploaded first), and over a quality-60 re-save carrying the same EXIF."""
    user = make_user("formats@example.com")
    export = add(container, user, dupgen.png(original()), "export.png")
    camera = add(container, user, original(), "camera.jpg")
    [g] = groups(user)
    assert g["kind"] == "identical_pixels" and g["keep"] == camera and export in [p["id"] for p in g["photos"]], g
    assert "original format (JPEG); export.png is a PNG" in g["reason"], g["reason"]
    other = make_user("quality@example.com")
    add(container, other, dupgen.with_camera(COFFEE, make=CAMERA["make"], model=CAMERA["model"],
                                             taken=CAMERA["taken"], quality=60), "resaved.jpg")
    camera = add(container, other, original(), "camera.jpg")
    [g] = groups(other)
    assert g["kind"] == "near" and g["keep"] == camera, g
    assert "least re-encoded (JPEG quality about 92, against 60)" in g["reason"], g["reason"]


def check_resolve(container: Any, alice: User, bob: User) -> None:
    """Bad input changes nothing (422 / 404, another user's group answers as a missing one); resolving keeps one
    photo, merges what the others carried, and sends them to the trash."""
    keep = add(container, alice, original(), "keep.jpg")
    copy = alice.upload(dupgen.resized(original(), 0.5), "copy.jpg")
    assert alice.call("PATCH", f"/api/photos/{copy}", json={
        "title": "Coffee at home", "description": "Sunday", "location": {"lat": 48.8566, "lon": 2.3522}}
    ).status_code == 200
    album = alice.call("POST", "/api/albums", json={"name": "Mornings"}).get_json()["id"]
    assert alice.call("POST", f"/api/albums/{album}/photos", json={"photo_ids": [copy]}).status_code == 200
    assert alice.call("POST", "/api/photos/batch", json={"photo_ids": [copy], "add_labels": ["espresso"]}
                      ).status_code == 200
    photo = container.store.photos.get_photo(copy, alice.id)
    photo.answers = [Answer(question="What was the event?", answer="breakfast")]
    container.store.photos.save_photo(photo)
    assert container.processing.process(copy) in ("done", "needs_input")
    [g] = groups(alice)
    assert g["keep"] == keep and {p["id"] for p in g["photos"]} == {keep, copy}

    before = (groups(alice), alice.call("GET", f"/api/photos/{keep}").get_json())
    for body in ({"keep": "nope"}, {"keep": ""}, {}, {"keep": 7}):
        r = alice.call("POST", f"/api/duplicates/{g['id']}/resolve", json=body)
        assert r.status_code == 422, (body, r.status_code, r.get_data(as_text=True))
    assert alice.call("POST", "/api/duplicates/doesNotExist000/resolve", json={"keep": keep}).status_code == 404
    assert alice.call("POST", "/api/duplicates/doesNotExist000/dismiss").status_code == 404
    theirs = bob.call("POST", f"/api/duplicates/{g['id']}/resolve", json={"keep": keep})
    missing = bob.call("POST", "/api/duplicates/doesNotExist000/resolve", json={"keep": keep})
    assert theirs.status_code == missing.status_code == 404
    assert theirs.get_json()["error"]["code"] == missing.get_json()["error"]["code"]
    assert bob.call("POST", f"/api/duplicates/{g['id']}/dismiss").status_code == 404
    assert bob.call("GET", "/api/duplicates").get_json()["items"] == []
    assert (groups(alice), alice.call("GET", f"/api/photos/{keep}").get_json()) == before  # nothing changed

    r = alice.call("POST", f"/api/duplicates/{g['id']}/resolve", json={"keep": keep})
    assert r.status_code == 200, r.get_data(as_text=True)
    kept = r.get_json()
    assert kept["id"] == keep and kept["title"] == "Coffee at home" and kept["description"] == "Sunday"
    assert kept["location"]["lat"] == 48.8566 and "espresso" in [lbl["name"] for lbl in kept["labels"]]
    assert {"question": "What was the event?", "answer": "breakfast"} in kept["answers"]
    assert album in kept["albums"]
    assert [p["id"] for p in alice.call("GET", f"/api/albums/{album}/photos").get_json()["items"]] == [keep]
    assert alice.call("GET", f"/api/photos/{copy}").status_code == 404
    assert [p["id"] for p in alice.call("GET", "/api/trash").get_json()["items"]] == [copy]
    assert groups(alice) == []
    assert alice.call("POST", f"/api/duplicates/{g['id']}/resolve", json={"keep": keep}).status_code == 404


def check_dismiss_and_trash(container: Any, user: User) -> None:
    """Trashing a member shrinks its group (a group of one is gone) and restoring it puts it back; dismissed
    photos never group together again, reprocessed or restored, while a new copy or a restored one may still
    join one of them."""
    ids = [add(container, user, data, name) for name, data in (
        ("a.jpg", original()), ("b.jpg", dupgen.resized(original(), 0.75)), ("c.jpg", dupgen.resized(original(), 0.5)))]
    [g] = groups(user)
    assert len(g["photos"]) == 3
    assert user.call("DELETE", f"/api/photos/{ids[2]}").status_code == 204
    [g] = groups(user)
    assert {p["id"] for p in g["photos"]} == set(ids[:2])
    assert user.call("POST", f"/api/trash/{ids[2]}/restore").status_code == 200  # restored: grouped again
    [g] = groups(user)
    assert {p["id"] for p in g["photos"]} == set(ids)
    assert user.call("DELETE", f"/api/photos/{ids[2]}").status_code == 204  # c waits in the trash
    [g] = groups(user)

    r = user.call("POST", f"/api/duplicates/{g['id']}/dismiss")
    assert r.status_code == 204 and r.get_data() == b""
    assert groups(user) == []
    for pid in ids[:2]:
        assert container.processing.process(pid, force=True) in ("done", "needs_input")
    assert groups(user) == []  # a and b were dismissed together
    assert user.call("POST", f"/api/trash/{ids[2]}/restore").status_code == 200  # c joins one, never both
    assert [{p["id"] for p in x["photos"]} for x in groups(user)] in ([{ids[0], ids[2]}], [{ids[1], ids[2]}])

    [g] = groups(user)
    assert user.call("DELETE", f"/api/photos/{ids[2]}?permanent=true").status_code == 204
    assert groups(user) == []  # a group of one is gone


def drain(container: Any) -> list[str]:
    """Run every queued job through the worker's path (the queue handler) until the queue is empty; outcomes."""
    from cloudalbum.entrypoints.handler import handle_record

    outcomes: list[str] = []
    while messages := container.queue.receive(max_messages=10):
        for m in messages:
            outcomes.append(str(handle_record(container, {"messageId": m.id, "body": m.body})))
            container.queue.delete(m.receipt_handle)
    return outcomes


def check_backfill(container: Any, user: User) -> None:
    """Photos processed before fingerprints existed (none, no lookup rows, no group) get one from their original
    through the backfill job, a page at a time, and are grouped; a second run changes nothing."""
    finder, container.processing.duplicates = container.processing.duplicates, None  # processed before
    try:
        ids = [add(container, user, data, name) for name, data in (
            ("a.jpg", original()), ("b.jpg", dupgen.resized(original(), 0.5)),
            ("astronaut.png", dupgen.skimage_photo("astronaut") or b""), ("c.jpg", dupgen.retagged(original())))]
        drain(container)  # the uploads' own jobs
    finally:
        container.processing.duplicates = finder
    for pid in ids:
        photo = container.store.photos.get_photo(pid, user.id)
        photo.fingerprint = None
        container.store.photos.save_photo(photo)
    assert groups(user) == []

    container.duplicate_backfill.page = 3
    container.duplicate_backfill.start(user.id)
    outcomes = drain(container)
    assert outcomes == ["fingerprints: 3 of 3 photos", "fingerprints: 1 of 1 photos, done"], outcomes
    assert all(container.store.photos.get_photo(pid, user.id).fingerprint for pid in ids)
    [g] = groups(user)
    assert {p["id"] for p in g["photos"]} == {ids[0], ids[1], ids[3]} and g["kind"] == "near", g
    container.duplicate_backfill.start(user.id)
    assert drain(container) == ["fingerprints: 0 of 3 photos", "fingerprints: 0 of 1 photos, done"]
    assert len(groups(user)) == 1

    # a photo whose decoding would take more than the budget (a smaller one set since) is skipped, as processing
    # would refuse it: the backfill keeps a worker's memory where processing keeps it
    photo = container.store.photos.get_photo(ids[2], user.id)
    photo.fingerprint = None
    container.store.photos.save_photo(photo)
    budget, container.duplicate_backfill.max_decode_bytes = container.duplicate_backfill.max_decode_bytes, 10_000
    try:
        container.duplicate_backfill.start(user.id)
        assert sum("1 skipped" in o for o in drain(container)) == 1
    finally:
        container.duplicate_backfill.max_decode_bytes = budget
    assert container.store.photos.get_photo(ids[2], user.id).fingerprint is None
