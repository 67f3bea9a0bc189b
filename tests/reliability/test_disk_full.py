"""A full disk under the real served API: a clear 507 (or 503) with Retry-After and the uniform error body,
never a bare 500, no orphan record, no half-written blob, and uploads work again once space is freed.

The data dir is a tiny tmpfs mounted for the test (the machine must let us: root in a mount namespace). Where
it cannot, the test skips: tests/api/test_crash_safety.py::test_blob_store_failures_are_503_or_507_and_leave_no_record
covers the same answers with a failing wrapper at the port boundary, and tests/contract (fs blobstore, sqlite
store) cover the adapters' ENOSPC/SQLITE_FULL mapping.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from reliability.helpers import all_photos, container, integrity_ok, serve, sha
from support import make_jpeg, needs_corpus, unique_copy


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root and a mount namespace; the failing-wrapper test in "
                    "tests/api/test_crash_safety.py covers the answers")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_full_disk_is_507_with_no_orphans_and_recovers(tiny_disk: Path, tmp_path: Path) -> None:
    big = (needs_corpus() / "gps" / "iphone_hdr_NO.jpg").read_bytes()  # ~1.9 MB
    data_dir = tiny_disk / "data"
    proc, base = serve(data_dir, tmp_path / "serve.log")
    try:
        creds = {"email": "full@example.com", "password": "correct horse battery"}
        assert requests.post(f"{base}/api/auth/register", json=creds, timeout=30).status_code == 201
        auth = {"Authorization": "Bearer " + requests.post(f"{base}/api/auth/login", json=creds,
                                                          timeout=30).json()["access_token"]}
        accepted: dict[str, str] = {}
        refusals: list[int] = []

        def upload(data: bytes) -> int:
            data = unique_copy(data)  # each call a new photo: identical bytes would be one photo
            r = requests.post(f"{base}/api/photos", files={"file": ("p.jpg", data)}, headers=auth, timeout=60)
            assert r.status_code < 500 or r.status_code in (503, 507), (r.status_code, r.text)
            if r.status_code == 202:
                accepted[r.json()["id"]] = sha(data)
                return 202
            assert r.status_code in (503, 507), (r.status_code, r.text)
            body = r.json()
            assert set(body) == {"error"} and body["error"]["code"] in ("insufficient_storage", "storage_unavailable")
            assert body["error"]["message"] and int(r.headers["Retry-After"]) > 0
            assert r.headers["Content-Type"].startswith("application/json")
            refusals.append(r.status_code)
            return r.status_code

        # 1. Big photos until the blob store is full: 507; the user deletes one and can upload again.
        codes = [upload(big) for _ in range(3)]
        assert codes[0] == 202 and codes[-1] == 507, codes
        first = next(iter(accepted))
        assert requests.delete(f"{base}/api/photos/{first}?permanent=true", headers=auth,
                               timeout=30).status_code == 204  # the trash would keep counting its bytes
        del accepted[first]
        deleted = 1
        assert upload(big) == 202

        # 2. Ever smaller photos until nothing fits, the database included: every refusal a clear 503/507.
        for data in [make_jpeg(900, 700, quality=95)] * 30 + [make_jpeg(64, 64)] * 150:
            upload(data)
        assert refusals.count(507) >= 2, refusals
        r = requests.get(f"{base}/api/photos", params={"limit": 200}, headers=auth, timeout=30)
        assert r.status_code == 200  # reads still work on a full disk and show only whole photos
        assert {p["id"] for p in r.json()["items"]} == set(accepted)
        for pid, digest in list(accepted.items())[:5]:
            r = requests.get(f"{base}/api/photos/{pid}/original", headers=auth, timeout=30)
            assert r.status_code == 200 and sha(r.content) == digest
        victim = next(iter(accepted))
        r = requests.delete(f"{base}/api/photos/{victim}", headers=auth, timeout=30)
        assert r.status_code in (204, 507), r.text  # a delete needs a little room too (SQLite's journal)
        if r.status_code == 204:
            del accepted[victim]
            deleted += 1

        # 3. The operator grows the disk: uploads are accepted again, without a restart.
        assert subprocess.run(["mount", "-o", "remount,size=32m", str(tiny_disk)], capture_output=True).returncode == 0
        assert upload(make_jpeg(64, 64)) == 202
        assert upload(big) == 202
    finally:
        assert proc.stop() == 0, proc.text()[-3000:]

    assert not [p for p in (data_dir / "blobs").rglob("*") if p.is_file() and p.name.startswith(".tmp-")], \
        "half-written blobs"
    assert integrity_ok(data_dir / "cloudalbum.sqlite3")
    c = container(data_dir)
    try:
        owner = c.store.users.user_by_email("full@example.com").id
        photos = all_photos(c.store, owner)
        assert {p.id for p in photos} == set(accepted)
        assert sorted(c.blobs.keys("originals/")) == sorted(p.original_key for p in photos), "orphan originals"
        queued = c.queue.depth().visible  # no worker ran: a job per accepted photo, deleted ones' included
        assert queued <= len(photos) + deleted
    finally:
        c.close()
