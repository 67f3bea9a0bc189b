"""SQLite place index (the PlaceIndex port): the owner's anchors and open photos by instant, read from search_doc
through the partial indexes of migration 0250 (search_doc_owner_anchor, search_doc_owner_open). The rows are
written with each photo's search rows (search.index_rows), in the photo write's transaction."""

from __future__ import annotations

import sqlite3

from ...domain.places import Fix
from .database import SqliteDatabase

# The role is a literal in each statement so that SQLite picks the partial index of that role.
BEFORE_SQL = ("SELECT photo_id, taken_ts, lat, lon FROM search_doc WHERE owner_id = ? AND place_role = 'anchor'"
              " AND taken_ts BETWEEN ? AND ? ORDER BY taken_ts DESC, photo_id DESC LIMIT 1")
AFTER_SQL = ("SELECT photo_id, taken_ts, lat, lon FROM search_doc WHERE owner_id = ? AND place_role = 'anchor'"
             " AND taken_ts > ? AND taken_ts <= ? ORDER BY taken_ts, photo_id LIMIT 1")
OPEN_SQL = ("SELECT photo_id FROM search_doc WHERE owner_id = ? AND place_role = 'open'"
            " AND taken_ts BETWEEN ? AND ? ORDER BY taken_ts, photo_id LIMIT ?")


class SqlitePlaceIndex:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def fixes_around(self, owner_id: str, ts: float, window_s: int) -> tuple[Fix | None, Fix | None]:
        conn = self._db.read()
        before = conn.execute(BEFORE_SQL, (owner_id, ts - window_s, ts)).fetchone()
        after = conn.execute(AFTER_SQL, (owner_id, ts, ts + window_s)).fetchone()
        return _fix(before), _fix(after)

    def open_between(self, owner_id: str, start: float, end: float, *, limit: int) -> list[str]:
        rows = self._db.read().execute(OPEN_SQL, (owner_id, start, end, max(1, limit))).fetchall()
        return [r[0] for r in rows]

    def explain(self) -> list[str]:
        """EXPLAIN QUERY PLAN of the three reads (tests check that the partial indexes drive them)."""
        conn = self._db.read()
        return [" ".join(str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, args).fetchall())
                for sql, args in ((BEFORE_SQL, ("o", 0, 1)), (AFTER_SQL, ("o", 0, 1)), (OPEN_SQL, ("o", 0, 1, 5)))]


def _fix(row: sqlite3.Row | None) -> Fix | None:
    return None if row is None else Fix(str(row[0]), float(row[1]), float(row[2]), float(row[3]))
