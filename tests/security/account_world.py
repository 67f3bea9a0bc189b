"""A user's whole library (photos, thumbnails, face crops, faces, people, albums, questions, settings,
sessions, throttling counters), built through the API and the stores, and a search of every blob key and
every stored record for anything of a user. Shared by the account-deletion tests of both shapes."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from cloudalbum.domain.model import Question, iso, new_id, utcnow
from security.test_isolation import add_person_with_a_face
from support import make_jpeg

Call = Callable[..., Any]  # call(method, path, **kw) -> response, signed in as the user


def build_library(container: Any, call: Call, upload: Callable[[bytes], str], user_id: str) -> list[str]:
    """Two photos (thumbnails, a face with its crop and person, a question), an album, face grouping off
    and on again, a second session, and a wrong password counted. Returns the ids that name this user's data."""
    c = container
    ids = [user_id]
    for i in range(2):
        pid = upload(make_jpeg(64, 48, color=(40 * i, 90, 200)))
        photo = c.store.photos.get_photo(pid, user_id)
        photo.thumbnail_keys = {}
        for size in ("small", "large"):
            key = f"thumbnails/{user_id}/{pid}/{size}.jpg"
            c.blobs.put(key, make_jpeg(16, 12), content_type="image/jpeg")
            photo.thumbnail_keys[size] = key
        photo.status = "needs_input"
        c.store.photos.save_photo(photo)
        qid = new_id()
        c.store.questions.add_question(Question(id=qid, owner_id=user_id, photo_id=pid, kind="location", text="Where?",
                                      reason="no GPS", created_at=iso(utcnow())))
        ids += [pid, qid, *add_person_with_a_face(c, user_id, pid)]
    r = call("POST", "/api/albums", json={"name": "Holidays"})
    assert r.status_code == 201, r.get_data(as_text=True)
    album_id = r.get_json()["id"]
    assert call("POST", f"/api/albums/{album_id}/photos", json={"photo_ids": ids[1:2]}).status_code == 200
    c.store.faces.set_face_grouping(user_id, False)
    c.store.faces.set_face_grouping(user_id, True)
    r = call("POST", "/api/me/password", json={"current_password": "not the password", "new_password": "x" * 12})
    assert r.status_code == 401
    for m in c.queue.receive(max_messages=10):  # the upload jobs: no worker runs here
        c.queue.delete(m.receipt_handle)
    return [*ids, album_id]


def share_across(call: Call, other_call: Call, email: str, mine: list[str], theirs: list[str]) -> list[str]:
    """The user shares their album by link; the other user makes them a contributor of the other's album, where
    they add a photo of theirs. Returns the share link's id (a record naming the user's data)."""
    r = call("POST", "/api/shares", json={"album_id": mine[-1]})
    assert r.status_code == 201, r.get_data(as_text=True)
    r = other_call("POST", f"/api/albums/{theirs[-1]}/members", json={"email": email, "role": "contributor"})
    assert r.status_code == 201, r.get_data(as_text=True)
    r = call("POST", f"/api/albums/{theirs[-1]}/photos", json={"photo_ids": [mine[1]]})
    assert r.status_code == 200, r.get_data(as_text=True)
    return [str(call("GET", "/api/shares").get_json()["items"][0]["id"])]


def without(records_: list[str], needles: list[str]) -> list[str]:
    """The records that name none of needles."""
    return [r for r in records_ if not any(n in r for n in needles)]


def blob_keys(container: Any) -> list[str]:
    return sorted(container.blobs.keys(""))


def records(container: Any) -> list[str]:
    """Every stored record as text: each row of each SQLite table, or each item of the DynamoDB table."""
    s = container.settings
    if s.backend == "aws":
        client, out, params = container.store.client, [], {"TableName": s.dynamodb_table}
        while True:
            resp = client.scan(**params)
            out += [repr(sorted(item.items())) for item in resp.get("Items", [])]
            if not resp.get("LastEvaluatedKey"):
                return out
            params["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
    conn = sqlite3.connect(f"file:{s.data_dir / 'cloudalbum.sqlite3'}?mode=ro", uri=True)
    try:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return [f"{t}: {row!r}" for t in tables for row in conn.execute(f'SELECT * FROM "{t}"')]
    finally:
        conn.close()


def footprint(container: Any, needles: list[str]) -> list[str]:
    """Every blob key and record that names any of needles (a user's id, email, photo ids ...)."""
    return sorted(f"blob {k}" for k in blob_keys(container) if any(n in k for n in needles)) + sorted(
        r for r in records(container) if any(n in r for n in needles))
