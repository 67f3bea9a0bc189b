"""The embedded queue under SIGKILL: a consumer killed mid-message loses nothing (the message comes back after
the visibility timeout) and a message whose consumers keep dying ends in the dead-letter queue."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from cloudalbum.adapters.embedded.queue import SqliteJobQueue

VT = 1

# A consumer that takes one message, says so, and then "works" on it until it is killed.
CONSUMER = """
import json, sys, time
from pathlib import Path
from cloudalbum.adapters.embedded.queue import SqliteJobQueue
q = SqliteJobQueue(Path(sys.argv[1]), visibility_timeout_s=int(sys.argv[2]), max_receives=int(sys.argv[3]))
msgs = []
while not msgs:
    msgs = q.receive(max_messages=1, wait_s=5)
print(json.dumps({"id": msgs[0].id, "count": msgs[0].receive_count}), flush=True)
time.sleep(600)
"""

# A producer that sends as fast as it can, reporting each id once the send returned (committed).
PRODUCER = """
import sys
from pathlib import Path
from cloudalbum.adapters.embedded.queue import SqliteJobQueue
q = SqliteJobQueue(Path(sys.argv[1]), visibility_timeout_s=30, max_receives=3)
i = 0
while True:
    print(q.send({"n": i}), flush=True)
    i += 1
"""


def consume_and_die(path: Path, max_receives: int, vt: int = VT) -> dict:
    """Start a consumer, wait until it holds a message, SIGKILL it; returns what it received."""
    proc = subprocess.Popen([sys.executable, "-c", CONSUMER, str(path), str(vt), str(max_receives)],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert line, "the consumer exited without receiving"
        return json.loads(line)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        proc.stdout.close()  # type: ignore[union-attr]


def test_message_of_a_killed_consumer_is_delivered_again(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    vt = 4  # long enough that "still invisible" below cannot race the expiry on a loaded machine
    q = SqliteJobQueue(path, visibility_timeout_s=vt, max_receives=5)
    mid = q.send({"photo_id": "p1"})
    got = consume_and_die(path, 5, vt)
    assert got == {"id": mid, "count": 1}
    assert q.receive(wait_s=0) == []  # still invisible: the dead consumer's claim holds until it expires
    time.sleep(vt + 0.5)
    [again] = q.receive(wait_s=3)
    assert (again.id, again.receive_count, again.body) == (mid, 2, {"photo_id": "p1"})
    q.delete(again.receipt_handle)
    assert q.depth().visible == q.depth().in_flight == 0
    q.close()


def test_message_whose_consumers_keep_dying_goes_to_the_dead_letter_queue(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    q = SqliteJobQueue(path, visibility_timeout_s=VT, max_receives=2)
    mid = q.send({"photo_id": "poison"})
    counts = []
    for _ in range(2):
        counts.append(consume_and_die(path, 2)["count"])
        time.sleep(VT + 0.5)
    assert counts == [1, 2]
    assert q.receive(wait_s=0.5) == []
    assert q.depth().dead == 1
    [dead] = q.receive_dead()
    assert (dead.id, dead.body) == (mid, {"photo_id": "poison"})
    q.close()


def test_producer_killed_mid_write_leaves_a_consistent_queue(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    SqliteJobQueue(path, visibility_timeout_s=30, max_receives=3).close()
    proc = subprocess.Popen([sys.executable, "-c", PRODUCER, str(path)], stdout=subprocess.PIPE, text=True)
    sent = []
    for line in proc.stdout:  # type: ignore[union-attr]
        sent.append(line.strip())
        if len(sent) == 200:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    sent += [line.strip() for line in proc.stdout.readlines() if line.strip()]  # type: ignore[union-attr]
    proc.stdout.close()  # type: ignore[union-attr]
    q = SqliteJobQueue(path, visibility_timeout_s=30, max_receives=3)
    assert q.db.read().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    received = set()
    while batch := q.receive(max_messages=10, wait_s=0):
        received |= {m.id for m in batch}
    assert set(sent) <= received  # every send that returned is there (one more may have committed unreported)
    assert len(received) - len(sent) <= 1
    q.close()
