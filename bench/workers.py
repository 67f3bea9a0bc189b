"""Ingest throughput of the embedded shape: photos processed per second by the durable SQLite queue and local
workers (EXIF, place, ONNX detection, thumbnails, index), and the queue's own cost per message.

Each run starts from a fresh data directory, uploads the photos through PhotoService (untimed), then times
only the draining of the queue. Modes:

* inline   : one worker loop in this process (the baseline of the ratios)
* procs-K  : K worker processes, as `cloudalbum serve --workers K` runs them (model load is excluded: the
             clock starts when every worker has loaded it)
* queue    : send + receive + delete of M messages with an empty handler (the queue's overhead alone)

Figures are medians of --runs runs, with the ratio to the inline baseline measured in the same run.
Usage: python bench/workers.py [--photos 24] [--runs 3] [--procs 1,2] [--json]
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = Path(os.environ.get("CLOUDALBUM_PHOTOS", ROOT.parent / "shared" / "photos"))
QUEUE_MESSAGES = 500


def corpus(n: int) -> list[tuple[str, bytes]]:
    """n photos: the real corpus (gps/ and objects/) cycled, or generated JPEGs when it is absent."""
    files = sorted(p for d in ("gps", "objects") for p in (PHOTOS / d).glob("*") if p.is_file())
    if files:
        return [(files[i % len(files)].name, files[i % len(files)].read_bytes()) for i in range(n)]
    from PIL import Image

    out = []
    for i in range(n):
        buf = io.BytesIO()
        Image.effect_noise((1600, 1200), 40 + i).convert("RGB").save(buf, "JPEG", quality=85)
        out.append((f"noise{i}.jpg", buf.getvalue()))
    return out


def settings_for(data_dir: Path) -> Any:
    from cloudalbum.config import Settings

    return Settings(data_dir=data_dir, workers=0, visibility_timeout_s=300)


def prepare(data_dir: Path, photos: list[tuple[str, bytes]]) -> None:
    """A user with every photo uploaded and queued for processing."""
    from cloudalbum import bootstrap

    c = bootstrap.build(settings_for(data_dir))
    user = c.auth.register("bench@example.com", "correct horse battery")
    for name, data in photos:
        c.photos.upload(user.id, io.BytesIO(data), name)
    c.close()


def drain(container: Any) -> int:
    """Run the worker loop until the queue is empty. Returns messages acknowledged."""
    from cloudalbum.entrypoints.worker import run_worker

    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.2):
            d = container.queue.depth()
            if d.visible == 0 and d.in_flight == 0:
                stop.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    acked = run_worker(container, stop_event=stop)
    watcher.join()
    return acked


def _proc_worker(data_dir: str, ready: Any, go: Any) -> None:
    from cloudalbum import bootstrap

    c = bootstrap.build(settings_for(Path(data_dir)))
    _ = c.detector  # load the model before the clock starts
    ready.release()
    go.wait()
    drain(c)
    c.close()


def run_inline(data_dir: Path) -> float:
    from cloudalbum import bootstrap

    c = bootstrap.build(settings_for(data_dir))
    _ = c.detector  # likewise
    start = time.perf_counter()
    drain(c)
    elapsed = time.perf_counter() - start
    c.close()
    return elapsed


def run_procs(data_dir: Path, k: int) -> float:
    ctx = multiprocessing.get_context("spawn")
    ready, go = ctx.Semaphore(0), ctx.Event()
    procs = [ctx.Process(target=_proc_worker, args=(str(data_dir), ready, go)) for _ in range(k)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.acquire()
    start = time.perf_counter()
    go.set()
    for p in procs:
        p.join()
    return time.perf_counter() - start


def run_queue(data_dir: Path) -> float:
    """Seconds for QUEUE_MESSAGES messages through send, receive (batches of 10) and delete."""
    from cloudalbum.adapters.embedded.queue import SqliteJobQueue

    q = SqliteJobQueue(data_dir / "bench-queue.sqlite3", visibility_timeout_s=60, max_receives=3)
    start = time.perf_counter()
    for i in range(QUEUE_MESSAGES):
        q.send({"type": "process_photo", "photo_id": f"p{i}", "owner_id": "u"})
    while batch := q.receive(max_messages=10):
        for m in batch:
            q.delete(m.receipt_handle)
    elapsed = time.perf_counter() - start
    q.close()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--photos", type=int, default=24)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--procs", default=",".join(str(k) for k in sorted({1, os.cpu_count() or 1})))
    ap.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = ap.parse_args(argv)
    photos = corpus(args.photos)
    modes = ["inline"] + [f"procs-{k}" for k in (int(x) for x in args.procs.split(",") if x)]
    times: dict[str, list[float]] = {m: [] for m in modes + ["queue"]}
    for run in range(args.runs):
        for mode in modes:
            with tempfile.TemporaryDirectory(prefix="cloudalbum-bench-") as tmp:
                data_dir = Path(tmp)
                prepare(data_dir, photos)
                times[mode].append(run_inline(data_dir) if mode == "inline"
                                   else run_procs(data_dir, int(mode.split("-")[1])))
        with tempfile.TemporaryDirectory(prefix="cloudalbum-bench-") as tmp:
            times["queue"].append(run_queue(Path(tmp)))
        print(f"run {run + 1}/{args.runs}: " + ", ".join(f"{m} {t[-1]:.2f} s" for m, t in times.items()),
              file=sys.stderr)
    base = statistics.median(times["inline"])
    results: dict[str, Any] = {"photos": len(photos), "runs": args.runs, "cpus": os.cpu_count(), "modes": {}}
    print(f"ingest of {len(photos)} photos, median of {args.runs} runs ({os.cpu_count()} CPUs)")
    print(f"{'mode':<10} {'median s':>9} {'photos/s':>9} {'speed vs inline':>16}")
    for mode in modes:
        med = statistics.median(times[mode])
        results["modes"][mode] = {"median_s": med, "photos_per_s": len(photos) / med, "speedup": base / med}
        print(f"{mode:<10} {med:>9.2f} {len(photos) / med:>9.2f} {base / med:>15.2f}x")
    qmed = statistics.median(times["queue"])
    per_msg_ms = qmed / QUEUE_MESSAGES * 1000
    per_photo_ms = base / len(photos) * 1000
    results["queue"] = {"messages": QUEUE_MESSAGES, "median_s": qmed, "ms_per_message": per_msg_ms,
                        "share_of_inline_photo": per_msg_ms / per_photo_ms}
    print(f"queue: {QUEUE_MESSAGES} messages sent, received and deleted in {qmed:.2f} s "
          f"({per_msg_ms:.2f} ms each = {100 * per_msg_ms / per_photo_ms:.1f}% of an inline photo's time)")
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
