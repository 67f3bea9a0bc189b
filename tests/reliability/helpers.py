"""Helpers for the reliability and security suites: a data dir seeded in-process, the real `cloudalbum`
commands in subprocesses (output to files, so a chatty process never blocks on a full pipe), and checks that
every photo is whole."""

from __future__ import annotations

import collections
import hashlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cloudalbum import bootstrap
from cloudalbum.config import Settings
from embedded.helpers import wait_for  # noqa: F401 - re-exported for the tests here
from support import unique_copy

CLI = [sys.executable, "-m", "cloudalbum.entrypoints.cli"]
FINAL = ("done", "needs_input", "failed")
PROCESSED = ("done", "needs_input")


def skip_slow_unless_long(items: list[Any], here: Path) -> None:
    """The conftest hook of tests/reliability and tests/security: `slow` tests under here run only with
    CLOUDALBUM_LONG=1."""
    import pytest

    if os.environ.get("CLOUDALBUM_LONG") == "1":
        return
    skip = pytest.mark.skip(reason="long variant: run with CLOUDALBUM_LONG=1")
    for item in items:
        if "slow" in item.keywords and here in Path(str(item.fspath)).parents:
            item.add_marker(skip)


def env_for(data_dir: Path, **settings: Any) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDALBUM_")}
    env["CLOUDALBUM_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    env.update({f"CLOUDALBUM_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def container(data_dir: Path, **changes: Any) -> bootstrap.Container:
    return bootstrap.build(Settings(data_dir=data_dir, workers=0, **changes))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Proc:
    """A `cloudalbum` subprocess whose stderr+stdout go to a log file we can read while it runs."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log_path = log
        self._log = open(log, "ab")
        self.p = subprocess.Popen([*CLI, *args], env=env, stdout=self._log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.p.pid

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_log(self, pattern: str, timeout: float, start: int = 0) -> re.Match:
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while time.monotonic() < deadline:
            m = rx.search(self.text(), start)
            if m:
                return m
            if self.p.poll() is not None:
                raise AssertionError(f"process exited with {self.p.returncode}: {self.text()[-3000:]}")
            time.sleep(0.05)
        raise AssertionError(f"gave up waiting for /{pattern}/ after {timeout} s: {self.text()[-3000:]}")

    def kill(self) -> None:
        if self.p.poll() is None:
            os.kill(self.p.pid, signal.SIGKILL)
        self.p.wait(30)
        self._log.close()

    def stop(self, timeout: float = 90) -> int:
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            code = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.p.pid, signal.SIGKILL)
            code = self.p.wait(30)
        self._log.close()
        return code


def serve(data_dir: Path, log: Path, *, workers: int = 0, **settings: Any) -> tuple[Proc, str]:
    """`cloudalbum serve` on a free loopback port; returns the process and its base URL."""
    size = log.stat().st_size if log.exists() else 0
    proc = Proc(["serve", "--host", "127.0.0.1", "--port", "0", "--workers", str(workers)],
                env_for(data_dir, **settings), log)
    m = proc.wait_log(r"serving on (http://127\.0\.0\.1:\d+)/", 120, start=size)
    return proc, m.group(1)


def integrity_ok(db: Path) -> bool:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def all_photos(store: Any, owner_id: str) -> list[Any]:
    items, cursor = [], None
    while True:
        page = store.photos.list_photos(owner_id, limit=200, cursor=cursor)
        items += page.items
        cursor = page.next_cursor
        if not cursor:
            return items


def assert_whole(c: bootstrap.Container, owner_id: str, ids: Iterable[str], *, statuses: tuple[str, ...]) -> None:
    """Every id is listed exactly once, in one of statuses, with its original; a processed photo has both
    thumbnails, labels without duplicates, and no duplicate questions."""
    listed = collections.Counter(p.id for p in all_photos(c.store, owner_id))
    for pid in ids:
        assert listed[pid] == 1, (pid, listed[pid])
        photo = c.store.photos.get_photo(pid, owner_id)
        assert photo is not None and photo.status in statuses, (pid, photo and photo.status, photo and photo.error)
        assert c.blobs.exists(photo.original_key), pid
        if photo.status in PROCESSED:
            assert set(photo.thumbnail_keys) == {"small", "large"}, photo.thumbnail_keys
            assert all(c.blobs.exists(k) for k in photo.thumbnail_keys.values())
            names = [(lb.name, lb.source) for lb in photo.labels]
            assert len(names) == len(set(names)), (pid, names)
            assert photo.processed_version, pid
            qs = [(q.kind, q.subject) for q in c.store.questions.questions_for_photo(pid)]
            assert len(qs) == len(set(qs)), (pid, qs)


class Uploader(threading.Thread):
    """A client uploading photos until told to stop or the connection breaks; remembers every 202."""

    def __init__(self, base: str, token: str, payloads: list[tuple[str, bytes]], stop: threading.Event,
                 accepted: dict[str, str], lock: threading.Lock) -> None:
        super().__init__(daemon=True)
        self.base, self.token, self.payloads, self.stop = base, token, payloads, stop
        self.accepted, self.lock = accepted, lock
        self.errors: list[str] = []
        self.statuses: collections.Counter = collections.Counter()

    def run(self) -> None:
        import requests

        s = requests.Session()
        i = 0
        while not self.stop.is_set():
            name, data = self.payloads[i % len(self.payloads)]
            data = unique_copy(data)  # each request a new photo: identical bytes would be one photo
            i += 1
            try:
                r = s.post(f"{self.base}/api/photos", files={"file": (name, data)},
                           headers={"Authorization": f"Bearer {self.token}"}, timeout=60)
            except requests.RequestException as exc:
                self.errors.append(type(exc).__name__)
                return
            self.statuses[r.status_code] += 1
            if r.status_code == 202:
                with self.lock:
                    self.accepted[r.json()["id"]] = sha(data)


def assert_people_consistent(store: Any, blobs: Any, owner_id: str, photo_ids: Iterable[str]) -> int:
    """Faces and people agree after any crash: every face belongs to an existing person whose counts are
    exactly its faces, each photo's face list matches the face store, and every face has one crop (no
    orphans). Returns the number of faces."""
    from cloudalbum.domain.blob_keys import face_crop_key

    faces = [f for pid in photo_ids for f in store.faces.faces_of_photo(pid)]
    by_person: dict[str, list[Any]] = {}
    for face in faces:
        assert face.person_id, f"face {face.id} belongs to no one"
        by_person.setdefault(face.person_id, []).append(face)
    people = {p.id: p for p in store.faces.people_of_owner(owner_id)}
    assert set(people) == set(by_person), "people without faces, or faces of a missing person"
    for pid, members in by_person.items():
        assert people[pid].face_count == len(members), (pid, people[pid].face_count, len(members))
        assert people[pid].photo_count == len({f.photo_id for f in members})
    for pid in photo_ids:
        photo = store.photos.get_photo(pid, owner_id)
        assert sorted(f.id for f in photo.faces) == sorted(f.id for f in store.faces.faces_of_photo(pid)), pid
    crops = sorted(k for k in blobs.keys("thumbnails/") if k.rsplit("/", 1)[-1].startswith("face-"))
    assert crops == sorted(face_crop_key(owner_id, f.photo_id, f.id) for f in faces), "orphan or missing crops"
    return len(faces)
