"""What a crash or a failing store leaves behind, and how maintenance repairs it.

The adapters are the real embedded ones; small wrappers make one method fail (a process dying between two
writes cannot be reached any other way in a test) and pass everything else through.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cloudalbum import bootstrap
from cloudalbum.adapters.embedded.blobstore import FileBlobStore
from cloudalbum.adapters.embedded.queue import SqliteJobQueue
from cloudalbum.adapters.embedded.store import SqliteMetadataStore
from cloudalbum.config import Settings
from cloudalbum.domain.errors import StorageUnavailable
from cloudalbum.services.maintenance import ORPHAN_GRACE_S, STALE_UPLOAD_S
from support import fast_hashing, make_jpeg


class Crash(BaseException):
    """The process dies here: not an Exception, so no handler in the code under test catches it."""


class Failing:
    """A real adapter with chosen methods replaced by a failure, everything else passed through."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self.fail: dict[str, BaseException] = {}

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._real, name)
        if name in self.fail and callable(attr):
            def broken(*a: Any, **kw: Any) -> Any:
                raise self.fail[name]
            return broken
        return attr


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Any]:
    settings = Settings(data_dir=tmp_path / "data", workers=0, visibility_timeout_s=30)
    real_store = SqliteMetadataStore(settings.data_dir / "cloudalbum.sqlite3")
    store = Failing(real_store.photos)  # the photo repository: the other repositories stay real
    real_store.photos = store
    blobs = Failing(FileBlobStore(settings.data_dir / "blobs"))
    queue = Failing(SqliteJobQueue(settings.data_dir / "queue.sqlite3", visibility_timeout_s=30, max_receives=4))
    c = fast_hashing(bootstrap.build(settings, store=real_store, blobs=blobs, queue=queue))
    from cloudalbum.entrypoints.api import create_app
    from conftest import ApiUser

    app = create_app(c)
    app.config["TESTING"] = True
    user = ApiUser(app.test_client(), "crash@example.com", "correct horse battery")

    class Rig:
        pass

    r = Rig()
    r.c, r.store, r.blobs, r.queue, r.user = c, store, blobs, queue, user
    yield r
    real_store.close()
    queue._real.close()


def drain(queue: Any) -> list[dict[str, Any]]:
    msgs = queue.receive(max_messages=10)
    for m in msgs:
        queue.delete(m.receipt_handle)
    return [m.body for m in msgs]


def originals(blobs: Any) -> list[str]:
    return list(blobs.keys("originals/"))


def test_queue_failure_leaves_an_uploaded_record_that_maintenance_requeues(rig: Any) -> None:
    rig.queue.fail["send"] = RuntimeError("queue down")
    r = rig.user.upload(make_jpeg())
    assert r.status_code == 202  # the photo is durably stored and recorded; only its job is missing
    pid = r.get_json()["id"]
    assert rig.c.store.photos.get_photo(pid, None).status == "uploaded"
    del rig.queue.fail["send"]
    assert drain(rig.queue) == []
    report = rig.c.maintenance.run_once(now=time.time())  # too early: the upload may still be in flight
    assert report.requeued == 0
    report = rig.c.maintenance.run_once(now=time.time() + STALE_UPLOAD_S + 5)
    assert report.requeued == 1
    assert drain(rig.queue) == [{"type": "process_photo", "photo_id": pid, "owner_id": rig.user.id}]


def test_a_zero_delay_sweep_requeues_an_upload_of_the_same_second(rig: Any) -> None:
    """Upload times are stored to the second: a sweep with no delay, run within the second of the upload,
    still finds it (found by the API-kill test, whose gc ran in the same second as the last upload)."""
    from cloudalbum.services.maintenance import MaintenanceService

    rig.queue.fail["send"] = RuntimeError("queue down")
    pid = rig.user.upload(make_jpeg()).get_json()["id"]
    del rig.queue.fail["send"]
    uploaded = rig.c.store.photos.get_photo(pid, None).uploaded_at
    from datetime import datetime

    same_second = datetime.fromisoformat(uploaded).timestamp() + 0.5
    sweep = MaintenanceService(rig.c.store.photos, rig.c.blobs, rig.c.queue, rig.c.settings, stale_upload_s=0)
    assert sweep.run_once(now=same_second).requeued == 1
    assert drain(rig.queue) == [{"type": "process_photo", "photo_id": pid, "owner_id": rig.user.id}]


def test_crash_after_storing_before_recording_leaves_an_orphan_the_sweep_deletes(rig: Any) -> None:
    rig.store.fail["add_photo"] = Crash()
    with pytest.raises(Crash):
        rig.c.photos.upload(rig.user.id, io.BytesIO(make_jpeg()), "x.jpg")
    del rig.store.fail["add_photo"]
    [orphan] = originals(rig.blobs)
    assert rig.user.request("GET", "/api/photos").get_json()["items"] == []  # nothing visible
    t0 = time.time()
    assert rig.c.maintenance.run_once(now=t0).orphans_deleted == 0  # grace period: maybe still in flight
    assert rig.c.maintenance.run_once(now=t0 + 60).orphans_deleted == 0
    report = rig.c.maintenance.run_once(now=t0 + ORPHAN_GRACE_S + 1)
    assert report.orphans_deleted == 1 and originals(rig.blobs) == []
    assert orphan.startswith(f"originals/{rig.user.id}/")


def test_sweep_keeps_originals_with_records(rig: Any) -> None:
    pid = rig.user.upload(make_jpeg()).get_json()["id"]
    t0 = time.time()
    for dt in (0, ORPHAN_GRACE_S + 1, 2 * ORPHAN_GRACE_S):
        rig.c.maintenance.run_once(now=t0 + dt)
    assert originals(rig.blobs) == [f"originals/{rig.user.id}/{pid}"]
    assert rig.user.request("GET", f"/api/photos/{pid}/original").status_code == 200


def test_record_failure_is_503_with_no_record_and_no_orphan(rig: Any) -> None:
    rig.store.fail["add_photo"] = RuntimeError("database is locked")
    r = rig.user.upload(make_jpeg())
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "storage_unavailable"
    assert int(r.headers["Retry-After"]) > 0
    del rig.store.fail["add_photo"]
    assert originals(rig.blobs) == []
    assert rig.user.request("GET", "/api/photos").get_json()["items"] == []
    assert drain(rig.queue) == []


def test_record_failure_with_blob_delete_failing_too_is_swept_later(rig: Any) -> None:
    rig.store.fail["add_photo"] = RuntimeError("database is locked")
    rig.blobs.fail["delete"] = OSError("io error")
    assert rig.user.upload(make_jpeg()).status_code == 503
    rig.store.fail.clear()
    rig.blobs.fail.clear()
    assert len(originals(rig.blobs)) == 1
    t0 = time.time()
    rig.c.maintenance.run_once(now=t0)
    assert rig.c.maintenance.run_once(now=t0 + ORPHAN_GRACE_S + 1).orphans_deleted == 1


@pytest.mark.parametrize("exc,status,code", [
    (StorageUnavailable("disk full", insufficient_storage=True), 507, "insufficient_storage"),
    (StorageUnavailable("s3 down"), 503, "storage_unavailable"),
    (OSError("EIO"), 503, "storage_unavailable"),
])
def test_blob_store_failures_are_503_or_507_and_leave_no_record(rig: Any, exc: Exception, status: int,
                                                                 code: str) -> None:
    rig.blobs.fail["put"] = exc
    r = rig.user.upload(make_jpeg())
    assert r.status_code == status and r.get_json()["error"]["code"] == code
    assert "Retry-After" in r.headers
    rig.blobs.fail.clear()
    assert rig.user.request("GET", "/api/photos").get_json()["items"] == []
    assert drain(rig.queue) == []


def test_reprocess_with_the_queue_down_is_503(rig: Any) -> None:
    pid = rig.user.upload(make_jpeg()).get_json()["id"]
    rig.queue.fail["send"] = RuntimeError("queue down")
    r = rig.user.request("POST", f"/api/photos/{pid}/reprocess")
    assert r.status_code == 503 and "Retry-After" in r.headers


def test_delete_with_blob_delete_failing_still_204_and_sweep_finishes(rig: Any) -> None:
    pid = rig.user.upload(make_jpeg()).get_json()["id"]
    photo = rig.c.store.photos.get_photo(pid, None)
    thumb = f"thumbnails/{rig.user.id}/{pid}/small.jpg"
    rig.blobs.put(thumb, make_jpeg(32, 32), content_type="image/jpeg")
    photo.thumbnail_keys = {"small": thumb}
    rig.c.store.photos.save_photo(photo)
    rig.blobs.fail["delete"] = OSError("io error")
    assert rig.user.request("DELETE", f"/api/photos/{pid}?permanent=true").status_code == 204
    rig.blobs.fail.clear()
    assert rig.user.request("GET", f"/api/photos/{pid}").status_code == 404
    t0 = time.time()
    rig.c.maintenance.run_once(now=t0)
    assert rig.c.maintenance.run_once(now=t0 + ORPHAN_GRACE_S + 1).orphans_deleted == 2
    assert originals(rig.blobs) == [] and list(rig.blobs.keys("thumbnails/")) == []


def test_maintenance_survives_a_failing_store(rig: Any) -> None:
    rig.store.fail["stale_photos"] = RuntimeError("boom")
    rig.store.fail["pending_blobs"] = RuntimeError("boom")
    rig.blobs.fail["keys"] = RuntimeError("boom")
    report = rig.c.maintenance.run_once()
    assert report.requeued == 0 and report.orphans_deleted == 0


def test_a_thumbnail_a_worker_writes_after_the_delete_is_swept(rig: Any) -> None:
    """A worker that read the photo before it was deleted may store a thumbnail (or a face crop) after the
    delete removed the blobs: the delete's pending entry outlives it by the grace period, and the sweep deletes
    whatever is under the photo's keys then."""
    pid = rig.user.upload(make_jpeg()).get_json()["id"]
    assert rig.user.request("DELETE", f"/api/photos/{pid}?permanent=true").status_code == 204
    late = f"thumbnails/{rig.user.id}/{pid}/large.jpg"
    rig.blobs.put(late, make_jpeg(32, 32), content_type="image/jpeg")  # the worker, finishing late
    t0 = time.time()
    assert rig.c.maintenance.run_once(now=t0).orphans_deleted == 0
    report = rig.c.maintenance.run_once(now=t0 + ORPHAN_GRACE_S + 1)
    assert report.orphans_deleted == 1 and report.pending_cleared == 1 and not rig.blobs.exists(late)
    assert rig.c.store.photos.pending_blobs(older_than="9999") == []  # the entry is gone: the next pass reads nothing


def test_a_finished_upload_leaves_no_pending_entry_and_the_sweep_never_lists_the_store(rig: Any) -> None:
    """Pending entries exist only for work in flight; a pass over a finished library lists no blobs at all."""
    for _ in range(3):
        assert rig.user.upload(make_jpeg()).status_code == 202
    assert rig.c.store.photos.pending_blobs(older_than="9999") == []
    rig.blobs.fail["keys"] = Crash()  # a BaseException: no handler in maintenance can swallow it
    report = rig.c.maintenance.run_once(now=time.time() + ORPHAN_GRACE_S + STALE_UPLOAD_S + 5)
    assert report.orphans_deleted == 0 and report.requeued == 3  # (no worker here: still "uploaded")


def test_unexpected_errors_are_a_uniform_500(rig: Any) -> None:
    rig.store.fail["list_photos"] = ZeroDivisionError("bug")
    r = rig.user.request("GET", "/api/photos")
    assert r.status_code == 500
    assert r.get_json() == {"error": {"code": "internal_error",
                                      "message": "Something went wrong on our side; it has been logged."}}


class Signing:
    """The real file store, with signed URLs as S3 gives them (the embedded store has none)."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self.asked: list[dict[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def signed_url(self, key: str, *, expires_s: int, filename: str | None = None,
                   content_type: str | None = None) -> str:
        self.asked.append({"key": key, "expires_s": expires_s, "filename": filename, "content_type": content_type})
        return f"https://signed.example/{key}?X-Expires={expires_s}"


def test_signed_urls_give_302_for_original_and_thumbnail(tmp_path: Path) -> None:
    from cloudalbum.entrypoints.api import create_app
    from conftest import ApiUser

    settings = Settings(data_dir=tmp_path / "data", workers=0, signed_url_expiry_s=120)
    blobs = Signing(FileBlobStore(settings.data_dir / "blobs"))
    c = fast_hashing(bootstrap.build(settings, blobs=blobs))
    try:
        app = create_app(c)
        user = ApiUser(app.test_client(), "signed@example.com", "correct horse battery")
        pid = user.upload(make_jpeg(), "Holiday.jpg").get_json()["id"]
        r = user.request("GET", f"/api/photos/{pid}/original")
        assert r.status_code == 302
        assert r.headers["Location"] == f"https://signed.example/originals/{user.id}/{pid}?X-Expires=120"
        assert blobs.asked[-1]["filename"] == "Holiday.jpg" and blobs.asked[-1]["content_type"] == "image/jpeg"
        assert user.request("GET", f"/api/photos/{pid}/thumbnail").status_code == 404  # not ready: no URL yet
        photo = c.store.photos.get_photo(pid, None)
        photo.thumbnail_keys = {"small": f"thumbnails/{user.id}/{pid}/small.jpg"}
        c.store.photos.save_photo(photo)
        r = user.request("GET", f"/api/photos/{pid}/thumbnail?size=small")
        assert r.status_code == 302 and "thumbnails/" in r.headers["Location"]
    finally:
        c.close()


def test_sweep_deletes_temp_files_of_writes_that_died(rig: Any) -> None:
    """A process SIGKILLed during a blob write leaves its temporary file (tests/reliability/test_api_kill.py
    saw them): maintenance deletes those older than the grace period and leaves writes in flight alone."""
    import os

    from cloudalbum.adapters.embedded.blobstore import TMP_PREFIX

    folder = rig.blobs._real.temp_dir  # where the file store writes before its rename
    folder.mkdir(parents=True, exist_ok=True)
    dead, in_flight = folder / f"{TMP_PREFIX}dead", folder / f"{TMP_PREFIX}live"
    dead.write_bytes(b"half a photo")
    in_flight.write_bytes(b"a photo being written")
    t0 = time.time()
    os.utime(dead, (t0 - ORPHAN_GRACE_S - 5, t0 - ORPHAN_GRACE_S - 5))
    report = rig.c.maintenance.run_once(now=t0)
    assert report.temp_files_deleted == 1 and not dead.exists() and in_flight.exists()
    assert originals(rig.blobs) == []  # temp files were never keys


def test_scan_blobs_deletes_orphans_of_older_versions_but_not_uploads_in_flight(rig: Any) -> None:
    """Orphans from before pending entries existed are invisible to the regular pass; `gc --scan-blobs` lists
    the store once and deletes them, leaving a photo whose upload is in flight (it has a pending entry)."""
    from cloudalbum.ports import PendingBlobs
    from cloudalbum.services.photos import pending_stamp

    kept = rig.user.upload(make_jpeg()).get_json()["id"]
    legacy, in_flight = f"originals/{rig.user.id}/legacy", f"originals/{rig.user.id}/inflight"
    for key in (legacy, in_flight, f"thumbnails/{rig.user.id}/legacy/small.jpg"):
        rig.blobs.put(key, b"x", content_type="image/jpeg")
    rig.c.store.photos.add_pending_blobs(PendingBlobs("inflight", rig.user.id, pending_stamp(time.time())))
    assert rig.c.maintenance.run_once(now=time.time() + 10 * ORPHAN_GRACE_S).orphans_deleted == 1  # in flight's
    rig.blobs.put(in_flight, b"x", content_type="image/jpeg")
    rig.c.store.photos.add_pending_blobs(PendingBlobs("inflight", rig.user.id, pending_stamp(time.time())))
    assert rig.c.maintenance.scan_blobs() == 2
    assert sorted(originals(rig.blobs)) == sorted([f"originals/{rig.user.id}/{kept}", in_flight])
