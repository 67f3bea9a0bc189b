"""`cloudalbum serve` as a real process: it answers, stops cleanly on SIGTERM, and stops with a clear message
when its workers cannot load the model."""

from __future__ import annotations

import json
import signal
import time
import urllib.request
from pathlib import Path

from embedded.helpers import cli_env, start_serve, wait_for


def get_json(port: int, path: str) -> tuple[int, dict]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
        return r.status, json.loads(r.read())


def test_serve_answers_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    proc, port = start_serve(cli_env(tmp_path / "data"), "--workers", "0")
    try:
        status, body = get_json(port, "/api/health")
        assert status == 200 and body["status"] == "ok" and body["backend"] == "embedded"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert (tmp_path / "data" / "cloudalbum.sqlite3").exists()


def test_serve_stops_when_workers_cannot_load_the_model(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "data", model_path=tmp_path / "missing.onnx")
    proc, port = start_serve(env, "--workers", "1")
    try:
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 3, err
    assert "model is unavailable" in err and "missing.onnx" in err
    assert "stopped" in err


def worker_pids(pid: int) -> set[int]:
    """The worker processes of a serve process (Linux /proc: spawn children running spawn_main)."""
    children = []  # each thread lists the children it started: the supervisor thread starts restarts
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children += (task / "children").read_text().split()
        except OSError:
            continue
    found = set()
    for child in children:
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline:
            found.add(int(child))
    return found


def test_a_worker_that_dies_is_restarted(tmp_path: Path) -> None:
    import os

    from support import needs

    needs(Path("/proc/self/task").is_dir(), "Linux /proc", "run the suite on Linux (as CI does)")
    proc, port = start_serve(cli_env(tmp_path / "data"), "--workers", "1")
    try:
        [first] = wait_for(lambda: worker_pids(proc.pid), 60, "the worker process to start")
        os.kill(first, signal.SIGKILL)
        [second] = wait_for(lambda: worker_pids(proc.pid) - {first}, 60, "the worker process to be restarted")
        assert second != first
        assert get_json(port, "/api/health")[0] == 200  # the API never noticed
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err[-3000:]
    assert "restarting" in err


def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    import socket

    from embedded.helpers import run_cli

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        r = run_cli(["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "0"],
                    cli_env(tmp_path / "data"), timeout=60)
    assert r.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in r.stderr and "Traceback" not in r.stderr


def test_serve_runs_one_maintenance_pass_at_start_from_pending_work(tmp_path: Path) -> None:
    """The embedded shape keeps maintenance in `serve` (one thread for the service): an original left by an
    upload that died before its record (its pending entry is older than the grace period) is gone soon after
    serve starts, found through the entry, not by listing the store."""
    from cloudalbum.adapters.embedded.blobstore import FileBlobStore
    from cloudalbum.adapters.embedded.store import SqliteMetadataStore
    from cloudalbum.ports import PendingBlobs
    from cloudalbum.services.maintenance import ORPHAN_GRACE_S
    from cloudalbum.services.photos import pending_stamp

    data = tmp_path / "data"
    store = SqliteMetadataStore(data / "cloudalbum.sqlite3")
    store.photos.add_pending_blobs(PendingBlobs("orphan", "u1", pending_stamp(time.time() - ORPHAN_GRACE_S - 60)))
    store.close()
    blobs = FileBlobStore(data / "blobs")
    blobs.put("originals/u1/orphan", b"half an upload", content_type="image/jpeg")
    proc, port = start_serve(cli_env(data), "--workers", "0")
    try:
        wait_for(lambda: not blobs.exists("originals/u1/orphan"), 60, "the maintenance pass at start")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    assert proc.returncode == 0
