"""A worker SIGKILLed in the middle of a photo loses nothing: after the visibility timeout the message comes
back, another worker processes the photo once (and then reads its text once), and the queue ends empty
(nothing dead-lettered)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from .helpers import add_photo, photo_bytes

pytestmark = pytest.mark.corpus

VISIBILITY_S = 4


def start_worker(data_dir: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "CLOUDALBUM_DATA_DIR": str(data_dir), "CLOUDALBUM_VISIBILITY_TIMEOUT_S": str(VISIBILITY_S),
           "CLOUDALBUM_WORKERS": "0", "CLOUDALBUM_ENV": "development"}
    return subprocess.Popen([sys.executable, "-m", "cloudalbum.entrypoints.cli", "worker"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for(predicate: Any, timeout_s: float, interval_s: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval_s)
    return False


def test_sigkilled_worker_loses_nothing(pipeline_container: Any) -> None:
    c = pipeline_container
    # GPS photo: the worker loads the place data on its first located photo, a ~1 s window mid-photo
    photo = add_photo(c, photo_bytes("gps/iphone_hdr_NO.jpg"))
    c.queue.send({"type": "process_photo", "photo_id": photo.id, "owner_id": photo.owner_id})
    status = lambda: c.store.photos.get_photo(photo.id, None).status  # noqa: E731

    first = start_worker(c.settings.data_dir)
    try:
        caught = wait_for(lambda: status() == "processing" or first.poll() is not None, timeout_s=120)
        assert first.poll() is None, first.communicate()[0]
        assert caught
        first.send_signal(signal.SIGKILL)  # no cleanup, no acknowledgement, no status change
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    assert status() == "processing"
    assert c.queue.depth().in_flight == 1

    second = start_worker(c.settings.data_dir)
    try:
        assert wait_for(lambda: status() in ("done", "needs_input"), timeout_s=120, interval_s=0.1), \
            "the photo was never processed after the crash"
        # then its read_text job (queued once the photo is final) runs too
        assert wait_for(lambda: c.store.photos.get_photo(photo.id, None).text is not None, timeout_s=120,
                        interval_s=0.1), "the photo's text was never read"
        # and the trips of its month (recompute_trips, queued with it): every message done before the stop
        assert wait_for(lambda: c.queue.depth().visible == 0 and c.queue.depth().in_flight == 0, timeout_s=60,
                        interval_s=0.1)
        second.send_signal(signal.SIGTERM)
        out, _ = second.communicate(timeout=60)
    finally:
        if second.poll() is None:
            second.kill()
    assert "worker stopped after 3 message(s)" in out, out  # the photo once, its text once, its month's trips once
    depth = c.queue.depth()
    assert (depth.visible, depth.in_flight, depth.dead) == (0, 0, 0)
    got = c.store.photos.get_photo(photo.id, None)
    names = [lbl.name for lbl in got.labels]
    assert len(names) == len(set(names)) and got.location is not None and got.thumbnail_keys
