"""A worker SIGKILLed at random points of processing, many times, loses nothing and duplicates nothing.

Real photos are uploaded into a real data dir; `cloudalbum worker` runs as a subprocess with a short
visibility timeout and is SIGKILLed at a random moment after it is ready (so while it decodes, detects, writes
thumbnails or saves), again and again. When the backlog is gone, forced reprocessing
(`POST /reprocess`'s job) of every photo gives the next worker something to be killed in. A last worker then
drains the queue. Every photo must end processed
exactly once: listed once, done/needs_input, both thumbnails, no duplicate labels or questions, an empty queue
and nothing dead-lettered.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from reliability.helpers import (
    PROCESSED,
    Proc,
    assert_people_consistent,
    assert_whole,
    container,
    env_for,
    integrity_ok,
    wait_for,
)
from support import needs_corpus

VT = 2


def seed_photos(data_dir: Path, n: int) -> tuple[str, list[str]]:
    root = needs_corpus()
    files = [p for d in ("objects", "gps") for p in sorted((root / d).iterdir())
             if p.suffix.lower() in (".jpg", ".jpeg", ".png")]
    c = container(data_dir)
    try:
        user = c.auth.register("kill@example.com", "correct horse battery")
        ids = []
        for i in range(n):
            path = files[i % len(files)]
            with open(path, "rb") as f:
                ids.append(c.photos.upload(user.id, f, path.name).id)
        return user.id, ids
    finally:
        c.close()


def kill_workers_repeatedly(tmp_path: Path, photos: int, kills: int, seed: int) -> None:
    data_dir = tmp_path / "data"
    owner, ids = seed_photos(data_dir, photos)
    knobs = {"visibility_timeout_s": VT, "max_receives": 1000, "worker_batch_size": 1}
    env = env_for(data_dir, **knobs)
    rng = random.Random(seed)
    c = container(data_dir, **knobs)  # the same max_receives: depth() redrives by its own setting
    killed_while_busy = 0
    try:
        for k in range(kills):
            d = c.queue.depth()
            if d.visible + d.in_flight == 0:  # all done: forced reprocessing keeps every kill landing on work
                for pid in ids:
                    c.photos.reprocess(owner, pid)
            w = Proc(["worker"], env, tmp_path / f"worker{k}.log")
            try:
                w.wait_log(r"worker ready", 120)
                time.sleep(rng.uniform(0.0, 2.5))
                busy = c.queue.depth().in_flight > 0
            finally:
                w.kill()
            killed_while_busy += busy
        print(f"worker SIGKILLs: {k + 1}, with a message in flight: {killed_while_busy}")
        assert killed_while_busy > 0, "no kill landed while a message was in flight: the test proved nothing"

        last = Proc(["worker"], env, tmp_path / "worker-last.log")
        try:
            last.wait_log(r"worker ready", 120)
            def drained() -> bool:
                d = c.queue.depth()
                final = all(c.store.photos.get_photo(pid, owner).status in PROCESSED for pid in ids)
                return final and d.visible == 0 and d.in_flight == 0
            wait_for(drained, 300, "the last worker to process every photo", every=0.5)
        finally:
            assert last.stop() == 0, last.text()[-3000:]

        assert_whole(c, owner, ids, statuses=PROCESSED)
        assert c.queue.depth().dead == 0
        thumbs = [k for k in c.blobs.keys("thumbnails/") if not k.rsplit("/", 1)[-1].startswith("face-")]
        assert len(thumbs) == 2 * len(ids), sorted(thumbs)
        assert assert_people_consistent(c.store, c.blobs, owner, ids) > 0, "the photos include faces (hopper, bus)"
        assert sorted(c.blobs.keys("originals/")) == sorted(c.store.photos.get_photo(p, owner).original_key for p in ids)
    finally:
        c.close()
    assert integrity_ok(data_dir / "cloudalbum.sqlite3") and integrity_ok(data_dir / "queue.sqlite3")


@pytest.mark.corpus
def test_worker_sigkilled_at_random_points_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    kill_workers_repeatedly(tmp_path, photos=12, kills=10, seed=int(os.environ.get("CLOUDALBUM_SEED", "8")))


@pytest.mark.slow
@pytest.mark.corpus
def test_worker_sigkilled_many_times_long(tmp_path: Path) -> None:
    kill_workers_repeatedly(tmp_path, photos=150, kills=60, seed=int(os.environ.get("CLOUDALBUM_SEED", "88")))
