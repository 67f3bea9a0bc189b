"""Shared SQLite plumbing for the embedded adapters: per-thread connections, transactions, migrations, cursors.

The API serves with waitress threads and the workers are separate processes on the same database file, so:
every thread gets its own connection (WAL, busy_timeout, foreign keys on); every write runs inside
`BEGIN IMMEDIATE` (the write lock is taken up front, so two writers never deadlock upgrading a read lock);
and migrations are applied under that same lock, once each, so two processes starting at once are safe.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ...domain.duplicates import near_enough
from ...domain.errors import Invalid, StorageUnavailable

BUSY_TIMEOUT_MS = 10_000
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (we issue BEGIN/COMMIT ourselves) with the project's pragmas."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    _retry_locked(lambda: conn.execute("PRAGMA journal_mode = WAL"))
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.create_function("dup_near", 2, near_enough, deterministic=True)  # the duplicate lookup's prefilter
    return conn


def _retry_locked(fn: Any, attempts: int = 50) -> Any:
    """Switching to WAL needs a moment of exclusive access; another process opening the file can hold it."""
    for i in range(attempts):
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or i == attempts - 1:
                raise
            time.sleep(0.05)


_STORAGE_CODES = {getattr(sqlite3, n, -1) for n in ("SQLITE_FULL", "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR",
                                                     "SQLITE_CANTOPEN", "SQLITE_READONLY")}


def is_storage_failure(exc: BaseException) -> bool:
    """A failure of the disk or of the lock (retryable, not a bug): full, busy, locked, I/O error."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _STORAGE_CODES
    text = str(exc)
    return any(word in text for word in ("full", "locked", "disk I/O", "readonly"))


def storage_error(exc: sqlite3.Error) -> StorageUnavailable:
    """Map SQLite's operational failures to the domain's retryable storage error."""
    text = str(exc)
    code = getattr(exc, "sqlite_errorcode", None)
    full = "full" in text or (code is not None and (code & 0xFF) == getattr(sqlite3, "SQLITE_FULL", -1))
    return StorageUnavailable(f"the metadata store could not take the write: {text}", insufficient_storage=full)


class SqliteDatabase:
    """One SQLite file shared by the repositories built on it: a connection per thread, transactions and
    migrations. The repositories hold it and open their reads and writes through it; none of them owns it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._conns: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._conns_lock = threading.Lock()
        self._pid = os.getpid()

    # --- connections ------------------------------------------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (a fresh one in a forked child: SQLite connections must not cross fork)."""
        if self._pid != os.getpid():
            self._local = threading.local()
            self._conns = []
            self._conns_lock = threading.Lock()
            self._pid = os.getpid()
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path)
            self._local.conn = conn
            with self._conns_lock:
                self._close_orphans()
                self._conns.append((threading.current_thread(), conn))
        return conn

    def _close_orphans(self) -> None:
        """Close the connections of threads that have ended (caller holds _conns_lock), so a process that
        starts many short threads does not keep a file descriptor per thread it ever had."""
        alive = []
        for thread, conn in self._conns:
            if thread.is_alive():
                alive.append((thread, conn))
            else:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
        self._conns = alive

    def read(self) -> sqlite3.Connection:
        """A connection for reads (autocommit: each statement sees the latest committed state)."""
        return self.connection()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE ... COMMIT, ROLLBACK on exception). Nested use becomes a
        savepoint, so a helper that opens its own transaction can run inside a caller's."""
        conn = self.connection()
        if conn.in_transaction:
            name = f"sp_{id(conn)}_{time.monotonic_ns()}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield conn
            except BaseException:
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
                raise
            conn.execute(f"RELEASE {name}")
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise storage_error(exc) from exc
        try:
            yield conn
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError) and is_storage_failure(exc):
                raise storage_error(exc) from exc
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise storage_error(exc) from exc

    def close(self) -> None:
        """Close every connection this object opened (in any thread)."""
        with self._conns_lock:
            conns, self._conns = self._conns, []
        for _, conn in conns:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        self._local = threading.local()

    # --- migrations -------------------------------------------------------------------------------------

    def migrate(self, directory: Path = MIGRATIONS_DIR) -> list[str]:
        """Apply the numbered .sql files of directory in order, each once, each in its own transaction.
        Returns the names applied now. Safe when several processes start at once: the check and the apply
        happen under the same write lock."""
        conn = self.connection()
        _retry_locked(lambda: conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"))
        applied: list[str] = []
        for name, sql in migration_files(directory):
            with self.tx() as tx:
                if tx.execute("SELECT 1 FROM schema_migrations WHERE name = ?", (name,)).fetchone():
                    continue
                for statement in split_sql(sql):
                    tx.execute(statement)
                tx.execute("INSERT INTO schema_migrations (name, applied_at)"
                           " VALUES (?, strftime('%Y-%m-%dT%H:%M:%SZ'))", (name,))
                applied.append(name)
        return applied


def migration_files(directory: Path = MIGRATIONS_DIR) -> list[tuple[str, str]]:
    """(name, sql) of every NNNN_*.sql file in directory, in numeric order."""
    found = []
    for entry in Path(directory).iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name.split("_", 1)[0]), name, entry.read_text(encoding="utf-8")))
    return [(name, sql) for _, name, sql in sorted(found)]


def split_sql(script: str) -> list[str]:
    """Split a script into complete statements (triggers with inner semicolons stay whole), because
    executescript() would commit our transaction."""
    statements, buf = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not buf.strip():
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip().strip(";").strip():
                statements.append(buf.strip())
            buf = ""
    if buf.strip():
        raise ValueError(f"incomplete SQL statement at the end of a migration: {buf[:80]!r}")
    return statements


# --- cursors ----------------------------------------------------------------------------------------------


def encode_cursor(values: list[Any]) -> str:
    """An opaque keyset cursor: base64url of the JSON list of the last item's sort values."""
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    """The values of a cursor made by encode_cursor. Invalid (422) when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise Invalid("the cursor is not valid", code="invalid_cursor") from exc
    if not isinstance(values, list) or len(values) != arity or not all(
            isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in values):
        raise Invalid("the cursor is not valid", code="invalid_cursor")
    return values


def keyset_after(cursor: str, key: str, ident: str, args: list[Any]) -> str:
    """The WHERE clause of the rows after a cursor in (key DESC, ident DESC) order; appends its arguments."""
    last_key, last_id = decode_cursor(cursor, 2)
    args += [str(last_key), str(last_key), str(last_id)]
    return f"({key} < ? OR ({key} = ? AND {ident} < ?))"
