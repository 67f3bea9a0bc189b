"""JobQueue on SQLite (the embedded shape), keeping SQS's promises across processes.

* A received message is invisible for the visibility timeout and carries a fresh receipt handle; deleting or
  changing visibility with an older handle does nothing (it was received again since).
* A message not deleted in time comes back (at-least-once); its receive count goes up on every receive.
* A message received max_receives times and still not deleted moves to the dead-letter queue when its
  visibility expires, checked at the next receive (as SQS's redrive does).
* The claim runs inside BEGIN IMMEDIATE, so two consumers (threads or processes) never get the same message
  while it is invisible. Long polls are short sleeps between claims.
* Fair between owners (issue 12), as Amazon SQS fair queues are between message groups: each message belongs to
  its job's owner (ports.message_group), and a receive serves the owner served least recently first, one
  message per owner per round, oldest first within an owner. One account's 50,000-photo import cannot starve
  another's single upload: that upload goes out on the next receive. Each owner costs one indexed probe per
  receive (queue_groups lists the owners with messages, in the order they were last served), never a scan of
  the queue.

The dead-letter queue is the same table under the name "<name>-dlq"; several queues may share one file.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from pathlib import Path
from typing import Any

from ...domain.model import new_id
from ...ports import Message, QueueDepth, message_group
from .database import SqliteDatabase

POLL_INTERVAL_S = 0.1
DEAD_SUFFIX = "-dlq"
COLUMNS = "seq, id, body, sent_at, receive_count, first_received_at, grp"

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,
    queue         TEXT NOT NULL,
    body          TEXT NOT NULL,
    sent_at       REAL NOT NULL,
    visible_at    REAL NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    first_received_at REAL,
    receipt       TEXT UNIQUE
);
CREATE INDEX IF NOT EXISTS messages_queue_visible ON messages (queue, visible_at, seq);
-- the redrive looks only at messages received max_receives times, not at every visible one
CREATE INDEX IF NOT EXISTS messages_queue_receives ON messages (queue, receive_count, visible_at);
CREATE TABLE IF NOT EXISTS queue_groups (
    queue  TEXT NOT NULL,
    grp    TEXT NOT NULL,
    served INTEGER NOT NULL DEFAULT 0,  -- the round in which the group was last served (0: never)
    PRIMARY KEY (queue, grp)
);
CREATE INDEX IF NOT EXISTS queue_groups_served ON queue_groups (queue, served, grp);
"""
# Added by issue 12 to files made before it: each message's group, and the index a fair receive probes.
GROUP_COLUMN = "ALTER TABLE messages ADD COLUMN grp TEXT NOT NULL DEFAULT ''"
GROUP_BACKFILL = [
    "UPDATE messages SET grp = COALESCE(json_extract(body, '$.owner_id'), '')",
    "INSERT OR IGNORE INTO queue_groups (queue, grp, served) SELECT DISTINCT queue, grp, 0 FROM messages",
]
GROUP_INDEX = "CREATE INDEX IF NOT EXISTS messages_queue_group ON messages (queue, grp, visible_at, seq)"


class SqliteJobQueue:
    """A durable queue with SQS semantics in its own SQLite file."""

    def __init__(self, path: Path, *, visibility_timeout_s: int, max_receives: int, name: str = "jobs") -> None:
        if max_receives < 1:
            raise ValueError("max_receives must be at least 1")
        self.db = SqliteDatabase(path)
        self.name = name
        self.dead_name = name + DEAD_SUFFIX
        self.visibility_timeout_s = visibility_timeout_s
        self.max_receives = max_receives
        with self.db.tx() as conn:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            if "grp" not in {row[1] for row in conn.execute("PRAGMA table_info(messages)")}:
                conn.execute(GROUP_COLUMN)
                for statement in GROUP_BACKFILL:
                    conn.execute(statement)
            conn.execute(GROUP_INDEX)

    # --- producer ---------------------------------------------------------------------------------------

    def send(self, body: dict[str, Any], *, delay_s: int = 0) -> str:
        message_id = new_id()
        now = time.time()
        group = message_group(body)
        with self.db.tx() as conn:
            conn.execute("INSERT INTO messages (id, queue, body, sent_at, visible_at, grp) VALUES (?, ?, ?, ?, ?, ?)",
                         (message_id, self.name, json.dumps(body), now, now + max(0, delay_s), group))
            conn.execute("INSERT OR IGNORE INTO queue_groups (queue, grp, served) VALUES (?, ?, 0)",
                         (self.name, group))
        return message_id

    # --- consumer ---------------------------------------------------------------------------------------

    def receive(self, *, max_messages: int = 10, wait_s: float = 0.0,
                visibility_timeout_s: int | None = None) -> list[Message]:
        timeout = self.visibility_timeout_s if visibility_timeout_s is None else visibility_timeout_s
        deadline = time.monotonic() + max(0.0, wait_s)
        while True:
            messages = self._claim(self.name, max_messages, timeout, redrive=True)
            if messages or time.monotonic() >= deadline:
                return messages
            time.sleep(min(POLL_INTERVAL_S, max(0.0, deadline - time.monotonic())))

    def _claim(self, queue: str, max_messages: int, timeout_s: float, *, redrive: bool) -> list[Message]:
        """Take up to max_messages visible messages of queue under the write lock. An idle poll only reads
        (WAL readers never wait), so idle workers do not contend with writers for the lock."""
        now = time.time()
        if self.db.read().execute("SELECT 1 FROM messages WHERE queue = ? AND visible_at <= ? LIMIT 1",
                                   (queue, now)).fetchone() is None:
            return []
        limit = max(1, min(max_messages, 10))
        with self.db.tx() as conn:
            if redrive:
                self._redrive(conn, now)
            if queue == self.name:
                rows = self._fair_rows(conn, now, limit)
            else:  # the dead-letter queue: oldest first (an operator drains it)
                rows = conn.execute(
                    f"SELECT {COLUMNS} FROM messages WHERE queue = ? AND visible_at <= ? ORDER BY visible_at, seq"
                    " LIMIT ?", (queue, now, limit)).fetchall()
            messages = []
            for row in rows:
                receipt = f"{row['id']}.{secrets.token_urlsafe(12)}"
                count = row["receive_count"] + 1
                first = row["first_received_at"] or now
                conn.execute(
                    "UPDATE messages SET receipt = ?, receive_count = ?, visible_at = ?, first_received_at = ?"
                    " WHERE seq = ?", (receipt, count, now + timeout_s, first, row["seq"]))
                messages.append(Message(id=row["id"], receipt_handle=receipt, body=json.loads(row["body"]),
                                        receive_count=count))
                _set_attributes(messages[-1], row["sent_at"], first, count, row["grp"])
        return messages

    def _fair_rows(self, conn: sqlite3.Connection, now: float, limit: int) -> list[sqlite3.Row]:
        """Up to limit visible messages, round-robin over the groups from the one served least recently: one
        message per group per round. A group without any message left is dropped from queue_groups; one whose
        messages are all in flight or delayed costs a probe and is skipped."""
        (round_no,) = conn.execute("SELECT COALESCE(MAX(served), 0) + 1 FROM queue_groups WHERE queue = ?",
                                   (self.name,)).fetchone()
        rows: list[sqlite3.Row] = []
        taken: set[int] = set()
        while len(rows) < limit:
            progress = False
            groups = [g for (g,) in conn.execute("SELECT grp FROM queue_groups WHERE queue = ? ORDER BY served, grp",
                                                 (self.name,))]
            for group in groups:
                row = self._next_of(conn, group, now, taken)
                if row is None:
                    if conn.execute("SELECT 1 FROM messages WHERE queue = ? AND grp = ? LIMIT 1",
                                    (self.name, group)).fetchone() is None:
                        conn.execute("DELETE FROM queue_groups WHERE queue = ? AND grp = ?", (self.name, group))
                    continue
                rows.append(row)
                taken.add(row["seq"])
                conn.execute("UPDATE queue_groups SET served = ? WHERE queue = ? AND grp = ?",
                             (round_no, self.name, group))
                round_no += 1
                progress = True
                if len(rows) == limit:
                    break
            if not progress:
                break
        return rows

    def _next_of(self, conn: sqlite3.Connection, group: str, now: float, taken: set[int]) -> sqlite3.Row | None:
        """The oldest visible message of one group not already taken by this receive (whose rows are claimed
        only after the rounds): one index probe on messages_queue_group."""
        for row in conn.execute(
                f"SELECT {COLUMNS} FROM messages WHERE queue = ? AND grp = ? AND visible_at <= ?"
                " ORDER BY visible_at, seq LIMIT ?", (self.name, group, now, len(taken) + 1)):
            if row["seq"] not in taken:
                return row
        return None

    def _redrive(self, conn: sqlite3.Connection, now: float) -> None:
        """Move messages whose visibility expired after their last allowed receive to the dead-letter queue."""
        conn.execute(
            "UPDATE messages SET queue = ?, receipt = NULL, visible_at = ? "
            "WHERE queue = ? AND visible_at <= ? AND receive_count >= ?",
            (self.dead_name, now, self.name, now, self.max_receives))

    def delete(self, receipt_handle: str) -> None:
        self._delete(self.name, receipt_handle)

    def _delete(self, queue: str, receipt_handle: str) -> None:
        with self.db.tx() as conn:
            conn.execute("DELETE FROM messages WHERE receipt = ? AND queue = ?", (receipt_handle, queue))

    def change_visibility(self, receipt_handle: str, timeout_s: int) -> None:
        with self.db.tx() as conn:
            conn.execute("UPDATE messages SET visible_at = ? WHERE receipt = ? AND queue = ?",
                         (time.time() + max(0, timeout_s), receipt_handle, self.name))

    # --- operations -------------------------------------------------------------------------------------

    def depth(self) -> QueueDepth:
        """Visible (ready now), in flight (received, not yet deleted or expired) and dead messages; a message
        that the next receive would move to the dead-letter queue counts as dead already. Delayed messages not
        yet visible count in none of them. Reads only: monitoring never takes the write lock."""
        now = time.time()
        row = self.db.read().execute(
            "SELECT COALESCE(SUM(queue = :q AND visible_at <= :now AND receive_count < :max), 0),"
            " COALESCE(SUM(queue = :q AND visible_at > :now AND receipt IS NOT NULL), 0),"
            " COALESCE(SUM(queue = :dead OR (visible_at <= :now AND receive_count >= :max)), 0)"
            " FROM messages WHERE queue IN (:q, :dead)",
            {"q": self.name, "dead": self.dead_name, "now": now, "max": self.max_receives}).fetchone()
        return QueueDepth(visible=int(row[0]), in_flight=int(row[1]), dead=int(row[2]))

    def receive_dead(self, *, max_messages: int = 10) -> list[Message]:
        """Messages of the dead-letter queue, each invisible for the visibility timeout once received."""
        now = time.time()
        with self.db.tx() as conn:
            self._redrive(conn, now)
        return self._claim(self.dead_name, max_messages, self.visibility_timeout_s, redrive=False)

    def delete_dead(self, receipt_handle: str) -> None:
        self._delete(self.dead_name, receipt_handle)

    def redrive_dead(self) -> int:
        """Move every dead-letter message back to the queue with a fresh receive count (operator action)."""
        with self.db.tx() as conn:
            cur = conn.execute(
                "UPDATE messages SET queue = ?, receipt = NULL, receive_count = 0, first_received_at = NULL,"
                " visible_at = ? WHERE queue = ?", (self.name, time.time(), self.dead_name))
            conn.execute("INSERT OR IGNORE INTO queue_groups (queue, grp, served) SELECT DISTINCT queue, grp, 0"
                         " FROM messages WHERE queue = ?", (self.name,))
            return cur.rowcount

    def close(self) -> None:
        """Close every connection the queue opened (in any thread)."""
        self.db.close()

    def purge(self) -> None:
        with self.db.tx() as conn:
            conn.execute("DELETE FROM messages WHERE queue IN (?, ?)", (self.name, self.dead_name))
            conn.execute("DELETE FROM queue_groups WHERE queue = ?", (self.name,))


def _set_attributes(message: Message, sent_at: float, first_received_at: float, count: int, group: str) -> None:
    """SQS's system attributes (milliseconds since the epoch, as strings)."""
    message.attributes.update({
        "SentTimestamp": str(int(sent_at * 1000)),
        "ApproximateFirstReceiveTimestamp": str(int(first_received_at * 1000)),
        "ApproximateReceiveCount": str(count),
    })
    if group:
        message.attributes["MessageGroupId"] = group
