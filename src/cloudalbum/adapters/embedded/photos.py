"""SQLite photos: a JSON document plus the columns that queries filter and sort on (migration 0001_core.sql),
and the pending blob cleanups that maintenance keeps beside them (0160_pending_blobs.sql).

Every photo write re-indexes it in the same transaction: the search index is handed in and called with this
repository's connection, so a photo and its index rows never disagree.
"""

from __future__ import annotations

import dataclasses
import sqlite3

from ...domain.errors import ConcurrentUpdate, Conflict, NotFound
from ...domain.model import Page, Photo
from ...ports import PendingBlobs
from .database import SqliteDatabase, decode_cursor, encode_cursor
from .photo_rows import photo_doc, photo_of, photo_page, sort_key, utc_iso
from .search import SqliteSearchIndex


class SqlitePhotoStore:
    """The PhotoStore port: JSON documents with indexed columns; optimistic writes; keyset pagination.
    Every write re-indexes the photo through the search index, inside the same transaction."""

    def __init__(self, db: SqliteDatabase, index: SqliteSearchIndex) -> None:
        self._db = db
        self._index = index

    def add_photo(self, photo: Photo, *, reservation: str | None = None) -> None:
        try:
            with self._db.tx() as conn:
                if reservation is not None:  # its bytes now count as the photo's (issue 12)
                    conn.execute("DELETE FROM byte_reservations WHERE id = ?", (reservation,))
                conn.execute(
                    "INSERT INTO photos (id, owner_id, status, sort_key, taken_at, uploaded_at, bytes, version, doc,"
                    " sha256, trashed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (photo.id, photo.owner_id, photo.status, sort_key(photo), photo.taken_at, photo.uploaded_at,
                     photo.bytes, photo.version, photo_doc(photo), photo.sha256, photo.trashed_at))
                self._index.index_photo(conn, photo)
        except sqlite3.IntegrityError as exc:
            if "sha256" in str(exc):
                raise Conflict("the owner already has a photo with these bytes", code="duplicate_photo") from exc
            raise Conflict(f"photo {photo.id} already exists") from exc

    def photo_by_sha256(self, owner_id: str, sha256: str) -> Photo | None:
        """The owner's photo with these bytes (the unique index photos_owner_sha256), or None."""
        row = self._db.read().execute(
            "SELECT id, version, doc FROM photos WHERE owner_id = ? AND sha256 = ?", (owner_id, sha256)).fetchone()
        return photo_of(row) if row else None

    def get_photo(self, photo_id: str, owner_id: str | None, *, trashed: bool = False) -> Photo | None:
        row = self._db.read().execute(
            "SELECT id, owner_id, version, doc, trashed_at FROM photos WHERE id = ?", (photo_id,)).fetchone()
        if row is None or (owner_id is not None and row["owner_id"] != owner_id):
            return None
        if row["trashed_at"] is not None and not trashed:
            return None
        return photo_of(row)

    def save_photo(self, photo: Photo) -> Photo:
        saved = dataclasses.replace(photo, version=photo.version + 1)
        with self._db.tx() as conn:
            cur = conn.execute(
                "UPDATE photos SET owner_id = ?, status = ?, sort_key = ?, taken_at = ?, uploaded_at = ?, bytes = ?,"
                " version = ?, doc = ?, trashed_at = ? WHERE id = ? AND version = ?",
                (saved.owner_id, saved.status, sort_key(saved), saved.taken_at, saved.uploaded_at, saved.bytes,
                 saved.version, photo_doc(saved), saved.trashed_at, photo.id, photo.version))
            if cur.rowcount != 1:
                if conn.execute("SELECT 1 FROM photos WHERE id = ?", (photo.id,)).fetchone() is None:
                    raise NotFound(f"photo {photo.id} not found")
                raise ConcurrentUpdate(f"photo {photo.id} was changed by someone else; reload and retry")
            self._index.index_photo(conn, saved)
        return saved

    def delete_photo(self, photo_id: str, *, version: int | None = None) -> None:
        with self._db.tx() as conn:
            if version is not None:
                row = conn.execute("SELECT version FROM photos WHERE id = ?", (photo_id,)).fetchone()
                if row is not None and int(row[0]) != version:
                    raise ConcurrentUpdate(f"photo {photo_id} was changed by someone else; reload and retry")
            self._index.unindex_photo(conn, photo_id)
            # album memberships, questions, faces and contributions go with it: their foreign keys cascade
            conn.execute("DELETE FROM photos WHERE id = ?", (photo_id,))

    def reposition(self, photo_id: str) -> bool:
        return False  # migration 0270 wrote every sort_key as the UTC instant

    def list_photos(self, owner_id: str, *, status: str | None = None, limit: int = 50,
                    cursor: str | None = None) -> Page:
        where, args = ["owner_id = ?", "trashed_at IS NULL"], [owner_id]  # the partial indexes: live photos
        if status is not None:
            where.append("status = ?")
            args.append(status)
        if cursor:
            last_key, last_id = decode_cursor(cursor, 2)
            where.append("(sort_key, id) < (?, ?)")  # a row value: an index range, not a scan from the top
            args += [str(last_key), str(last_id)]
        conn = self._db.read()
        rows = conn.execute(
            f"SELECT id, sort_key, version, doc FROM photos WHERE {' AND '.join(where)}"
            " ORDER BY sort_key DESC, id DESC LIMIT ?", (*args, max(1, limit) + 1)).fetchall()
        return photo_page(rows, max(1, limit))

    def usage(self, owner_id: str) -> tuple[int, int]:
        count, total = self._db.read().execute(
            "SELECT COUNT(*) FILTER (WHERE trashed_at IS NULL), COALESCE(SUM(bytes), 0) FROM photos"
            " WHERE owner_id = ?", (owner_id,)).fetchone()
        return int(count), int(total)

    def stale_photos(self, status: str, *, older_than: str, limit: int = 100) -> list[Photo]:
        rows = self._db.read().execute(
            "SELECT id, version, doc FROM photos WHERE status = ? AND uploaded_at < ? AND trashed_at IS NULL"
            " ORDER BY uploaded_at LIMIT ?", (status, utc_iso(older_than), limit)).fetchall()
        return [photo_of(r) for r in rows]

    # --- the trash (issue 15): read through the partial indexes of trashed photos only ----------------------

    def list_trash(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        limit = max(1, limit)
        where, args = ["owner_id = ?", "trashed_at IS NOT NULL"], [owner_id]
        if cursor:
            last_at, last_id = decode_cursor(cursor, 2)
            where.append("(trashed_at, id) < (?, ?)")
            args += [str(last_at), str(last_id)]
        rows = self._db.read().execute(
            f"SELECT id, trashed_at, version, doc FROM photos WHERE {' AND '.join(where)}"
            " ORDER BY trashed_at DESC, id DESC LIMIT ?", (*args, limit + 1)).fetchall()
        more, rows = len(rows) > limit, rows[:limit]
        next_cursor = encode_cursor([rows[-1]["trashed_at"], rows[-1]["id"]]) if more and rows else None
        return Page([photo_of(r) for r in rows], next_cursor)

    def trashed_before(self, before: str, *, limit: int = 100) -> list[Photo]:
        rows = self._db.read().execute(
            "SELECT id, version, doc FROM photos WHERE trashed_at IS NOT NULL AND trashed_at < ?"
            " ORDER BY trashed_at, id LIMIT ?", (before, limit)).fetchall()
        return [photo_of(r) for r in rows]

    # --- pending blob cleanups (maintenance's index of work, not of the library) ---------------------------

    def add_pending_blobs(self, pending: PendingBlobs) -> None:
        with self._db.tx() as conn:
            conn.execute("INSERT OR REPLACE INTO pending_blobs (photo_id, since, owner_id) VALUES (?, ?, ?)",
                         (pending.photo_id, pending.since, pending.owner_id))

    def remove_pending_blobs(self, pending: PendingBlobs) -> None:
        with self._db.tx() as conn:
            conn.execute("DELETE FROM pending_blobs WHERE photo_id = ? AND since = ?",
                         (pending.photo_id, pending.since))

    def pending_blobs(self, *, older_than: str, limit: int = 100) -> list[PendingBlobs]:
        rows = self._db.read().execute(
            "SELECT photo_id, owner_id, since FROM pending_blobs WHERE since < ? ORDER BY since, photo_id LIMIT ?",
            (older_than, limit)).fetchall()
        return [PendingBlobs(photo_id=r["photo_id"], owner_id=r["owner_id"], since=r["since"]) for r in rows]
