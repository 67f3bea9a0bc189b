"""`cloudalbum serve` as a real process: it answers, stops cleanly on SIGTERM, and stops with a clear message
when its workers cannot load the model."""

from __future__ import annotations

import json
import signal
import urllib.request
from pathlib import Path

from embedded.helpers import cli_env, start_serve


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
