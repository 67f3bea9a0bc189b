"""SQLite batch records (issue 15.5; tables in 0210_batches.sql): the BatchStore port."""

from __future__ import annotations

import json
import sqlite3

from ...domain.batches import Batch, BatchPhoto
from .database import SqliteDatabase

PURGE_CHUNK = 200  # expired batches removed per add_batch (through the expires_at index), so no add waits long


class SqliteBatchStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def add_batch(self, batch: Batch) -> None:
        """Insert the batch, and remove up to PURGE_CHUNK batches that expired before it was made (their entries
        go by the foreign key's cascade): the purge follows the batches made, never the library."""
        with self._db.tx() as conn:
            conn.execute("DELETE FROM batches WHERE id IN (SELECT id FROM batches WHERE expires_at < ? LIMIT ?)",
                         (batch.created_at, PURGE_CHUNK))
            conn.execute("INSERT INTO batches (id, owner_id, created_at, expires_at, photo_ids, updated, album_id,"
                         " operations, undone_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (batch.id, batch.owner_id, batch.created_at, batch.expires_at, json.dumps(batch.photo_ids),
                          batch.updated, batch.album_id, json.dumps(batch.operations), batch.undone_at))

    def add_batch_photos(self, batch_id: str, owner_id: str, photos: list[BatchPhoto]) -> None:
        if not photos:
            return
        with self._db.tx() as conn:
            if conn.execute("SELECT 1 FROM batches WHERE id = ? AND owner_id = ?", (batch_id, owner_id)).fetchone() \
                    is None:
                return
            new = [p for p in photos if conn.execute("SELECT 1 FROM batch_photos WHERE batch_id = ? AND photo_id = ?",
                                                     (batch_id, p.photo_id)).fetchone() is None]
            conn.executemany("INSERT OR REPLACE INTO batch_photos (batch_id, photo_id, owner_id, before,"
                             " added_to_album) VALUES (?, ?, ?, ?, ?)",
                             [(batch_id, p.photo_id, owner_id, json.dumps(p.before), int(p.added_to_album))
                              for p in photos])
            conn.execute("UPDATE batches SET updated = updated + ? WHERE id = ?", (len(new), batch_id))

    def get_batch(self, batch_id: str, owner_id: str, *, now: str) -> Batch | None:
        row = self._db.read().execute("SELECT * FROM batches WHERE id = ? AND owner_id = ? AND expires_at > ?",
                                      (batch_id, owner_id, now)).fetchone()
        return _batch(row) if row is not None else None

    def batch_photos(self, batch_id: str, owner_id: str) -> list[BatchPhoto]:
        rows = self._db.read().execute(
            "SELECT photo_id, before, added_to_album FROM batch_photos WHERE batch_id = ? AND owner_id = ?",
            (batch_id, owner_id)).fetchall()
        return [BatchPhoto(r["photo_id"], json.loads(r["before"]), bool(r["added_to_album"])) for r in rows]

    def mark_undone(self, batch_id: str, owner_id: str, *, at: str) -> bool:
        with self._db.tx() as conn:
            cur = conn.execute("UPDATE batches SET undone_at = ? WHERE id = ? AND owner_id = ? AND undone_at IS NULL",
                               (at, batch_id, owner_id))
            return cur.rowcount == 1

    def delete_owner_batches(self, owner_id: str) -> None:
        with self._db.tx() as conn:
            conn.execute("DELETE FROM batch_photos WHERE owner_id = ?", (owner_id,))
            conn.execute("DELETE FROM batches WHERE owner_id = ?", (owner_id,))


def _batch(row: sqlite3.Row) -> Batch:
    return Batch(id=row["id"], owner_id=row["owner_id"], created_at=row["created_at"], expires_at=row["expires_at"],
                 photo_ids=json.loads(row["photo_ids"]), updated=row["updated"], album_id=row["album_id"],
                 operations=json.loads(row["operations"]), undone_at=row["undone_at"])
