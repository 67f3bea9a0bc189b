"""Poison under a real worker process: a photo whose processing keeps failing (its thumbnail directory cannot
be created: a file stands where it should be, a real OSError at every attempt) is retried max_receives times,
then its message is in the dead-letter queue and the photo shows `failed` with a reason, its original still
downloadable. A message nobody can parse goes to the dead-letter queue too. Healthy photos beside them are
processed normally.

(Unit-level: tests/pipeline/test_processing.py::test_last_receive_marks_failed_with_a_reason and
test_undecodable_photo_fails_at_once_with_a_reason; queue-level: tests/embedded/test_queue_kill.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reliability.helpers import PROCESSED, Proc, container, env_for, wait_for
from support import make_jpeg, needs_corpus

KNOBS = {"visibility_timeout_s": 1, "max_receives": 3, "worker_batch_size": 1}


@pytest.mark.corpus
def test_poison_photo_and_message_reach_the_dead_letter_queue(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    root = needs_corpus()
    c = container(data_dir, **KNOBS)
    try:
        user = c.auth.register("poison@example.com", "correct horse battery")
        good = c.photos.upload(user.id, open(root / "objects" / sorted(
            p.name for p in (root / "objects").iterdir() if p.suffix.lower() == ".jpg")[0], "rb"), "good.jpg")
        bad = c.photos.upload(user.id, __import__("io").BytesIO(make_jpeg(200, 150)), "bad.jpg")
        blocker = data_dir / "blobs" / "thumbnails" / user.id / bad.id
        blocker.parent.mkdir(parents=True, exist_ok=True)
        blocker.write_bytes(b"not a directory")
        c.queue.send({"type": "no_such_job", "photo_id": "x"})
        c.queue.send({"type": "process_photo"})

        worker = Proc(["worker"], env_for(data_dir, **KNOBS), tmp_path / "worker.log")
        try:
            wait_for(lambda: c.queue.depth().dead == 3 and c.queue.depth().visible == 0
                     and c.queue.depth().in_flight == 0, 180, "three dead letters", every=0.3)
        finally:
            assert worker.stop() == 0, worker.text()[-3000:]

        photo = c.store.photos.get_photo(bad.id, user.id)
        assert photo.status == "failed" and photo.error and "3 attempts" in photo.error, photo.error
        assert c.blobs.exists(photo.original_key)
        assert c.store.photos.get_photo(good.id, user.id).status in PROCESSED
        dead = c.queue.receive_dead(max_messages=10)
        bodies = sorted(str(m.body) for m in dead)
        assert any(bad.id in b for b in bodies) and any("no_such_job" in b for b in bodies), bodies
        assert all(m.receive_count >= KNOBS["max_receives"] for m in dead)
    finally:
        c.close()


@pytest.mark.corpus
def test_photo_whose_worker_dies_at_every_attempt_ends_failed(tmp_path: Path) -> None:
    """A worker killed mid-photo at every delivery (an OOM kill by a pathological image): the message
    dead-letters and the photo shows failed, not 'processing' for ever (found by this test, fixed in e2d0526:
    the last allowed delivery marks the photo failed before the work starts)."""
    import time

    data_dir = tmp_path / "data"
    knobs = {"visibility_timeout_s": 1, "max_receives": 2, "worker_batch_size": 1}
    c = container(data_dir, **knobs)
    try:
        user = c.auth.register("crash@example.com", "correct horse battery")
        photo = c.photos.upload(user.id, open(needs_corpus() / "gps" / "iphone_hdr_NO.jpg", "rb"), "big.jpg")
        for attempt in range(6):
            if c.queue.depth().dead:
                break
            before = c.store.photos.get_photo(photo.id, user.id).status
            w = Proc(["worker"], env_for(data_dir, **knobs), tmp_path / f"w{attempt}.log")
            try:
                wait_for(lambda: c.queue.depth().in_flight > 0 or c.queue.depth().dead > 0, 120,
                         "the worker to take the message", every=0.01)
                # Into the photo: this attempt has marked it (processing, or failed on the last delivery); this
                # 8 MP photo then takes ~0.3 s more on an idle machine, so the kill comes well before the end.
                # (Waiting for the mark, not a fixed delay: on a loaded machine the mark itself took 80 ms.)
                wait_for(lambda before=before: c.store.photos.get_photo(photo.id, user.id).status not in (before, "uploaded")
                         or c.queue.depth().dead > 0, 60, "the worker to start on the photo", every=0.005)
            finally:
                w.kill()  # dies mid-photo, as an OOM kill would
            time.sleep(knobs["visibility_timeout_s"] + 0.3)
        assert c.queue.depth().dead == 1
        from cloudalbum.services.maintenance import MaintenanceService

        MaintenanceService(c.store.photos, c.blobs, c.queue, c.settings, stale_upload_s=0, orphan_grace_s=0).run_once()
        assert c.store.photos.get_photo(photo.id, user.id).status == "failed"
    finally:
        c.close()
