"""The embedded shape end to end, as a user runs it: `cloudalbum serve` with a worker process, a real photo
uploaded over HTTP, processed in the background (EXIF, place, ONNX detection, thumbnails) and then findable."""

from __future__ import annotations

import signal
from pathlib import Path

import requests

from embedded.helpers import cli_env, start_serve, wait_for
from support import needs_corpus

TERMINAL = ("done", "needs_input", "failed")


def test_upload_is_processed_by_the_served_workers(tmp_path: Path) -> None:
    photo = needs_corpus() / "gps" / "DSCN0029.jpg"
    proc, port = start_serve(cli_env(tmp_path / "data"), "--workers", "1")
    base = f"http://127.0.0.1:{port}"
    try:
        creds = {"email": "e2e@example.com", "password": "correct horse battery"}
        assert requests.post(f"{base}/api/auth/register", json=creds, timeout=30).status_code == 201
        tokens = requests.post(f"{base}/api/auth/login", json=creds, timeout=30).json()
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        with open(photo, "rb") as f:
            r = requests.post(f"{base}/api/photos", files={"file": (photo.name, f, "image/jpeg")}, headers=auth,
                              timeout=60)
        assert r.status_code == 202, r.text
        pid = r.json()["id"]

        def processed() -> dict | None:
            body = requests.get(f"{base}/api/photos/{pid}", headers=auth, timeout=30).json()
            return body if body["status"] in TERMINAL else None

        body = wait_for(processed, 180, "the worker to process the photo", every=0.5)
        assert body["status"] in ("done", "needs_input"), body
        assert body["taken_at"].startswith("2008-10-22T16:46:53")
        assert body["location"] is not None
        assert body["labels"], "the detector found nothing in a street photo with cars"
        thumb = requests.get(f"{base}/api/photos/{pid}/thumbnail", headers=auth, timeout=30)
        assert thumb.status_code == 200 and thumb.content[:2] == b"\xff\xd8"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err[-3000:]
