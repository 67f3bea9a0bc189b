"""The API SIGKILLed during concurrent uploads: every upload that got a 202 survives, nothing half-written is
visible, and maintenance plus a worker bring every photo to its final state.

`cloudalbum serve` runs as a real process; four clients upload real and generated photos over HTTP; the serve
process is SIGKILLed while they do. It is then started again on the same data dir.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import requests

from cloudalbum.services.maintenance import MaintenanceService
from reliability.helpers import (
    FINAL,
    PROCESSED,
    Proc,
    Uploader,
    all_photos,
    assert_whole,
    container,
    env_for,
    integrity_ok,
    serve,
    sha,
    wait_for,
)
from support import make_jpeg, needs_corpus


def payloads() -> list[tuple[str, bytes]]:
    root = needs_corpus()
    real = [(p.name, p.read_bytes()) for p in sorted((root / "objects").iterdir())
            if p.suffix.lower() in (".jpg", ".jpeg", ".png")][:4]
    made = [(f"gen{i}.jpg", make_jpeg(320 + 8 * i, 240, color=(i * 20 % 256, 90, 200 - i * 10)))
            for i in range(8)]
    return [x for pair in zip(made, real * 2, strict=True) for x in pair]


def kill_api_during_uploads(tmp_path: Path, rounds: int, clients: int, per_round: int) -> None:
    data_dir = tmp_path / "data"
    log = tmp_path / "serve.log"
    files = payloads()
    proc, base = serve(data_dir, log)
    creds = {"email": "apikill@example.com", "password": "correct horse battery"}
    assert requests.post(f"{base}/api/auth/register", json=creds, timeout=30).status_code == 201
    token = requests.post(f"{base}/api/auth/login", json=creds, timeout=30).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    accepted: dict[str, str] = {}
    lock = threading.Lock()
    try:
        for _ in range(rounds):
            stop = threading.Event()
            start = len(accepted)
            clients_ = [Uploader(base, token, files[i::clients] or files, stop, accepted, lock)
                        for i in range(clients)]
            for c in clients_:
                c.start()
            try:
                wait_for(lambda start=start: len(accepted) >= start + per_round, 120, "uploads to be accepted", every=0.01)
            finally:
                proc.kill()  # SIGKILL mid-upload: the clients are in the middle of requests
                stop.set()
                for c in clients_:
                    c.join(60)
            proc, base = serve(data_dir, log)
    except BaseException:
        proc.kill()
        raise

    try:
        # Every 202 is there, whole: GET 200, original byte for byte; no listed photo lacks its original.
        for pid, digest in accepted.items():
            r = requests.get(f"{base}/api/photos/{pid}", headers=auth, timeout=30)
            assert r.status_code == 200, (pid, r.text)
            assert r.json()["status"] == "uploaded"
            r = requests.get(f"{base}/api/photos/{pid}/original", headers=auth, timeout=30)
            assert r.status_code == 200 and sha(r.content) == digest, pid
        listed, cursor = [], None
        while True:
            r = requests.get(f"{base}/api/photos", params={"limit": 200, **({"cursor": cursor} if cursor else {})},
                             headers=auth, timeout=30)
            assert r.status_code == 200, r.text
            listed += [p["id"] for p in r.json()["items"]]
            cursor = r.json()["next_cursor"]
            if not cursor:
                break
        assert len(listed) == len(set(listed)) and set(accepted) <= set(listed)
        for pid in set(listed) - set(accepted):  # recorded, but the answer was lost with the process
            r = requests.get(f"{base}/api/photos/{pid}/original", headers=auth, timeout=30)
            assert r.status_code == 200 and r.content, pid
    finally:
        assert proc.stop() == 0, proc.text()[-3000:]
    assert integrity_ok(data_dir / "cloudalbum.sqlite3") and integrity_ok(data_dir / "queue.sqlite3")

    # The real `cloudalbum gc` runs on what the crash left; then the same repairs with no grace period
    # (a stuck upload is re-enqueued, an original without a record deleted), and a worker processes it all.
    gc = Proc(["gc"], env_for(data_dir), tmp_path / "gc.log")
    assert gc.p.wait(120) == 0, gc.text()
    c = container(data_dir)
    try:
        owner = c.store.users.user_by_email(creds["email"]).id
        MaintenanceService(c.store.photos, c.blobs, c.queue, c.settings, stale_upload_s=0, orphan_grace_s=0).run_once()
        ids = [p.id for p in all_photos(c.store, owner)]
        worker = Proc(["worker"], env_for(data_dir), tmp_path / "worker.log")
        try:
            wait_for(lambda: all(c.store.photos.get_photo(p, owner).status in FINAL for p in ids), 600,
                     "the worker to process every photo", every=0.5)
            wait_for(lambda: c.queue.depth().visible == 0 and c.queue.depth().in_flight == 0, 120, "an empty queue")
        finally:
            worker.stop()
        assert_whole(c, owner, ids, statuses=PROCESSED)
        assert sorted(c.blobs.keys("originals/")) == sorted(c.store.photos.get_photo(p, owner).original_key for p in ids)
        assert c.queue.depth().dead == 0
    finally:
        c.close()


@pytest.mark.corpus
def test_api_sigkilled_during_uploads_keeps_every_accepted_photo(tmp_path: Path) -> None:
    kill_api_during_uploads(tmp_path, rounds=2, clients=4, per_round=8)


@pytest.mark.slow
@pytest.mark.corpus
def test_api_sigkilled_many_times_long(tmp_path: Path) -> None:
    kill_api_during_uploads(tmp_path, rounds=10, clients=8, per_round=15)
