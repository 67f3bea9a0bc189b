"""The API on the AWS shape (S3 + DynamoDB + SQS on moto):

* every route's DynamoDB operations are counted with botocore event hooks on the store's own client: no route
  ever Scans (the table of counts is printed and kept in docs/dynamodb.md);
* end to end: real photos uploaded over HTTP, the SQS batch handler driven as Lambda's event source mapping
  drives it (the local worker's loop: receive a batch, SQS-shaped event, delete all but batchItemFailures),
  a poison message and a photo that fails every time reach the dead-letter queue after maxReceiveCount (the
  photo ends "failed"), and search finds the processed photos.
"""

from __future__ import annotations

import collections
import io
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aws.conftest import unique_settings
from cloudalbum import bootstrap
from cloudalbum.adapters.aws.init import init_aws
from cloudalbum.config import Settings
from support import make_jpeg, needs_corpus

pytestmark = pytest.mark.emulator
PASSWORD = "correct horse battery"


def api_container(settings: Settings) -> bootstrap.Container:
    return bootstrap.build(settings)


class Client:
    """A signed-in user on the Flask test client."""

    def __init__(self, app: Any, email: str) -> None:
        self.http = app.test_client()
        r = self.http.post("/api/auth/register", json={"email": email, "password": PASSWORD})
        assert r.status_code == 201, r.get_data(as_text=True)
        r = self.http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert r.status_code == 200, r.get_data(as_text=True)
        self.tokens = r.get_json()

    def __call__(self, method: str, path: str, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens['access_token']}", **kw.pop("headers", {})}
        return self.http.open(path, method=method, headers=headers, **kw)

    def upload(self, data: bytes, filename: str) -> dict[str, Any]:
        r = self("POST", "/api/photos", data={"file": (io.BytesIO(data), filename)},
                 content_type="multipart/form-data")
        assert r.status_code == 202, r.get_data(as_text=True)
        return r.get_json()


@pytest.fixture
def aws(moto_env: str, tmp_path: Path) -> Iterator[tuple[Settings, bootstrap.Container, Any]]:
    # the visibility timeout bounds a batch (the handler defers records it cannot start in time): long enough
    # for real photos on a busy machine, short enough that a failing message dies in seconds
    settings = unique_settings(tmp_path, visibility_timeout_s=10, max_receives=2)
    init_aws(settings)
    container = api_container(settings)
    from cloudalbum.entrypoints.api import create_app

    app = create_app(container)
    app.config["TESTING"] = True
    yield settings, container, app
    container.close()


# --- operation counts -------------------------------------------------------------------------------------


class OpCounter:
    """Counts DynamoDB operations made through one client, per label (the route being exercised)."""

    def __init__(self, client: Any) -> None:
        self.current = "setup"
        self.counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        client.meta.events.register("before-call.dynamodb", self._on_call)

    def _on_call(self, model: Any, **_: Any) -> None:
        self.counts[self.current][model.name] += 1

    def table(self) -> str:
        lines = ["| route | DynamoDB operations |", "|---|---|"]
        for route, ops in self.counts.items():
            if route != "setup":
                lines.append(f"| `{route}` | {', '.join(f'{op} {n}' for op, n in sorted(ops.items()))} |")
        return "\n".join(lines)


def test_every_route_without_scan_and_its_operation_counts(aws: Any, tmp_path: Path) -> None:
    settings, container, app = aws
    counter = OpCounter(container.store.client)  # type: ignore[attr-defined]

    def step(label: str) -> None:
        counter.current = label

    step("POST /api/auth/register + login")
    alice = Client(app, "alice@example.com")
    step("GET /api/me")
    assert alice("GET", "/api/me").status_code == 200
    step("POST /api/auth/refresh")
    r = alice.http.post("/api/auth/refresh", json={"refresh_token": alice.tokens["refresh_token"]})
    assert r.status_code == 200
    alice.tokens = r.get_json()
    step("POST /api/photos")
    photo = alice.upload(make_jpeg(320, 240), "a.jpg")
    alice.upload(make_jpeg(300, 200, color=(10, 200, 30)), "b.jpg")
    step("GET /api/photos")
    assert len(alice("GET", "/api/photos").get_json()["items"]) == 2
    step("GET /api/photos/{id}")
    assert alice("GET", f"/api/photos/{photo['id']}").status_code == 200
    step("PATCH /api/photos/{id}")
    r = alice("PATCH", f"/api/photos/{photo['id']}", json={"title": "Harbour at dawn", "taken_at": "2020-05-01T06:00:00",
                                                         "location": {"lat": 41.9, "lon": 12.5}})
    assert r.status_code == 200, r.get_data(as_text=True)
    step("GET /api/search?q=harbour")
    assert [h["id"] for h in alice("GET", "/api/search?q=harbour").get_json()["items"]] == [photo["id"]]
    step("GET /api/search?near=41.9,12.5&from=2020-01-01")
    assert len(alice("GET", "/api/search?near=41.9,12.5&from=2020-01-01").get_json()["items"]) == 1
    step("GET /api/map?bbox=10,40,14,43")
    assert len(alice("GET", "/api/map?bbox=10,40,14,43").get_json()["features"]) == 1
    step("GET /api/photos/{id}/original")
    r = alice("GET", f"/api/photos/{photo['id']}/original")
    assert r.status_code == 302 and "X-Amz-Signature=" in r.headers["Location"]
    step("POST /api/albums")
    album = alice("POST", "/api/albums", json={"name": "Trip"}).get_json()
    step("POST /api/albums/{id}/photos")
    r = alice("POST", f"/api/albums/{album['id']}/photos", json={"photo_ids": [photo["id"]]})
    assert r.status_code == 200 and r.get_json()["photo_count"] == 1
    step("GET /api/albums")
    assert len(alice("GET", "/api/albums").get_json()["items"]) == 1
    step("GET /api/albums/{id}")
    assert alice("GET", f"/api/albums/{album['id']}").get_json()["cover_photo_id"] == photo["id"]
    step("GET /api/albums/{id}/photos")
    assert [p["id"] for p in alice("GET", f"/api/albums/{album['id']}/photos").get_json()["items"]] == [photo["id"]]
    step("GET /api/search?album_id=…")
    assert len(alice("GET", f"/api/search?album_id={album['id']}").get_json()["items"]) == 1
    step("DELETE /api/albums/{id}/photos/{photo_id}")
    assert alice("DELETE", f"/api/albums/{album['id']}/photos/{photo['id']}").status_code == 204
    step("DELETE /api/albums/{id}")
    assert alice("DELETE", f"/api/albums/{album['id']}").status_code == 204
    step("GET /api/questions")
    assert alice("GET", "/api/questions").status_code == 200
    step("DELETE /api/photos/{id}")
    assert alice("DELETE", f"/api/photos/{photo['id']}").status_code == 204
    step("POST /api/auth/logout")
    assert alice("POST", "/api/auth/logout").status_code == 204

    table = counter.table()
    print("\n" + table)
    (Path(__file__).resolve().parents[2] / "artifacts").mkdir(exist_ok=True)
    (Path(__file__).resolve().parents[2] / "artifacts" / "dynamodb-ops.md").write_text(table + "\n")
    scans = {route: ops["Scan"] for route, ops in counter.counts.items() if ops.get("Scan")}
    assert scans == {}, f"Scan on a request path: {scans}"
    assert all(sum(ops.values()) < 40 for ops in counter.counts.values()), table


# --- end to end -----------------------------------------------------------------------------------------


class FailsOn:
    """The real detector, failing (as a crashing model would) on one image size: a photo whose processing fails
    on every receive. Wraps the real adapter; only this one photo's detection is replaced by an error."""

    def __init__(self, inner: Any, size: tuple[int, int]) -> None:
        self.inner, self.size = inner, size
        self.name, self.version = inner.name, inner.version
        self.threshold, self.names = inner.threshold, inner.names

    def detect(self, image: Any, *, threshold: float | None = None) -> Any:
        if image.size == self.size:
            raise RuntimeError("detector crashed on this image")
        return self.inner.detect(image, threshold=threshold)


def wait_until(check: Any, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.corpus
def test_end_to_end_real_photos_through_sqs_and_the_handler(aws: Any) -> None:
    photos_dir = needs_corpus()
    settings, container, app = aws
    alice = Client(app, "alice@example.com")
    real = {name: alice.upload((photos_dir / name).read_bytes(), Path(name).name)
            for name in ("objects/dog.jpg", "objects/bus.jpg", "gps/DSCN0029.jpg")}
    doomed = alice.upload(make_jpeg(123, 77), "doomed.jpg")
    container.queue.client.send_message(QueueUrl=container.queue.queue_url,  # type: ignore[attr-defined]
                                        MessageBody="{not json")

    worker = bootstrap.build(settings)
    worker.overrides["detector"] = FailsOn(bootstrap.build(settings).detector, (123, 77))
    from cloudalbum.entrypoints.worker import run_worker

    stop = threading.Event()
    acked: list[int] = []
    thread = threading.Thread(target=lambda: acked.append(run_worker(worker, stop_event=stop)), daemon=True)
    thread.start()
    try:
        def settled() -> bool:
            states = {p["id"]: alice("GET", f"/api/photos/{p['id']}").get_json()["status"]
                      for p in [*real.values(), doomed]}
            final = all(s in ("done", "needs_input", "failed") for s in states.values())
            return final and worker.queue.depth().dead >= 2
        wait_until(settled, 240, "every photo final and two dead letters")
    finally:
        stop.set()
        thread.join(60)
        worker.close()

    got = {name: alice("GET", f"/api/photos/{p['id']}").get_json() for name, p in real.items()}
    assert all(p["status"] in ("done", "needs_input") for p in got.values()), got
    failed = alice("GET", f"/api/photos/{doomed['id']}").get_json()
    assert failed["status"] == "failed" and "attempts" in (failed["error"] or ""), failed
    dead = container.queue.receive_dead(max_messages=10)
    bodies = sorted(json.dumps(m.body, sort_keys=True) for m in dead)
    assert any(doomed["id"] in b for b in bodies) and any('"raw"' in b for b in bodies), bodies
    assert all(m.receive_count >= 1 for m in dead)

    def found(params: str) -> set[str]:
        r = alice("GET", f"/api/search?{params}")
        assert r.status_code == 200, r.get_data(as_text=True)
        return {h["id"] for h in r.get_json()["items"]}

    assert real["objects/dog.jpg"]["id"] in found("label=dog")
    assert real["objects/bus.jpg"]["id"] in found("label=bus")
    assert found("place=Italy") == {real["gps/DSCN0029.jpg"]["id"]}
    assert real["objects/dog.jpg"]["id"] in found("q=dog")
    r = alice("GET", f"/api/photos/{real['objects/dog.jpg']['id']}/thumbnail?size=small")
    assert r.status_code == 302 and "X-Amz-Signature=" in r.headers["Location"]
    features = alice("GET", "/api/map").get_json()["features"]
    assert real["gps/DSCN0029.jpg"]["id"] in {f["properties"]["id"] for f in features}


def test_awkward_ids_and_emails_are_4xx_never_5xx(aws: Any) -> None:
    """Keys DynamoDB would refuse (over 2048 bytes, empty) are answered as the missing objects they are."""
    _settings, _container, app = aws
    alice = Client(app, "alice@example.com")
    long_id = "x" * 3000
    for method, path, kw in [("GET", f"/api/photos/{long_id}", {}), ("PATCH", f"/api/photos/{long_id}",
                                                                     {"json": {"title": "t"}}),
                             ("DELETE", f"/api/photos/{long_id}", {}), ("GET", f"/api/albums/{long_id}", {}),
                             ("GET", f"/api/albums/{long_id}/photos", {}),
                             ("POST", f"/api/questions/{long_id}/dismiss", {}),
                             ("GET", f"/api/search?album_id={long_id}", {}),
                             ("GET", f"/api/questions?photo_id={long_id}", {}),
                             ("GET", f"/api/photos?cursor={long_id}", {})]:
        r = alice(method, path, **kw)
        assert 400 <= r.status_code < 500, (method, path[:40], r.status_code, r.get_data(as_text=True)[:200])
    r = alice.http.post("/api/auth/login", json={"email": "a" * 3000 + "@example.com", "password": PASSWORD})
    assert 400 <= r.status_code < 500
    r = alice.http.post("/api/auth/register", json={"email": "a" * 3000 + "@example.com", "password": PASSWORD})
    assert 400 <= r.status_code < 500
