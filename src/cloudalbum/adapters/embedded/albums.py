"""SQLite albums and membership (tables in migration 0110_albums.sql).

A photo's `albums` field lives in its JSON document; membership changes rewrite that field (and bump the
photo's version, so a writer holding an older copy gets ConcurrentUpdate instead of silently undoing it).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from ...domain.errors import NotFound
from ...domain.model import Album, Page, iso, utcnow
from .database import SqliteDatabase, encode_cursor, keyset_after
from .photo_rows import load_photos

ALBUM_COLUMNS = "id, owner_id, name, description, created_at, updated_at, cover_photo_id"


class SqliteAlbumStore:
    """The AlbumStore port: albums and their photos."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def add_album(self, album: Album) -> None:
        with self._db.tx() as conn:
            conn.execute(f"INSERT INTO albums ({ALBUM_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (album.id, album.owner_id, album.name, album.description, album.created_at,
                          album.updated_at, album.cover_photo_id))

    def get_album(self, album_id: str, owner_id: str) -> Album | None:
        """With photo_count and cover_photo_id (the explicit cover while it is in the album, else the newest)."""
        conn = self._db.read()
        row = conn.execute(f"SELECT {ALBUM_COLUMNS} FROM albums WHERE id = ? AND owner_id = ?",
                           (album_id, owner_id)).fetchone()
        return _album_of(conn, row) if row else None

    def list_albums(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Newest album first; keyset cursor on (created_at, id)."""
        limit = max(1, limit)
        where, args = ["owner_id = ?"], [owner_id]
        if cursor:
            where.append(keyset_after(cursor, "created_at", "id", args))
        conn = self._db.read()
        rows = conn.execute(f"SELECT {ALBUM_COLUMNS} FROM albums WHERE {' AND '.join(where)}"
                            " ORDER BY created_at DESC, id DESC LIMIT ?", (*args, limit + 1)).fetchall()
        more, rows = len(rows) > limit, rows[:limit]
        next_cursor = encode_cursor([rows[-1]["created_at"], rows[-1]["id"]]) if more and rows else None
        return Page([_album_of(conn, r) for r in rows], next_cursor)

    def save_album(self, album: Album) -> Album:
        with self._db.tx() as conn:
            cur = conn.execute(
                "UPDATE albums SET name = ?, description = ?, updated_at = ?, cover_photo_id = ? WHERE id = ?"
                " AND owner_id = ?",
                (album.name, album.description, album.updated_at, album.cover_photo_id, album.id, album.owner_id))
            if cur.rowcount != 1:
                raise NotFound(f"album {album.id} not found")
        saved = self.get_album(album.id, album.owner_id)
        assert saved is not None
        return saved

    def delete_album(self, album_id: str) -> None:
        """The album and its memberships; the photos stay (their `albums` field forgets it)."""
        with self._db.tx() as conn:
            members = [r[0] for r in conn.execute("SELECT photo_id FROM album_photos WHERE album_id = ?",
                                                  (album_id,))]
            conn.execute("DELETE FROM album_photos WHERE album_id = ?", (album_id,))
            conn.execute("DELETE FROM albums WHERE id = ?", (album_id,))
            _sync_photo_albums(conn, members)

    def add_to_album(self, album_id: str, photo_ids: list[str]) -> None:
        """Idempotent per photo; only photos of the album's owner join."""
        now = iso(utcnow())
        with self._db.tx() as conn:
            owner = conn.execute("SELECT owner_id FROM albums WHERE id = ?", (album_id,)).fetchone()
            if owner is None:
                raise NotFound(f"album {album_id} not found")
            added = []
            for pid in dict.fromkeys(photo_ids):
                cur = conn.execute(
                    "INSERT OR IGNORE INTO album_photos (album_id, photo_id, owner_id, sort_key, added_at)"
                    " SELECT ?, id, owner_id, sort_key, ? FROM photos WHERE id = ? AND owner_id = ?"
                    " AND trashed_at IS NULL",
                    (album_id, now, pid, owner[0]))
                if cur.rowcount:
                    added.append(pid)
            if added:
                conn.execute("UPDATE albums SET updated_at = ? WHERE id = ?", (now, album_id))
            _sync_photo_albums(conn, added)

    def remove_from_album(self, album_id: str, photo_id: str) -> None:
        with self._db.tx() as conn:
            cur = conn.execute("DELETE FROM album_photos WHERE album_id = ? AND photo_id = ?", (album_id, photo_id))
            if cur.rowcount:
                conn.execute("UPDATE albums SET updated_at = ? WHERE id = ?", (iso(utcnow()), album_id))
                _sync_photo_albums(conn, [photo_id])

    def album_photos(self, album_id: str, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of Photo in the album, newest taken first (as list_photos)."""
        limit = max(1, limit)
        where, args = ["album_id = ?", "trashed = 0", "owner_id = ?"], [album_id, owner_id]
        if cursor:
            where.append(keyset_after(cursor, "sort_key", "photo_id", args))
        conn = self._db.read()
        rows = conn.execute(f"SELECT photo_id, sort_key FROM album_photos WHERE {' AND '.join(where)}"
                            " ORDER BY sort_key DESC, photo_id DESC LIMIT ?", (*args, limit + 1)).fetchall()
        more, rows = len(rows) > limit, rows[:limit]
        photos = load_photos(conn, [r["photo_id"] for r in rows])
        next_cursor = encode_cursor([rows[-1]["sort_key"], rows[-1]["photo_id"]]) if more and rows else None
        return Page(photos, next_cursor)


def _album_of(conn: sqlite3.Connection, row: sqlite3.Row) -> Album:
    album = Album(**dict(row))
    (album.photo_count,) = conn.execute("SELECT COUNT(*) FROM album_photos WHERE album_id = ? AND trashed = 0",
                                        (album.id,)).fetchone()
    explicit = album.cover_photo_id and conn.execute(
        "SELECT 1 FROM album_photos WHERE album_id = ? AND photo_id = ? AND trashed = 0",
        (album.id, album.cover_photo_id)).fetchone()
    if not explicit:
        newest = conn.execute("SELECT photo_id FROM album_photos WHERE album_id = ? AND trashed = 0"
                              " ORDER BY sort_key DESC, photo_id DESC LIMIT 1", (album.id,)).fetchone()
        album.cover_photo_id = newest[0] if newest else None
    return album


def _sync_photo_albums(conn: sqlite3.Connection, photo_ids: Iterable[str]) -> None:
    """Rewrite the `albums` field of each photo's document from the membership table (in the order they joined)."""
    for pid in photo_ids:
        ids = [r[0] for r in conn.execute(
            "SELECT album_id FROM album_photos WHERE photo_id = ? ORDER BY rowid", (pid,))]
        conn.execute("UPDATE photos SET doc = json_set(doc, '$.albums', json(?)), version = version + 1"
                     " WHERE id = ?", (json.dumps(ids), pid))
