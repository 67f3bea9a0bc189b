"""SQLite trips (issue 16 item 5; tables in 0260_trips.sql): the TripStore port."""

from __future__ import annotations

import json
import sqlite3

from ...domain.model import Page
from ...domain.trips import Trip
from .database import SqliteDatabase, decode_cursor, encode_cursor
from .photo_rows import photo_of

_COLUMNS = ("id, owner_id, title, start_at, end_at, start_s, end_s, places, photo_count, cover_photo_id, named,"
            " question_id")


class SqliteTripStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def photos_between(self, owner_id: str, first_key: str, last_key: str, *, limit: int = 200,
                       cursor: str | None = None) -> Page:
        limit = max(1, limit)
        where = ["owner_id = ?", "trashed_at IS NULL", "sort_key >= ?", "sort_key <= ?"]  # photos_owner_sort
        args: list[object] = [owner_id, first_key, last_key]
        if cursor:
            last_sort, last_id = decode_cursor(cursor, 2)
            where.append("(sort_key, id) > (?, ?)")
            args += [str(last_sort), str(last_id)]
        rows = self._db.read().execute(
            f"SELECT id, sort_key, version, doc FROM photos WHERE {' AND '.join(where)}"
            " ORDER BY sort_key, id LIMIT ?", (*args, limit + 1)).fetchall()
        more, rows = len(rows) > limit, rows[:limit]
        next_cursor = encode_cursor([rows[-1]["sort_key"], rows[-1]["id"]]) if more and rows else None
        return Page(items=[photo_of(r) for r in rows], next_cursor=next_cursor)

    def trips_overlapping(self, owner_id: str, start_s: float, end_s: float) -> list[Trip]:
        # trips do not overlap, so by start descending their ends descend too: stop at the first that ends before
        rows = self._db.read().execute(
            f"SELECT {_COLUMNS} FROM trips WHERE owner_id = ? AND start_s <= ? ORDER BY start_s DESC, id DESC",
            (owner_id, end_s))
        out = []
        for row in rows:
            if row["end_s"] < start_s:
                break
            out.append(_trip(row))
        return out[::-1]

    def list_trips(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        limit = max(1, limit)
        where, args = ["owner_id = ?"], [owner_id]
        if cursor:
            last_start, last_id = decode_cursor(cursor, 2)
            where.append("(start_s, id) < (?, ?)")
            args += [last_start, str(last_id)]
        rows = self._db.read().execute(
            f"SELECT {_COLUMNS} FROM trips WHERE {' AND '.join(where)} ORDER BY start_s DESC, id DESC LIMIT ?",
            (*args, limit + 1)).fetchall()
        more, rows = len(rows) > limit, rows[:limit]
        next_cursor = encode_cursor([rows[-1]["start_s"], rows[-1]["id"]]) if more and rows else None
        return Page(items=[_trip(r) for r in rows], next_cursor=next_cursor)

    def get_trip(self, owner_id: str, trip_id: str) -> Trip | None:
        row = self._db.read().execute(f"SELECT {_COLUMNS} FROM trips WHERE id = ? AND owner_id = ?",
                                      (trip_id, owner_id)).fetchone()
        return _trip(row) if row is not None else None

    def replace_trips(self, owner_id: str, remove: list[str], put: list[Trip]) -> None:
        with self._db.tx() as conn:
            conn.executemany("DELETE FROM trips WHERE id = ? AND owner_id = ?", [(i, owner_id) for i in remove])
            conn.executemany(
                f"INSERT OR REPLACE INTO trips ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(t.id, owner_id, t.title, t.start, t.end, t.start_s, t.end_s, json.dumps(t.places), t.photo_count,
                  t.cover_photo_id, int(t.named), t.question_id) for t in put])

    def claim_window(self, owner_id: str, window: str, *, now: float, stale_s: float) -> bool:
        with self._db.tx() as conn:
            cur = conn.execute(
                "INSERT INTO trip_windows (owner_id, month, claimed_at) VALUES (?, ?, ?)"
                " ON CONFLICT (owner_id, month) DO UPDATE SET claimed_at = excluded.claimed_at"
                " WHERE trip_windows.claimed_at < ?", (owner_id, window, now, now - stale_s))
            return cur.rowcount == 1

    def release_window(self, owner_id: str, window: str) -> None:
        with self._db.tx() as conn:
            conn.execute("DELETE FROM trip_windows WHERE owner_id = ? AND month = ?", (owner_id, window))

    def delete_owner_trips(self, owner_id: str) -> None:
        with self._db.tx() as conn:
            conn.execute("DELETE FROM trips WHERE owner_id = ?", (owner_id,))
            conn.execute("DELETE FROM trip_windows WHERE owner_id = ?", (owner_id,))


def _trip(row: sqlite3.Row) -> Trip:
    return Trip(id=row["id"], owner_id=row["owner_id"], title=row["title"], start=row["start_at"], end=row["end_at"],
                start_s=float(row["start_s"]), end_s=float(row["end_s"]), places=json.loads(row["places"]),
                photo_count=int(row["photo_count"]), cover_photo_id=row["cover_photo_id"], named=bool(row["named"]),
                question_id=row["question_id"])
