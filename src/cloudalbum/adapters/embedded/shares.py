"""SQLite share links and album members (tables in 0180_sharing.sql)."""

from __future__ import annotations

import dataclasses
import json
import sqlite3

from ...domain.model import Page
from ...domain.sharing import AlbumMember, Contribution, Share
from .database import SqliteDatabase, encode_cursor, keyset_after

MEMBER_COLUMNS = "album_id, user_id, owner_id, role, show_location, added_at"
CONTRIBUTION_COLUMNS = "album_id, photo_id, contributor_id, owner_id, added_at"


class SqliteShareStore:
    """The ShareStore port: share links, album members and contributions."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def add_share(self, share: Share) -> None:
        with self._db.tx() as conn:
            conn.execute("INSERT INTO shares (id, owner_id, token_hash, created_at, doc) VALUES (?, ?, ?, ?, ?)",
                         (share.id, share.owner_id, share.token_hash, share.created_at,
                          json.dumps(dataclasses.asdict(share))))

    def get_share(self, share_id: str, owner_id: str) -> Share | None:
        row = self._db.read().execute("SELECT doc FROM shares WHERE id = ? AND owner_id = ?",
                                      (share_id, owner_id)).fetchone()
        return Share(**json.loads(row["doc"])) if row else None

    def share_by_token_hash(self, token_hash: str) -> Share | None:
        row = self._db.read().execute("SELECT doc FROM shares WHERE token_hash = ?",
                                      (token_hash,)).fetchone()
        return Share(**json.loads(row["doc"])) if row else None

    def list_shares(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        rows, next_cursor = self._newest("shares", "id, created_at, doc", ("owner_id", owner_id),
                                         ("created_at", "id"), limit, cursor)
        return Page([Share(**json.loads(r["doc"])) for r in rows], next_cursor)

    def _newest(self, table: str, columns: str, match: tuple[str, str], order: tuple[str, str], limit: int,
                cursor: str | None) -> tuple[list[sqlite3.Row], str | None]:
        """Up to limit rows of table where match[0] = match[1], newest first by (order[0], order[1]) DESC after
        the keyset cursor, and the next cursor."""
        limit = max(1, limit)
        key, ident = order
        where, args = [f"{match[0]} = ?"], [match[1]]
        if cursor:
            where.append(keyset_after(cursor, key, ident, args))
        rows = self._db.read().execute(
            f"SELECT {columns} FROM {table} WHERE {' AND '.join(where)}"
            f" ORDER BY {key} DESC, {ident} DESC LIMIT ?", (*args, limit + 1)).fetchall()
        more, rows = len(rows) > limit, rows[:limit]
        return rows, encode_cursor([rows[-1][key], rows[-1][ident]]) if more and rows else None

    def delete_share(self, share_id: str, owner_id: str) -> bool:
        with self._db.tx() as conn:
            cur = conn.execute("DELETE FROM shares WHERE id = ? AND owner_id = ?", (share_id, owner_id))
            return cur.rowcount == 1

    def put_member(self, member: AlbumMember) -> bool:
        with self._db.tx() as conn:
            existed = conn.execute("SELECT 1 FROM album_members WHERE album_id = ? AND user_id = ?",
                                   (member.album_id, member.user_id)).fetchone()
            if existed:
                conn.execute("UPDATE album_members SET role = ?, show_location = ? WHERE album_id = ? AND user_id = ?",
                             (member.role, int(member.show_location), member.album_id, member.user_id))
            else:
                conn.execute(f"INSERT INTO album_members ({MEMBER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                             (member.album_id, member.user_id, member.owner_id, member.role,
                              int(member.show_location), member.added_at))
            return existed is None

    def get_member(self, album_id: str, user_id: str) -> AlbumMember | None:
        row = self._db.read().execute(
            f"SELECT {MEMBER_COLUMNS} FROM album_members WHERE album_id = ? AND user_id = ?",
            (album_id, user_id)).fetchone()
        return _member(row) if row else None

    def remove_member(self, album_id: str, user_id: str) -> bool:
        with self._db.tx() as conn:
            return conn.execute("DELETE FROM album_members WHERE album_id = ? AND user_id = ?",
                                (album_id, user_id)).rowcount == 1

    def shared_with(self, user_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        rows, next_cursor = self._newest("album_members", MEMBER_COLUMNS, ("user_id", user_id),
                                         ("added_at", "album_id"), limit, cursor)
        return Page([_member(r) for r in rows], next_cursor)

    def add_contribution(self, contribution: Contribution) -> None:
        c = contribution
        with self._db.tx() as conn:
            conn.execute(f"INSERT OR IGNORE INTO album_contributions ({CONTRIBUTION_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                         (c.album_id, c.photo_id, c.contributor_id, c.owner_id, c.added_at))

    def contributions(self, album_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        rows, next_cursor = self._newest("album_contributions", CONTRIBUTION_COLUMNS, ("album_id", album_id),
                                         ("added_at", "photo_id"), limit, cursor)
        return Page([Contribution(**dict(r)) for r in rows], next_cursor)

    def contributions_of_photo(self, photo_id: str) -> list[Contribution]:
        rows = self._db.read().execute(
            f"SELECT {CONTRIBUTION_COLUMNS} FROM album_contributions WHERE photo_id = ?", (photo_id,)).fetchall()
        return [Contribution(**dict(r)) for r in rows]

    def remove_contributions(self, album_id: str, contributor_id: str) -> None:
        with self._db.tx() as conn:
            conn.execute("DELETE FROM album_contributions WHERE album_id = ? AND contributor_id = ?",
                         (album_id, contributor_id))


def _member(row: sqlite3.Row) -> AlbumMember:
    return AlbumMember(album_id=row["album_id"], user_id=row["user_id"], owner_id=row["owner_id"], role=row["role"],
                       show_location=bool(row["show_location"]), added_at=row["added_at"])
