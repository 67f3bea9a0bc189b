"""Schemathesis (v4, its `st` CLI) against the real served API, authenticated, every phase it has (examples,
coverage, fuzzing, stateful via the OpenAPI links): no 5xx anywhere, every response conforms to the documented
schema and content type, and the server logged no unhandled error.

Default run: a few minutes at most (--max-examples small, a --max-time budget). CLOUDALBUM_LONG=1 runs the long
variant (many more examples). The strictest checks (`-c all`: positive/negative data acceptance, undocumented
status codes) are in docs/reliability.md with what they find; they are conformance nits, not failures here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import requests

from reliability.helpers import serve
from support import make_jpeg, needs

ST = Path(sys.executable).parent / "st"
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"


def fuzz(tmp_path: Path, *, max_examples: int, max_time: int) -> None:
    needs(ST.exists(), "schemathesis's `st` command", "pip install 'schemathesis>=4' (it is in .[dev])")
    import subprocess

    log = tmp_path / "serve.log"
    proc, base = serve(tmp_path / "data", log, access_ttl_s=86400)
    try:
        creds = {"email": "fuzz@example.com", "password": "correct horse battery"}
        assert requests.post(f"{base}/api/auth/register", json=creds, timeout=30).status_code == 201
        token = requests.post(f"{base}/api/auth/login", json=creds, timeout=30).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        # Some data for the stateful phase and the id routes to find.
        album = requests.post(f"{base}/api/albums", json={"name": "fuzz"}, headers=auth, timeout=30).json()["id"]
        for i in range(3):
            r = requests.post(f"{base}/api/photos", files={"file": (f"f{i}.jpg", make_jpeg(64, 48))},
                              data={"album_id": album}, headers=auth, timeout=30)
            assert r.status_code == 202, r.text
        cmd = [str(ST), "run", f"{base}/api/openapi.json", "-H", f"Authorization: Bearer {token}", "-c", CHECKS,
               "-n", str(max_examples), "--max-time", str(max_time), "--exclude-path", "/api/auth/logout",
               "--seed", "8", "--request-timeout", "30", "--no-color",
               "--report", "junit", "--report-junit-path", str(tmp_path / "schemathesis-junit.xml")]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=max_time + 240)
    finally:
        proc.stop()
    text = out.stdout + out.stderr
    assert out.returncode == 0, text[-8000:]
    assert "passed" in text and "unhandled error" not in log.read_text(), log.read_text()[-4000:]


def test_schemathesis_finds_no_5xx_and_no_schema_mismatch(tmp_path: Path) -> None:
    fuzz(tmp_path, max_examples=8, max_time=60)


@pytest.mark.slow
def test_schemathesis_long(tmp_path: Path) -> None:
    fuzz(tmp_path, max_examples=300, max_time=1800)
