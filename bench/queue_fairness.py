"""Fair queue benchmark (issue 12): what a receive of the embedded queue costs as one owner's backlog grows,
and how soon a quiet owner's job goes out.

    .venv/bin/python bench/queue_fairness.py [--runs 5] [--sizes 1000,50000]

For each backlog size N, one owner ("importer") has N queued jobs and another ("quiet") sends one; then
--runs times: 20 receive+delete cycles of one message (a worker's batch of one). Reported: the median time of
one cycle, its ratio to the smallest size's (the baseline, measured in the same run), and at which receive the
quiet owner's job came out (1 = the very next one).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from cloudalbum.adapters.embedded.queue import SqliteJobQueue

CYCLES = 20


def backlog(path: Path, n: int) -> SqliteJobQueue:
    q = SqliteJobQueue(path, visibility_timeout_s=600, max_receives=4)
    now = time.time()
    with q.db.tx() as conn:  # a fast fill: the same rows send() writes
        conn.executemany(
            "INSERT INTO messages (id, queue, body, sent_at, visible_at, grp) VALUES (?, 'jobs', ?, ?, ?, 'importer')",
            ((f"m{i}", json.dumps({"type": "process_photo", "photo_id": f"p{i}", "owner_id": "importer"}), now, now)
             for i in range(n)))
        conn.execute("INSERT OR IGNORE INTO queue_groups (queue, grp, served) VALUES ('jobs', 'importer', 1)")
    return q


def quiet_position(q: SqliteJobQueue) -> int:
    q.send({"type": "process_photo", "photo_id": "quiet-1", "owner_id": "quiet"})
    for i in range(1, 1000):
        [m] = q.receive(max_messages=1)
        q.delete(m.receipt_handle)
        if m.body["owner_id"] == "quiet":
            return i
    return -1


def cycle_s(q: SqliteJobQueue) -> float:
    t0 = time.perf_counter()
    for _ in range(CYCLES):
        [m] = q.receive(max_messages=1)
        q.delete(m.receipt_handle)
    return (time.perf_counter() - t0) / CYCLES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1000,50000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            q = backlog(Path(tmp) / f"q{n}.sqlite3", n)
            position = quiet_position(q)
            median = statistics.median(cycle_s(q) for _ in range(args.runs))
            rows.append((n, median, position))
            q.close()
    base = rows[0][1]
    print("| importer's backlog | receive + delete (median) | ratio | quiet owner's job came out at receive |")
    print("|---|---|---|---|")
    for n, median, position in rows:
        print(f"| {n:,} | {median * 1000:.2f} ms | {median / base:.2f} | {position} |")


if __name__ == "__main__":
    main()
