"""Per-user limits against the API (issue 12, API.md "Accounts and limits"): the storage quota, an upload flood,
a reprocess flood and a face grouping toggle flood. Each bad request gets its 4xx (507 quota_exceeded, 429 with
Retry-After), nothing is stored or queued for it, the service stays up, and nothing of another user changes.
Both shapes: embedded (SQLite + files + SQLite queue) and AWS (DynamoDB Local for the table, whose conditional
writes are atomic as DynamoDB's are, which moto's are not under concurrent requests; S3 and SQS on moto)."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from aws.conftest import ddb_local_endpoint, moto_endpoint  # noqa: F401 - fixtures of the AWS shape
from cloudalbum import bootstrap
from cloudalbum.config import Settings
from support import make_jpeg


def photo(i: int) -> bytes:
    """A distinct small JPEG (about 3 KB)."""
    return make_jpeg(96, 64, color=(i * 37 % 256, 90, 200 - i % 200))


@pytest.fixture(params=["embedded", "aws"])
def make_shape(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., tuple[Any, Any]]]:
    """A factory: (container, app) of the parametrised shape with the given setting overrides."""
    made: list[Any] = []

    def make(**overrides: Any) -> tuple[Any, Any]:
        if request.param == "embedded":
            settings = Settings(data_dir=tmp_path / "data", workers=0, env="development", **overrides)
        else:
            from aws.conftest import point_boto3, unique_settings
            from cloudalbum.adapters.aws.init import init_aws

            point_boto3(request.getfixturevalue("monkeypatch"), endpoint=request.getfixturevalue("moto_endpoint"),
                        dynamodb=request.getfixturevalue("ddb_local_endpoint"))
            settings = unique_settings(tmp_path, **overrides)
            init_aws(settings)
        container = bootstrap.build(settings, **overrides_of(request))
        from support import fast_hashing

        fast_hashing(container)
        from cloudalbum.entrypoints.api import create_app

        app = create_app(container)
        app.config["TESTING"] = True
        made.append(container)
        return container, app

    yield make
    for c in made:
        if c.settings.backend == "aws":  # keep DynamoDB Local's in-memory JVM small
            c.store.client.delete_table(TableName=c.settings.dynamodb_table)
        c.close()


def overrides_of(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The real models, for the tests that process photos (a module fixture, loaded once)."""
    return request.getfixturevalue("models") if "models" in request.fixturenames else {}


class User:
    def __init__(self, app: Any, email: str) -> None:
        self.http = app.test_client()
        self.email = email
        assert self.http.post("/api/auth/register", json={"email": email, "password": "pw-" * 5}).status_code == 201
        self.login()
        self.id = self("GET", "/api/me").get_json()["id"]

    def login(self) -> None:
        r = self.http.post("/api/auth/login", json={"email": self.email, "password": "pw-" * 5})
        self.token = r.get_json()["access_token"]

    def __call__(self, method: str, path: str, **kw: Any) -> Any:
        return self.http.open(path, method=method, headers={"Authorization": f"Bearer {self.token}"}, **kw)

    def upload(self, data: bytes) -> Any:
        return self("POST", "/api/photos", data={"file": (io.BytesIO(data), "p.jpg")},
                    content_type="multipart/form-data")


def state(container: Any, user: User) -> dict[str, Any]:
    """What the service holds for a user: /api/me, the photo list, the originals."""
    me = user("GET", "/api/me").get_json()
    photos = sorted((p["id"], p["bytes"], p["status"], len(p.get("faces") or []))
                    for p in user("GET", "/api/photos?limit=200").get_json()["items"])
    return {"me": me, "photos": photos, "originals": sorted(container.blobs.keys(f"originals/{user.id}/"))}


def assert_error(r: Any, status: int, code: str) -> None:
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.get_json()["error"]["code"] == code


def queued(container: Any) -> int:
    depth = container.queue.depth()
    return depth.visible + depth.in_flight


# --- quota ------------------------------------------------------------------------------------------------


def test_quota_refuses_the_upload_that_would_pass_it_and_stores_nothing(make_shape: Any) -> None:
    sizes = [len(photo(i)) for i in range(4)]
    quota = sum(sizes[:2]) + sizes[2] // 2  # two fit, the third does not
    container, app = make_shape(quota_bytes=quota)
    alice, bob = User(app, "alice@example.com"), User(app, "bob@example.com")
    assert alice("GET", "/api/me").get_json()["quota_bytes"] == quota
    assert alice("GET", "/api/me").get_json()["trash_count"] == 0
    bob.upload(photo(9))
    bob_before = state(container, bob)
    first = [alice.upload(photo(i)) for i in range(2)]
    assert [r.status_code for r in first] == [202, 202]
    before, depth = state(container, alice), queued(container)

    r = alice.upload(photo(2))
    assert_error(r, 507, "quota_exceeded")
    assert "quota" in r.get_json()["error"]["message"]
    assert state(container, alice) == before and queued(container) == depth  # nothing stored, nothing queued
    assert before["me"]["storage_bytes"] <= quota

    # the trash still counts (issue 15); deleting a photo for good makes room again
    assert alice("DELETE", f"/api/photos/{first[0].get_json()['id']}").status_code == 204
    assert_error(alice.upload(photo(2)), 507, "quota_exceeded")
    assert alice("DELETE", f"/api/photos/{first[0].get_json()['id']}?permanent=true").status_code == 204
    assert alice.upload(photo(2)).status_code == 202
    assert state(container, bob) == bob_before  # the other user: untouched
    assert bob.upload(photo(8)).status_code == 202  # and not limited by alice's quota
    assert app.test_client().get("/api/health").status_code == 200


def test_concurrent_uploads_never_pass_the_quota(make_shape: Any) -> None:
    """Eight uploads at once, room for three: exactly three are stored, the others get 507. Eight different
    files of one size (identical bytes would be one photo: issue 19's duplicate rule)."""
    base = photo(1)
    files = [base[:2] + b"\xff\xfe\x00\x08" + f"c{i:05d}".encode() + base[2:] for i in range(8)]  # JPEG comments
    data = files[0]
    container, app = make_shape(quota_bytes=3 * len(data) + len(data) // 2)
    alice = User(app, "alice@example.com")
    clients = [app.test_client() for _ in range(8)]
    statuses: list[int] = []
    barrier = threading.Barrier(len(clients))

    def send(client: Any, data: bytes) -> None:
        barrier.wait()
        r = client.post("/api/photos", data={"file": (io.BytesIO(data), "p.jpg")},
                        headers={"Authorization": f"Bearer {alice.token}"}, content_type="multipart/form-data")
        statuses.append(r.status_code)

    threads = [threading.Thread(target=send, args=(c, f)) for c, f in zip(clients, files, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(statuses) == [202] * 3 + [507] * 5
    got = state(container, alice)
    assert len(got["photos"]) == 3 and len(got["originals"]) == 3
    assert got["me"]["storage_bytes"] == 3 * len(data)


def test_without_a_quota_me_says_null(make_shape: Any) -> None:
    _, app = make_shape()
    me = User(app, "alice@example.com")("GET", "/api/me").get_json()
    assert me["quota_bytes"] is None and me["trash_count"] == 0


# --- floods -----------------------------------------------------------------------------------------------


def test_upload_flood_is_429_with_retry_after_and_stores_nothing(make_shape: Any) -> None:
    container, app = make_shape(uploads_per_hour=3)
    alice, bob = User(app, "alice@example.com"), User(app, "bob@example.com")
    assert [alice.upload(photo(i)).status_code for i in range(3)] == [202] * 3
    before, depth = state(container, alice), queued(container)
    for i in range(3, 10):
        r = alice.upload(photo(i))
        assert_error(r, 429, "too_many_requests")
        assert 0 < int(r.headers["Retry-After"]) <= 3600
    assert state(container, alice) == before and queued(container) == depth
    assert bob.upload(photo(20)).status_code == 202  # bob's own hour is untouched
    assert app.test_client().get("/api/health").status_code == 200


def test_reprocess_flood_is_429_and_queues_nothing(make_shape: Any) -> None:
    container, app = make_shape(reprocess_per_hour=2)
    alice, bob = User(app, "alice@example.com"), User(app, "bob@example.com")
    pid = alice.upload(photo(1)).get_json()["id"]
    bobs = bob.upload(photo(2)).get_json()["id"]
    assert [alice("POST", f"/api/photos/{pid}/reprocess").status_code for _ in range(2)] == [202, 202]
    depth = queued(container)
    for _ in range(5):
        r = alice("POST", f"/api/photos/{pid}/reprocess")
        assert_error(r, 429, "too_many_requests")
        assert int(r.headers["Retry-After"]) > 0
    assert queued(container) == depth
    assert bob("POST", f"/api/photos/{bobs}/reprocess").status_code == 202


# --- face grouping toggles --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def models() -> dict[str, Any]:
    from cloudalbum.adapters.ml.detector import OnnxDetector
    from cloudalbum.adapters.ml.faces import OpencvFaceAnalyzer

    return {"detector": OnnxDetector.load("yolov8n"), "face_analyzer": OpencvFaceAnalyzer.load()}


def drain(container: Any) -> list[str]:
    """Run every queued job through the real handler (what a worker or Lambda does); returns the outcomes."""
    from cloudalbum.entrypoints.handler import handle_record

    outcomes: list[str] = []
    while messages := container.queue.receive(max_messages=10):
        for m in messages:
            outcomes.append(str(handle_record(container, {"body": json.dumps(m.body),
                                                          "attributes": m.attributes})))
            container.queue.delete(m.receipt_handle)
    return outcomes


def test_toggle_flood_never_queues_work_twice(make_shape: Any, models: dict[str, Any]) -> None:
    """alice switches face grouping off and on, again and again: one scan at most is ever in flight, the jobs
    of cancelled scans do nothing, each photo is processed once by the surviving scan, and past the hour's
    scan limit the switch answers 429 and stays off. bob's photos are processed once, by his own upload."""
    container, app = make_shape(face_scans_per_hour=3)
    alice, bob = User(app, "alice@example.com"), User(app, "bob@example.com")
    ids = [alice.upload(photo(i)).get_json()["id"] for i in range(3)]
    bob.upload(photo(10))
    outcomes = drain(container)  # each processed once, by its upload, then its text read once (its own job)
    processed = [o for o in outcomes if o in ("done", "needs_input")]
    read = [o for o in outcomes if o.startswith("read: ")]
    assert len(processed) == len(read) == 4 and len(outcomes) == 8, outcomes
    bob_before = state(container, bob)

    def switch(on: bool) -> Any:
        return alice("PATCH", "/api/me/settings", json={"face_grouping": on})

    answers = []
    for _ in range(5):
        answers.append((switch(False).status_code, switch(True).status_code))
    assert answers[:3] == [(200, 200)] * 3
    for off, on in answers[3:]:
        assert off == 200 and on == 429
    r = switch(True)
    assert_error(r, 429, "too_many_requests")
    assert int(r.headers["Retry-After"]) > 0
    assert alice("GET", "/api/me/settings").get_json() == {"face_grouping": False, "timezone": None}  # the 429 changed nothing
    assert queued(container) <= 3  # one scan job per accepted switch-on, nothing per refused one

    outcomes = drain(container)
    assert [o for o in outcomes if o in ("done", "needs_input")] == []  # grouping is off: every job a no-op
    assert all(o.startswith(("scan stopped", "skipped")) for o in outcomes), outcomes

    # once the hour has passed, one more switch-on scans the library once
    container.clock.offset_s += 3601
    alice.login()  # the access tokens expired meanwhile
    bob.login()
    assert switch(True).status_code == 200
    assert switch(True).status_code == 200  # already on: nothing more
    outcomes = drain(container)
    processed = [o for o in outcomes if o in ("done", "needs_input")]
    assert len(processed) == len(ids), outcomes  # each photo exactly once
    assert state(container, bob) == bob_before


def test_one_scan_in_flight_per_owner(make_shape: Any) -> None:
    """Scans started back to back (the CLI's `people scan`, or switches racing) queue one scan job."""
    container, app = make_shape()
    alice = User(app, "alice@example.com")
    depth = queued(container)
    started = [container.people.start_scan(alice.id) for _ in range(4)]
    assert started == [True, False, False, False]
    assert queued(container) == depth + 1
