"""What the account limits of issue 12 cost and save (docs/reliability.md quotes the output).

1. Argon2id per parameter set: median time of one hash (5 runs) and the peak RSS of a process doing 8
   concurrent sign-ins (8 = the waitress threads) with the semaphore at 2 (the default) and at 8 (as if there
   were none). Peak RSS is a count of pages, not a timing: it is the figure that decides the 2 GB budget.
2. Oversized bodies against a real waitress with our app: a 2 GB declared body and a 900 MB body actually
   streamed; the time to the refusal and the bytes the client got to send first, with today's limit
   (max_upload_bytes + 1 MB) and with waitress's default (1 GiB, as before issue 12) in the same run.

    .venv/bin/python bench/account_limits.py [--body-mb 900]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from waitress.server import create_server

from cloudalbum import bootstrap
from cloudalbum.config import Settings
from cloudalbum.entrypoints.api import create_app
from cloudalbum.entrypoints.server import waitress_options

PARAMS = {"RFC 9106 #2 (default)": (65536, 3, 4), "OWASP minimum": (19456, 2, 1)}

CHILD = """
import resource, sys, threading
from argon2 import PasswordHasher
from cloudalbum.config import Settings
from cloudalbum.services.auth import AuthService
m, t, p, slots, n = map(int, sys.argv[1:6])
auth = AuthService(None, Settings(argon2_memory_kib=m, argon2_time_cost=t, argon2_parallelism=p,
                                  argon2_concurrency=slots))
lock, active, peak = threading.Lock(), [0], [0]
class Counting(PasswordHasher):
    def hash(self, password, **kw):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        try:
            return super().hash(password, **kw)
        finally:
            with lock:
                active[0] -= 1
auth.hasher = Counting(time_cost=t, memory_cost=m, parallelism=p)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
threads = [threading.Thread(target=auth._hash, args=("correct horse battery",)) for _ in range(n)]
[th.start() for th in threads]; [th.join() for th in threads]
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) // 1024, peak[0])
"""


def argon2_figures() -> None:
    from argon2 import PasswordHasher

    for name, (m, t, p) in PARAMS.items():
        hasher = PasswordHasher(time_cost=t, memory_cost=m, parallelism=p)
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            hasher.hash("correct horse battery")
            runs.append(time.perf_counter() - started)
        peaks = {}
        for slots in (2, 8):
            out = subprocess.run([sys.executable, "-c", CHILD, str(m), str(t), str(p), str(slots), "8"],
                                 capture_output=True, text=True, check=True).stdout
            peaks[slots] = tuple(int(v) for v in out.split())
        print(f"argon2id m={m // 1024} MiB t={t} p={p} ({name}): {statistics.median(runs) * 1000:.0f} ms a hash; "
              f"8 concurrent sign-ins: semaphore 2 -> +{peaks[2][0]} MiB peak RSS ({peaks[2][1]} hashes at once), "
              f"semaphore 8 -> +{peaks[8][0]} MiB ({peaks[8][1]} at once)")


def refuse(port: int, declared: int, send: int) -> tuple[float, int, bytes]:
    """Declare `declared` bytes, stream up to `send`; the time to the status line and the bytes sent."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=120)
    sock.sendall(f"POST /api/photos HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                 f"Content-Length: {declared}\r\n\r\n".encode())
    answer: list[bytes] = []
    done = threading.Event()

    def read() -> None:
        try:
            answer.append(sock.recv(200))
        except OSError:
            answer.append(b"")
        done.set()

    started = time.perf_counter()
    threading.Thread(target=read, daemon=True).start()
    chunk, sent = b"x" * (1 << 20), 0
    try:
        while sent < send and not done.is_set():
            sock.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass
    done.wait(120)
    took = time.perf_counter() - started
    sock.close()
    return took, sent, (answer[0].split(b"\r\n", 1)[0] if answer else b"")


def body_figures(body_mb: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), workers=0)
        container = bootstrap.build(settings)
        app = create_app(container)
        for label, options in (("max_upload_bytes + 1 MB", waitress_options(settings)),
                               ("waitress default 1 GiB (before)", {**waitress_options(settings),
                                                                    "max_request_body_size": 1 << 30})):
            server = create_server(app, host="127.0.0.1", port=0, **options)
            threading.Thread(target=server.run, daemon=True).start()
            port = server.effective_port
            for declared, send in ((2 << 30, 2 << 30), (body_mb << 20, body_mb << 20)):
                took, sent, status = refuse(port, declared, send)
                print(f"{label}: {declared / 1e6:.0f} MB declared -> {status.decode(errors='replace')!r} after "
                      f"{took * 1000:.0f} ms, {sent / 1e6:.0f} MB sent first")
            server.close()
        container.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--body-mb", type=int, default=900)
    parser.add_argument("--only", choices=("argon2", "bodies"))
    args = parser.parse_args()
    if args.only != "bodies":
        argon2_figures()
    if args.only != "argon2":
        body_figures(args.body_mb)


if __name__ == "__main__":
    main()
