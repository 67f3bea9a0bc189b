"""SQLite per-user limits (the LimitStore port; tables in 0140_limits.sql).

Each check and its write run in one BEGIN IMMEDIATE transaction, so two API processes never both pass a check
that only one of them should (SQLite serialises writers).
"""

from __future__ import annotations

from ...domain.model import new_id
from ...ports import RESERVATION_TTL_S, FaceScan
from .database import SqliteDatabase


class SqliteLimitStore:
    """The LimitStore port: byte reservations, rate windows and face scan claims."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def reserve_bytes(self, owner_id: str, nbytes: int, *, limit: int, now: float) -> str | None:
        with self._db.tx() as conn:
            conn.execute("DELETE FROM byte_reservations WHERE owner_id = ? AND expires_at <= ?", (owner_id, now))
            (stored,) = conn.execute("SELECT COALESCE(SUM(bytes), 0) FROM photos WHERE owner_id = ?",
                                     (owner_id,)).fetchone()
            (held,) = conn.execute("SELECT COALESCE(SUM(bytes), 0) FROM byte_reservations WHERE owner_id = ?",
                                   (owner_id,)).fetchone()
            if int(stored) + int(held) + nbytes > limit:
                return None
            reservation_id = new_id()
            conn.execute("INSERT INTO byte_reservations (id, owner_id, bytes, expires_at) VALUES (?, ?, ?, ?)",
                         (reservation_id, owner_id, nbytes, now + RESERVATION_TTL_S))
        return reservation_id

    def release_bytes(self, owner_id: str, reservation_id: str) -> None:
        with self._db.tx() as conn:
            conn.execute("DELETE FROM byte_reservations WHERE id = ? AND owner_id = ?", (reservation_id, owner_id))

    def take_slot(self, key: str, *, limit: int, window_s: int, now: float) -> float:
        """A sliding window over the hits table (the login throttle's): exact."""
        with self._db.tx() as conn:
            conn.execute("DELETE FROM hits WHERE key = ? AND at <= ?", (key, now - window_s))
            count, oldest = conn.execute("SELECT COUNT(*), MIN(at) FROM hits WHERE key = ?", (key,)).fetchone()
            if int(count) >= limit:
                return max(1.0, float(oldest) + window_s - now)
            conn.execute("INSERT INTO hits (key, at) VALUES (?, ?)", (key, now))
        return 0.0

    def claim_face_scan(self, owner_id: str, scan_id: str, *, now: float, stale_after_s: float) -> bool:
        with self._db.tx() as conn:
            cur = conn.execute(
                "INSERT INTO face_scans (owner_id, scan_id, at, done) VALUES (?, ?, ?, 0) ON CONFLICT (owner_id)"
                " DO UPDATE SET scan_id = excluded.scan_id, at = excluded.at, done = 0"
                " WHERE face_scans.done = 1 OR face_scans.at <= ?", (owner_id, scan_id, now, now - stale_after_s))
            return cur.rowcount == 1

    def face_scan(self, owner_id: str) -> FaceScan | None:
        row = self._db.read().execute(
            "SELECT scan_id, at, done FROM face_scans WHERE owner_id = ?", (owner_id,)).fetchone()
        return FaceScan(row["scan_id"], float(row["at"]), bool(row["done"])) if row else None

    def touch_face_scan(self, owner_id: str, scan_id: str, *, now: float, done: bool = False) -> bool:
        with self._db.tx() as conn:
            cur = conn.execute("UPDATE face_scans SET at = ?, done = ? WHERE owner_id = ? AND scan_id = ?",
                               (now, int(done), owner_id, scan_id))
            return cur.rowcount == 1

    def clear_face_scan(self, owner_id: str) -> None:
        with self._db.tx() as conn:
            conn.execute("DELETE FROM face_scans WHERE owner_id = ?", (owner_id,))

    def forget_slots(self, key: str) -> None:
        with self._db.tx() as conn:
            conn.execute("DELETE FROM hits WHERE key = ?", (key,))

    def trash_count(self, owner_id: str) -> int:
        (count,) = self._db.read().execute(  # the partial index photos_owner_trash: trashed photos only
            "SELECT COUNT(*) FROM photos WHERE owner_id = ? AND trashed_at IS NOT NULL", (owner_id,)).fetchone()
        return int(count)
