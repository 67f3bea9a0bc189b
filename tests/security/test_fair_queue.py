"""Fair sharing of processing between users (issue 12): one account's big import must not starve another's
single upload.

* Embedded queue: user 1 queues many jobs, user 2 one; user 2's job goes out on the next receive, and the queue
  keeps serving the two in turn while both have work. The receive stays indexed at 50,000 messages (its query
  plans name an index, never a scan of the messages table).
* AWS: SQS fair queues do it when every message carries its owner as its MessageGroupId on a standard queue;
  the template's queue is a standard one (tests/deploy/test_template.py), and here the adapter is shown to send
  the owner as the group, which moto keeps and hands back.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from aws.conftest import moto_endpoint, moto_env  # noqa: F401 - fixtures of the AWS shape
from cloudalbum.adapters.embedded.queue import COLUMNS, SqliteJobQueue


def job(owner: str, n: int) -> dict[str, Any]:
    return {"type": "process_photo", "photo_id": f"{owner}-{n}", "owner_id": owner}


def queue_at(tmp_path: Path, **kw: Any) -> SqliteJobQueue:
    return SqliteJobQueue(tmp_path / "queue.sqlite3", visibility_timeout_s=kw.pop("vt", 60),
                          max_receives=kw.pop("max_receives", 4))


def test_a_quiet_users_job_goes_out_on_the_next_receive(tmp_path: Path) -> None:
    q = queue_at(tmp_path)
    for n in range(500):
        q.send(job("importer", n))
    first = q.receive(max_messages=1)
    assert [m.body["owner_id"] for m in first] == ["importer"]
    q.send(job("quiet", 0))
    [nxt] = q.receive(max_messages=1)
    assert nxt.body == job("quiet", 0) and nxt.attributes["MessageGroupId"] == "quiet"


def test_both_users_are_served_in_turn_and_each_in_order(tmp_path: Path) -> None:
    q = queue_at(tmp_path)
    for n in range(200):
        q.send(job("importer", n))
    for n in range(3):
        q.send(job("quiet", n))
    got = [m.body["photo_id"] for m in q.receive(max_messages=6)]
    assert got == ["importer-0", "quiet-0", "importer-1", "quiet-1", "importer-2", "quiet-2"]
    rest = [m.body["photo_id"] for m in q.receive(max_messages=10)]
    assert rest == [f"importer-{n}" for n in range(3, 13)]  # alone now: oldest first


def test_fair_order_keeps_sqs_semantics(tmp_path: Path) -> None:
    """A message not deleted comes back to its owner's turn with its receive count up, and moves to the
    dead-letter queue after max_receives; deleted ones never come back."""
    q = queue_at(tmp_path, vt=0, max_receives=2)
    q.send(job("a", 0))
    q.send(job("b", 0))
    seen: list[tuple[str, int]] = []
    for _ in range(6):
        for m in q.receive(max_messages=10):
            seen.append((m.body["owner_id"], m.receive_count))
            if m.body["owner_id"] == "b":
                q.delete(m.receipt_handle)
    assert sorted(seen) == [("a", 1), ("a", 2), ("b", 1)]
    assert q.depth().dead == 1
    [dead] = q.receive_dead()
    assert dead.body == job("a", 0)


def test_queue_files_from_before_fairness_are_upgraded(tmp_path: Path) -> None:
    """A queue file made before issue 12 (no group column): its messages keep flowing, grouped by owner."""
    import sqlite3

    path = tmp_path / "queue.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, queue TEXT NOT NULL,
            body TEXT NOT NULL, sent_at REAL NOT NULL, visible_at REAL NOT NULL,
            receive_count INTEGER NOT NULL DEFAULT 0, first_received_at REAL, receipt TEXT UNIQUE);
        CREATE INDEX messages_queue_visible ON messages (queue, visible_at, seq);
    """)
    for i, owner in enumerate(["importer"] * 5 + ["quiet"]):
        conn.execute("INSERT INTO messages (id, queue, body, sent_at, visible_at) VALUES (?, 'jobs', ?, ?, ?)",
                     (f"m{i}", json.dumps(job(owner, i)), i, i))
    conn.commit()
    conn.close()
    q = SqliteJobQueue(path, visibility_timeout_s=60, max_receives=4)
    assert [m.body["owner_id"] for m in q.receive(max_messages=2)] == ["importer", "quiet"]
    assert q.depth().visible == 4


def plans(q: SqliteJobQueue, sql: str, args: tuple[Any, ...]) -> str:
    return " | ".join(str(row[3]) for row in q.db.read().execute("EXPLAIN QUERY PLAN " + sql, args))


def test_receive_at_50000_messages_probes_indexes_only(tmp_path: Path) -> None:
    """50,000 messages of one owner and one of another: every query a fair receive runs is an index search
    (no 'SCAN messages'), and the quiet owner's message is the one delivered."""
    q = queue_at(tmp_path)
    now = time.time()
    with q.db.tx() as conn:
        conn.executemany(
            "INSERT INTO messages (id, queue, body, sent_at, visible_at, grp) VALUES (?, 'jobs', ?, ?, ?, ?)",
            ((f"m{i}", json.dumps(job("importer", i)), now, now, "importer") for i in range(50_000)))
        conn.execute("INSERT INTO queue_groups (queue, grp, served) VALUES ('jobs', 'importer', 7)")
    q.send(job("quiet", 0))
    queries = [
        ("SELECT grp FROM queue_groups WHERE queue = ? ORDER BY served, grp", ("jobs",)),
        ("SELECT COALESCE(MAX(served), 0) + 1 FROM queue_groups WHERE queue = ?", ("jobs",)),
        (f"SELECT {COLUMNS} FROM messages WHERE queue = ? AND grp = ? AND visible_at <= ?"
         " ORDER BY visible_at, seq LIMIT 1", ("jobs", "importer", now)),
        ("SELECT 1 FROM messages WHERE queue = ? AND grp = ? LIMIT 1", ("jobs", "quiet")),
        ("SELECT 1 FROM messages WHERE queue = ? AND visible_at <= ? LIMIT 1", ("jobs", now)),
        ("UPDATE messages SET queue = ?, receipt = NULL, visible_at = ? WHERE queue = ? AND visible_at <= ?"
         " AND receive_count >= ?", ("jobs-dlq", now, "jobs", now, 4)),  # the redrive: not every visible one
    ]
    for sql, args in queries:
        plan = plans(q, sql, args)
        assert "USING" in plan and "SCAN messages" not in plan and "TEMP B-TREE" not in plan, (sql, plan)
    assert "messages_queue_receives" in plans(q, *queries[-1])
    [m] = q.receive(max_messages=1)
    assert m.body["owner_id"] == "quiet"


def test_sqs_messages_carry_their_owner_as_message_group(moto_env: str, tmp_path: Path) -> None:
    """The adapter sends MessageGroupId = owner on the standard queue (what makes it an SQS fair queue);
    moto accepts it on a standard queue and returns it, and the adapter hands it to the handler."""
    from aws.conftest import unique_settings
    from cloudalbum.adapters.aws.init import init_aws
    from cloudalbum.adapters.aws.queue import SqsJobQueue

    settings = unique_settings(tmp_path)
    init_aws(settings, ("sqs",))
    q = SqsJobQueue.from_settings(settings)
    sent: list[dict[str, Any]] = []
    q.client.meta.events.register("provide-client-params.sqs.SendMessage",
                                  lambda params, **_: sent.append(dict(params)))
    try:
        attrs = q.client.get_queue_attributes(QueueUrl=q.queue_url, AttributeNames=["All"])["Attributes"]
        assert attrs.get("FifoQueue", "false") == "false"
        q.send(job("alice", 1))
        q.send({"type": "scan_faces", "owner_id": "bob"})
        assert [p.get("MessageGroupId") for p in sent] == ["alice", "bob"]
        got = {m.body["owner_id"]: m.attributes.get("MessageGroupId") for m in q.receive(max_messages=10, wait_s=1)}
        assert got == {"alice": "alice", "bob": "bob"}
    finally:
        q.close()


@pytest.mark.parametrize("owner", ["", None])
def test_a_job_without_an_owner_still_goes(tmp_path: Path, owner: Any) -> None:
    q = queue_at(tmp_path)
    body = {"type": "process_photo", "photo_id": "p"}
    if owner is not None:
        body["owner_id"] = owner
    q.send(body)
    [m] = q.receive()
    assert m.body == body and "MessageGroupId" not in m.attributes
