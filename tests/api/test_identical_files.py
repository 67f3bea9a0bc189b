"""Identical files once (API.md "Duplicates and trash", issue 15 item 1; import relies on it): the same bytes
uploaded again answer 200 with the existing photo and `"duplicate": true`, store nothing, and add it to the
album sent along; 8 concurrent uploads of one file leave one photo and one blob."""

from __future__ import annotations

import io
import threading
from typing import Any

from support import make_jpeg


def originals(container: Any, owner: str) -> list[str]:
    return list(container.blobs.keys(f"originals/{owner}/"))


def test_same_bytes_twice_is_one_photo(make_user: Any, container: Any) -> None:
    alice = make_user()
    data = make_jpeg(color=(10, 20, 30))
    first = alice.upload(data, "a.jpg")
    assert first.status_code == 202
    assert "duplicate" not in first.get_json()
    again = alice.upload(data, "renamed.jpg")
    assert again.status_code == 200, again.get_data(as_text=True)
    body = again.get_json()
    assert body["duplicate"] is True and body["id"] == first.get_json()["id"]
    assert body["filename"] == "a.jpg"
    assert len(originals(container, alice.id)) == 1
    assert len(alice.request("GET", "/api/photos").get_json()["items"]) == 1
    assert "sha256" not in body


def test_other_bytes_and_other_owners_are_new_photos(make_user: Any, container: Any) -> None:
    alice, bob = make_user(), make_user()
    data = make_jpeg(color=(1, 2, 3))
    assert alice.upload(data).status_code == 202
    assert bob.upload(data).status_code == 202  # per owner: Bob's copy is his own photo
    assert alice.upload(make_jpeg(color=(101, 2, 250))).status_code == 202
    assert len(originals(container, alice.id)) == 2 and len(originals(container, bob.id)) == 1


def test_duplicate_with_album_id_joins_the_album(make_user: Any) -> None:
    alice = make_user()
    data = make_jpeg(color=(40, 50, 60))
    pid = alice.upload(data).get_json()["id"]
    album = alice.request("POST", "/api/albums", json={"name": "Trip"}).get_json()
    again = alice.upload(data, album_id=album["id"])
    assert again.status_code == 200 and again.get_json()["albums"] == [album["id"]]
    page = alice.request("GET", f"/api/albums/{album['id']}/photos").get_json()
    assert [p["id"] for p in page["items"]] == [pid]


def test_duplicate_into_another_users_album_is_404_and_changes_nothing(make_user: Any) -> None:
    alice, bob = make_user(), make_user()
    data = make_jpeg(color=(70, 50, 60))
    alice.upload(data)
    bobs = bob.request("POST", "/api/albums", json={"name": "Mine"}).get_json()
    assert alice.upload(data, album_id=bobs["id"]).status_code == 404


def test_after_delete_the_bytes_are_a_new_photo(make_user: Any, container: Any) -> None:
    alice = make_user()
    data = make_jpeg(color=(90, 50, 60))
    pid = alice.upload(data).get_json()["id"]
    assert alice.request("DELETE", f"/api/photos/{pid}?permanent=true").status_code == 204
    again = alice.upload(data)
    assert again.status_code == 202 and again.get_json()["id"] != pid


def test_eight_concurrent_uploads_of_one_file_store_one_photo_and_one_blob(app: Any, make_user: Any,
                                                                          container: Any) -> None:
    alice = make_user()
    data = make_jpeg(1600, 1200, color=(200, 100, 50))
    barrier = threading.Barrier(8)
    answers: list[Any] = []

    def upload() -> None:
        client = app.test_client()
        barrier.wait()
        r = client.post("/api/photos", headers=alice.headers, content_type="multipart/form-data",
                        data={"file": (io.BytesIO(data), "same.jpg")})
        answers.append((r.status_code, r.get_json()))

    threads = [threading.Thread(target=upload) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(code for code, _ in answers)
    assert codes == [200] * 7 + [202], answers
    assert len({body["id"] for _, body in answers}) == 1
    assert len(originals(container, alice.id)) == 1
    assert container.store.photos.usage(alice.id)[0] == 1


def test_patch_rating(make_user: Any) -> None:
    alice = make_user()
    pid = alice.upload(make_jpeg(color=(5, 5, 5))).get_json()["id"]
    r = alice.request("PATCH", f"/api/photos/{pid}", json={"rating": 4})
    assert r.status_code == 200 and r.get_json()["rating"] == 4
    for bad in (6, -1, 2.5, "3", True):
        assert alice.request("PATCH", f"/api/photos/{pid}", json={"rating": bad}).status_code in (400, 422), bad
    assert alice.request("GET", f"/api/photos/{pid}").get_json()["rating"] == 4
    assert alice.request("PATCH", f"/api/photos/{pid}", json={"rating": None}).get_json()["rating"] is None

