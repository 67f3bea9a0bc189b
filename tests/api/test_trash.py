"""The trash (issue 15 item 4, API.md "Duplicates and trash") through the HTTP API on the embedded shape:
DELETE moves a photo to the trash, where nothing lists, finds, maps, counts or serves it; restore brings it
back whole; ?permanent=true, emptying and the purge delete for good and free the storage."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest

from cloudalbum.domain.model import Label, Location, Place, Question, iso, utcnow
from cloudalbum.services.maintenance import MaintenanceService
from support import make_jpeg


def ids(resp: Any) -> list[str]:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return [p["id"] for p in resp.get_json()["items"]]


def processed(container: Any, user: Any, color: tuple[int, int, int], *, label: str = "dog") -> str:
    """An uploaded photo as processing leaves it: a label, a place, a thumbnail and an open question."""
    pid: str = user.upload(make_jpeg(color=color)).get_json()["id"]
    photo = container.store.photos.get_photo(pid, user.id)
    thumb = f"thumbnails/{user.id}/{pid}/small.jpg"
    container.blobs.put(thumb, make_jpeg(64, 48), content_type="image/jpeg")
    photo.status, photo.taken_at, photo.thumbnail_keys = "needs_input", "2020-05-01T12:00:00", {"small": thumb}
    photo.labels = [Label(name=label, confidence=0.9, model="yolov8n@test")]
    photo.location = Location(lat=48.8583, lon=2.2945, place=Place("Paris", "IDF", "France", "FR"))
    container.store.photos.save_photo(photo)
    container.store.questions.add_question(Question(
        id=f"q-{pid}", owner_id=user.id, photo_id=pid, kind="event", text="What happened here?",
        reason="test", created_at=iso(utcnow()), score=1.0))
    return pid


@pytest.fixture
def library(container: Any, alice: Any) -> dict[str, Any]:
    kept = processed(container, alice, (10, 20, 30))
    gone = processed(container, alice, (200, 20, 30))
    album = alice.request("POST", "/api/albums", json={"name": "Paris"}).get_json()
    assert alice.request("POST", f"/api/albums/{album['id']}/photos",
                         json={"photo_ids": [kept, gone]}).status_code == 200
    return {"kept": kept, "gone": gone, "album": album["id"]}


def test_a_deleted_photo_leaves_every_view_and_restore_brings_it_all_back(alice: Any, library: dict,
                                                                         container: Any) -> None:
    kept, gone, album = library["kept"], library["gone"], library["album"]
    assert alice.request("PATCH", f"/api/photos/{gone}", json={"title": "Eiffel"}).status_code == 200
    before = alice.request("GET", f"/api/photos/{gone}").get_json()
    assert alice.request("GET", f"/api/albums/{album}").get_json()["photo_count"] == 2

    r = alice.request("DELETE", f"/api/photos/{gone}")
    assert r.status_code == 204 and r.data == b""
    for path in (f"/api/photos/{gone}", f"/api/photos/{gone}/original", f"/api/photos/{gone}/thumbnail?size=small"):
        assert alice.request("GET", path).status_code == 404, path
    assert alice.request("PATCH", f"/api/photos/{gone}", json={"title": "x"}).status_code == 404
    assert alice.request("POST", f"/api/photos/{gone}/reprocess").status_code == 404
    assert alice.request("DELETE", f"/api/photos/{gone}").status_code == 404  # already in the trash
    assert ids(alice.request("GET", "/api/photos")) == [kept]
    assert ids(alice.request("GET", "/api/search", query_string={"label": "dog"})) == [kept]
    assert ids(alice.request("GET", "/api/search", query_string={"place": "Paris"})) == [kept]
    features = alice.request("GET", "/api/map", query_string={"bbox": "-10,40,10,60"}).get_json()["features"]
    assert [f["properties"]["id"] for f in features] == [kept]
    info = alice.request("GET", f"/api/albums/{album}").get_json()
    assert info["photo_count"] == 1 and info["cover_photo_id"] == kept
    assert ids(alice.request("GET", f"/api/albums/{album}/photos")) == [kept]
    questions = alice.request("GET", "/api/questions").get_json()["items"]
    assert [q["photo_id"] for q in questions] == [kept]
    assert alice.request("POST", f"/api/albums/{album}/photos", json={"photo_ids": [gone]}).status_code == 404

    trash = alice.request("GET", "/api/trash").get_json()
    assert [p["id"] for p in trash["items"]] == [gone] and trash["items"][0]["trashed_at"]

    restored = alice.request("POST", f"/api/trash/{gone}/restore")
    assert restored.status_code == 200
    back = restored.get_json()
    assert back["trashed_at"] is None and back["title"] == "Eiffel" and back["albums"] == [album]
    changed = ("trashed_at", "thumbnails")  # the thumbnails' URLs name the photo's version, which moved twice
    assert {k: v for k, v in back.items() if k not in changed} == {k: v for k, v in before.items() if k not in changed}
    assert back["thumbnails"]["small"].split("&v=")[0] == before["thumbnails"]["small"].split("&v=")[0]
    assert alice.request("GET", f"/api/photos/{gone}/original").status_code == 200
    assert sorted(ids(alice.request("GET", "/api/photos"))) == sorted([kept, gone])
    assert sorted(ids(alice.request("GET", "/api/search", query_string={"label": "dog"}))) == sorted([kept, gone])
    assert alice.request("GET", f"/api/albums/{album}").get_json()["photo_count"] == 2
    assert sorted(q["photo_id"] for q in alice.request("GET", "/api/questions").get_json()["items"]) == \
        sorted([kept, gone])
    assert alice.request("GET", "/api/trash").get_json()["items"] == []
    assert alice.request("POST", f"/api/trash/{gone}/restore").status_code == 404  # not in the trash now


def test_me_counts_the_trash_in_storage_not_in_photos(alice: Any, library: dict, container: Any) -> None:
    me = alice.request("GET", "/api/me").get_json()
    assert me["photo_count"] == 2 and me["trash_count"] == 0
    stored = me["storage_bytes"]
    alice.request("DELETE", f"/api/photos/{library['gone']}")
    me = alice.request("GET", "/api/me").get_json()
    assert me["photo_count"] == 1 and me["trash_count"] == 1 and me["storage_bytes"] == stored
    assert alice.request("DELETE", "/api/trash").status_code == 204
    me = alice.request("GET", "/api/me").get_json()
    assert me["photo_count"] == 1 and me["trash_count"] == 0 and me["storage_bytes"] < stored


def test_the_quota_counts_the_trash_until_it_is_emptied(make_user: Any, container: Any) -> None:
    alice = make_user()
    first = make_jpeg(color=(1, 2, 3))
    pid = alice.upload(first).get_json()["id"]
    size = container.store.photos.get_photo(pid, alice.id).bytes
    container.settings = container.settings.with_(quota_bytes=size + 10)
    for built in ("limits", "photos", "uploads"):
        container.__dict__.pop(built, None)
    alice.request("DELETE", f"/api/photos/{pid}")
    second = make_jpeg(color=(200, 2, 3))
    assert alice.upload(second).status_code == 507  # the trashed photo still takes the space
    assert alice.request("DELETE", "/api/trash").status_code == 204
    assert alice.upload(second).status_code == 202


def test_permanent_delete_from_the_library_and_from_the_trash(alice: Any, library: dict, container: Any) -> None:
    kept, gone = library["kept"], library["gone"]
    original = container.store.photos.get_photo(kept, alice.id).original_key
    assert alice.request("DELETE", f"/api/photos/{kept}?permanent=true").status_code == 204
    assert container.store.photos.get_photo(kept, None, trashed=True) is None
    assert not container.blobs.exists(original)
    assert alice.request("GET", "/api/trash").get_json()["items"] == []

    alice.request("DELETE", f"/api/photos/{gone}")
    original = container.store.photos.get_photo(gone, alice.id, trashed=True).original_key
    assert alice.request("DELETE", f"/api/photos/{gone}?permanent=true").status_code == 204
    assert container.store.photos.get_photo(gone, None, trashed=True) is None
    assert not container.blobs.exists(original)
    assert alice.request("GET", "/api/trash").get_json()["items"] == []
    assert alice.request("POST", f"/api/trash/{gone}/restore").status_code == 404


def test_emptying_the_trash_frees_everything_and_keeps_the_library(alice: Any, library: dict,
                                                                  container: Any) -> None:
    gone = library["gone"]
    photo = container.store.photos.get_photo(gone, alice.id)
    alice.request("DELETE", f"/api/photos/{gone}")
    assert alice.request("DELETE", "/api/trash").status_code == 204
    assert container.store.photos.get_photo(gone, None, trashed=True) is None
    assert not container.blobs.exists(photo.original_key)
    assert not container.blobs.exists(photo.thumbnail_keys["small"])
    assert ids(alice.request("GET", "/api/photos")) == [library["kept"]]
    assert alice.request("DELETE", "/api/trash").status_code == 204  # an empty trash: nothing to do


def test_trash_pages_newest_trashed_first(alice: Any, container: Any) -> None:
    pids = [alice.upload(make_jpeg(color=(i, 9, 9))).get_json()["id"] for i in range(5)]
    for i, pid in enumerate(pids):  # trashed one second apart
        container.clock.offset_s = i
        assert alice.request("DELETE", f"/api/photos/{pid}").status_code == 204
    got, cursor = [], None
    while True:
        body = alice.request("GET", "/api/trash", query_string={"limit": 2, **({"cursor": cursor} if cursor else {})})
        got += [p["id"] for p in body.get_json()["items"]]
        cursor = body.get_json()["next_cursor"]
        if not cursor:
            break
    assert got == list(reversed(pids))


def test_uploading_the_same_bytes_brings_the_photo_back_out_of_the_trash(alice: Any, container: Any) -> None:
    data = make_jpeg(color=(33, 66, 99))
    pid = alice.upload(data).get_json()["id"]
    album = alice.request("POST", "/api/albums", json={"name": "Back"}).get_json()["id"]
    alice.request("DELETE", f"/api/photos/{pid}")
    again = alice.upload(data, album_id=album)
    assert again.status_code == 200
    body = again.get_json()
    assert body["id"] == pid and body["duplicate"] is True and body["trashed_at"] is None
    assert body["albums"] == [album]
    assert ids(alice.request("GET", "/api/photos")) == [pid]
    assert alice.request("GET", "/api/trash").get_json()["items"] == []


def test_other_users_and_bad_ids_get_404_and_change_nothing(alice: Any, bob: Any, library: dict) -> None:
    gone = library["gone"]
    assert bob.request("DELETE", f"/api/photos/{gone}").status_code == 404
    assert bob.request("DELETE", f"/api/photos/{gone}?permanent=true").status_code == 404
    alice.request("DELETE", f"/api/photos/{gone}")
    assert bob.request("GET", "/api/trash").get_json()["items"] == []
    assert bob.request("POST", f"/api/trash/{gone}/restore").status_code == 404
    assert bob.request("DELETE", f"/api/photos/{gone}?permanent=true").status_code == 404
    assert bob.request("DELETE", "/api/trash").status_code == 204
    assert [p["id"] for p in alice.request("GET", "/api/trash").get_json()["items"]] == [gone]
    for bad in ("nope", "x" * 300, "%00", "..%2F.."):
        assert alice.request("POST", f"/api/trash/{bad}/restore").status_code == 404, bad
        assert alice.request("DELETE", f"/api/photos/{bad}").status_code == 404, bad
    assert alice.request("POST", f"/api/trash/{library['kept']}/restore").status_code == 404  # not trashed
    for params in ({"limit": "0"}, {"limit": "201"}, {"limit": "x"}):
        assert alice.request("GET", "/api/trash", query_string=params).status_code in (400, 422), params
    r = alice.request("DELETE", f"/api/photos/{library['kept']}?permanent=maybe")
    assert r.status_code in (400, 422)
    assert ids(alice.request("GET", "/api/photos")) == [library["kept"]]  # the bad request changed nothing
    assert alice.request("GET", "/api/trash").status_code == 200
    assert [p["id"] for p in alice.request("GET", "/api/trash").get_json()["items"]] == [gone]


def test_the_trash_needs_a_sign_in(client: Any) -> None:
    assert client.get("/api/trash").status_code == 401
    assert client.delete("/api/trash").status_code == 401
    assert client.post("/api/trash/x/restore").status_code == 401


def test_processing_a_trashed_photo_does_not_bring_it_back(alice: Any, container: Any) -> None:
    pid = alice.upload(make_jpeg(color=(5, 80, 5))).get_json()["id"]  # its job waits in the queue
    alice.request("DELETE", f"/api/photos/{pid}")
    assert container.processing.process(pid) == "gone"
    photo = container.store.photos.get_photo(pid, alice.id, trashed=True)
    assert photo is not None and photo.trashed_at is not None and photo.status == "uploaded"
    assert ids(alice.request("GET", "/api/photos")) == []
    back = alice.request("POST", f"/api/trash/{pid}/restore").get_json()
    assert back["status"] == "uploaded"
    bodies = [m.body for m in container.queue.receive(max_messages=10, visibility_timeout_s=60)]
    assert sum(b.get("photo_id") == pid for b in bodies) >= 2  # the upload's job and the restore's


def test_maintenance_purges_photos_trashed_longer_ago_than_trash_days(alice: Any, container: Any) -> None:
    old = alice.upload(make_jpeg(color=(1, 100, 1))).get_json()["id"]
    recent = alice.upload(make_jpeg(color=(1, 1, 100))).get_json()["id"]
    original = container.store.photos.get_photo(old, alice.id).original_key
    assert container.settings.trash_days == 30
    for pid in (old, recent):
        assert alice.request("DELETE", f"/api/photos/{pid}").status_code == 204
    maintenance: MaintenanceService = container.maintenance
    assert maintenance.run_once(now=time.time()).purged == 0
    report = maintenance.run_once(now=time.time() + 29 * 86400)
    assert report.purged == 0
    photo = container.store.photos.get_photo(old, alice.id, trashed=True)  # as if trashed 30 days ago
    photo.trashed_at = iso(utcnow() - timedelta(days=30, minutes=1))
    container.store.photos.save_photo(photo)
    report = maintenance.run_once(now=time.time())
    assert report.purged == 1
    assert container.store.photos.get_photo(old, None, trashed=True) is None
    assert not container.blobs.exists(original)
    assert [p["id"] for p in alice.request("GET", "/api/trash").get_json()["items"]] == [recent]
    assert maintenance.run_once(now=time.time()).purged == 0
