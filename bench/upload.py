"""Upload latency: POST /api/photos with a ~3 MB JPEG, one client, over real HTTP (waitress on loopback).

Baseline in the same run: the same 3 MB body POSTed to /api/health (answered 405 after waitress has read the
whole body), so the ratio shows what the upload path (multipart parsing, sniffing, the header and 1/8-scale
decode checks, the fsynced blob write, the SQLite record, the queue message) adds over moving the bytes.

    .venv/bin/python bench/upload.py [--n 200] [--rounds 3]

Prints median and p99 of each, and the ratio of medians. No processing workers run.
"""

from __future__ import annotations

import argparse
import io
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import requests
from PIL import Image
from waitress.server import create_server

from cloudalbum import bootstrap
from cloudalbum.config import Settings
from cloudalbum.entrypoints.api import create_app


def noisy_jpeg(width: int = 2500, height: int = 2000, target_mb: float = 3.0) -> bytes:
    """A photo-sized JPEG of about target_mb: smooth gradients plus noise, at the quality that gets closest."""
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([(x * 255 // width), (y * 255 // height), ((x + y) * 255 // (width + height))], axis=-1)
    noise = rng.normal(0, 18, size=(height, width, 3))
    img = Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8), "RGB")
    best = b""
    for quality in (60, 70, 75, 80, 85, 90, 95):
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality)
        best = buf.getvalue()
        if len(best) >= target_mb * 1e6:
            break
    return best


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(session: requests.Session, n: int, send) -> list[float]:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = send()
        times.append(time.perf_counter() - t0)
        if r.status_code not in (202, 405):
            raise SystemExit(f"unexpected answer {r.status_code}: {r.text[:200]}")
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="uploads per round")
    ap.add_argument("--rounds", type=int, default=3, help="rounds (baseline and upload alternate)")
    args = ap.parse_args()

    data = noisy_jpeg()
    tmp = Path(tempfile.mkdtemp(prefix="cloudalbum-bench-"))
    container = bootstrap.build(Settings(data_dir=tmp, workers=0))
    app = create_app(container)
    port = free_port()
    server = create_server(app, host="127.0.0.1", port=port, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{port}"

    s = requests.Session()
    s.post(f"{base}/api/auth/register", json={"email": "bench@example.com", "password": "bench password"})
    tok = s.post(f"{base}/api/auth/login", json={"email": "bench@example.com", "password": "bench password"}).json()
    s.headers["Authorization"] = f"Bearer {tok['access_token']}"

    def upload() -> requests.Response:
        return s.post(f"{base}/api/photos", files={"file": ("bench.jpg", data, "image/jpeg")})

    def baseline() -> requests.Response:
        return s.post(f"{base}/api/health", files={"file": ("bench.jpg", data, "image/jpeg")})

    measure(s, 5, upload)  # warm-up: imports, first SQLite pages, first directories
    measure(s, 5, baseline)
    ups: list[float] = []
    bases: list[float] = []
    per_round = -(-args.n // args.rounds)
    for _ in range(args.rounds):
        bases += measure(s, per_round, baseline)
        ups += measure(s, per_round, upload)
    s.close()
    container.close()  # the server thread is a daemon: it ends with the process
    shutil.rmtree(tmp, ignore_errors=True)

    med_u, med_b = statistics.median(ups), statistics.median(bases)
    print(f"JPEG {len(data) / 1e6:.2f} MB (2500x2000), {len(ups)} uploads, one client, waitress on loopback")
    print(f"baseline 3 MB POST /api/health (405): median {med_b * 1000:.1f} ms, "
          f"p99 {percentile(bases, 99) * 1000:.1f} ms")
    print(f"upload   POST /api/photos (202):      median {med_u * 1000:.1f} ms, "
          f"p99 {percentile(ups, 99) * 1000:.1f} ms")
    print(f"ratio upload/baseline (medians): {med_u / med_b:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
