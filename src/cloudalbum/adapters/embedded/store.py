"""MetadataStore on SQLite (the embedded shape): users, logins, refresh tokens, throttling events and photos.

Albums, questions, faces and the search index are mixins (sqlite_albums.py, sqlite_questions.py,
sqlite_faces.py, sqlite_search.py) that share this class's connections, transactions and migrations. A photo is a JSON document plus the columns
that queries filter and sort on; every photo write re-indexes it in the same transaction.
"""

from __future__ import annotations

from typing import Self

import dataclasses
import json
import random
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from ...domain.errors import ConcurrentUpdate, Conflict, NotFound
from ...domain.model import Page, Photo, User, iso, photo_from_dict, to_dict
from ...ports import PendingBlobs, RefreshToken, Session
from .albums import SqliteAlbumsMixin
from .database import SqliteDatabase, decode_cursor, encode_cursor
from .faces import SqliteFacesMixin
from .limits import SqliteLimitsMixin
from .questions import SqliteQuestionsMixin
from .search import SqliteSearchMixin
from .shares import SqliteSharingMixin

SQLITE_MAX_VARS = 500  # ids per IN (...) chunk, well under SQLite's variable limit
HITS_RETENTION_S = 24 * 3600
HITS_PRUNE_EVERY = 200  # prune old throttling events on about one hit in this many
# Tables with an owner_id column, children first (account deletion). search_* rows go with _unindex_photo.
OWNER_TABLES = ("album_photos", "albums", "questions", "faces", "people", "face_settings", "photos",
                "byte_reservations", "face_scans", "pending_blobs")


def sort_key(photo: Photo) -> str:
    """The list order key: taken_at (else uploaded_at) cut to "YYYY-MM-DDTHH:MM:SS", so naive camera times and
    offset-carrying server times compare as wall-clock strings. Newest first = descending."""
    value = (photo.taken_at or photo.uploaded_at or "").strip().replace(" ", "T", 1)
    template = "0000-01-01T00:00:00"
    value = value[:19]
    return value + template[len(value):]


def utc_iso(value: str) -> str:
    """An ISO time as UTC "YYYY-MM-DDTHH:MM:SS+00:00" (the shape of server-made times); naive means UTC."""
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return iso(dt.astimezone(timezone.utc))


class SqliteUsersMixin:
    """Users, sessions, refresh tokens and throttling events."""

    def add_user(self, user: User) -> None:
        try:
            with self._tx() as conn:  # type: ignore[attr-defined]
                conn.execute(
                    "INSERT INTO users (id, email, email_key, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                    (user.id, user.email, user.email.strip().lower(), user.password_hash, user.created_at))
        except sqlite3.IntegrityError as exc:
            raise Conflict("an account with this email already exists", code="email_taken") from exc

    def user_by_email(self, email: str) -> User | None:
        row = self._read().execute(  # type: ignore[attr-defined]
            "SELECT id, email, password_hash, created_at FROM users WHERE email_key = ?",
            (email.strip().lower(),)).fetchone()
        return User(**dict(row)) if row else None

    def user_by_id(self, user_id: str) -> User | None:
        row = self._read().execute(  # type: ignore[attr-defined]
            "SELECT id, email, password_hash, created_at FROM users WHERE id = ?", (user_id,)).fetchone()
        return User(**dict(row)) if row else None

    def add_session(self, session: Session) -> None:
        with self._tx() as conn:  # type: ignore[attr-defined]
            conn.execute(
                "INSERT INTO sessions (id, user_id, created_at, expires_at, revoked) VALUES (?, ?, ?, ?, ?)",
                (session.id, session.user_id, session.created_at, session.expires_at, int(session.revoked)))

    def get_session(self, session_id: str) -> Session | None:
        row = self._read().execute(  # type: ignore[attr-defined]
            "SELECT id, user_id, created_at, expires_at, revoked FROM sessions WHERE id = ?",
            (session_id,)).fetchone()
        if row is None:
            return None
        return Session(**{**dict(row), "revoked": bool(row["revoked"])})

    def revoke_session(self, session_id: str) -> None:
        with self._tx() as conn:  # type: ignore[attr-defined]
            conn.execute("UPDATE sessions SET revoked = 1 WHERE id = ?", (session_id,))

    def add_refresh_token(self, token: RefreshToken) -> None:
        with self._tx() as conn:  # type: ignore[attr-defined]
            conn.execute(
                "INSERT INTO refresh_tokens (jti, session_id, user_id, expires_at, used) VALUES (?, ?, ?, ?, ?)",
                (token.jti, token.session_id, token.user_id, token.expires_at, int(token.used)))

    def use_refresh_token(self, jti: str) -> RefreshToken | None:
        with self._tx() as conn:  # type: ignore[attr-defined]
            cur = conn.execute("UPDATE refresh_tokens SET used = 1 WHERE jti = ? AND used = 0", (jti,))
            if cur.rowcount != 1:
                return None
            row = conn.execute("SELECT jti, session_id, user_id, expires_at FROM refresh_tokens WHERE jti = ?",
                               (jti,)).fetchone()
        return RefreshToken(**dict(row), used=True)

    def hit(self, key: str, *, window_s: int, now: float) -> int:
        with self._tx() as conn:  # type: ignore[attr-defined]
            conn.execute("INSERT INTO hits (key, at) VALUES (?, ?)", (key, now))
            conn.execute("DELETE FROM hits WHERE key = ? AND at <= ?", (key, now - window_s))
            if random.randrange(HITS_PRUNE_EVERY) == 0:
                conn.execute("DELETE FROM hits WHERE at <= ?", (now - max(HITS_RETENTION_S, window_s),))
            (count,) = conn.execute("SELECT COUNT(*) FROM hits WHERE key = ? AND at > ?",
                                    (key, now - window_s)).fetchone()
        return int(count)

    def hit_count(self, key: str, *, window_s: int, now: float) -> int:
        """The count within the last window_s without adding one (throttling checks before verifying)."""
        (count,) = self._read().execute(  # type: ignore[attr-defined]
            "SELECT COUNT(*) FROM hits WHERE key = ? AND at > ?", (key, now - window_s)).fetchone()
        return int(count)

    def clear_hits(self, key: str) -> None:
        with self._tx() as conn:  # type: ignore[attr-defined]
            conn.execute("DELETE FROM hits WHERE key = ?", (key,))

    # --- accounts (issue 12): throttling undo, password change, sign-out everywhere, deletion ---------------

    def unhit(self, key: str, *, window_s: int, now: float) -> None:
        """Take back one event counted at `now` (an attempt that turned out not to be a failure)."""
        with self._tx() as conn:  # type: ignore[attr-defined]
            conn.execute("DELETE FROM hits WHERE rowid = (SELECT rowid FROM hits WHERE key = ? AND at = ? LIMIT 1)",
                         (key, now))

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        with self._tx() as conn:  # type: ignore[attr-defined]
            conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))

    def revoke_user_sessions(self, user_id: str, *, keep: str | None = None) -> None:
        with self._tx() as conn:  # type: ignore[attr-defined]
            conn.execute("UPDATE sessions SET revoked = 1 WHERE user_id = ? AND id IS NOT ?", (user_id, keep))

    def delete_user(self, user_id: str) -> None:
        """The account, its sessions and refresh tokens, in one transaction."""
        with self._tx() as conn:  # type: ignore[attr-defined]
            conn.execute("DELETE FROM refresh_tokens WHERE user_id = ?", (user_id,))
            conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))
            conn.execute("DELETE FROM users WHERE id = ?", (user_id,))

    def delete_owner_data(self, owner_id: str) -> None:
        """Every record of the owner's library (photos with their index rows, albums, questions, faces,
        people, face settings, quota reservations, the face scan, pending blob entries), in one transaction."""
        with self._tx() as conn:  # type: ignore[attr-defined]
            ids = [r[0] for r in conn.execute("SELECT id FROM photos WHERE owner_id = ?", (owner_id,))]
            for photo_id in ids:
                self._unindex_photo(conn, photo_id)  # type: ignore[attr-defined]
            for table in OWNER_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE owner_id = ?", (owner_id,))


class SqlitePhotosMixin:
    """Photos: JSON documents with indexed columns; optimistic writes; keyset pagination."""

    def _load_photos(self, conn: sqlite3.Connection, ids: list[str]) -> list[Photo]:
        """The photos of ids, in the order of ids (ids that do not exist are left out)."""
        found: dict[str, Photo] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), SQLITE_MAX_VARS):
            chunk = unique[start:start + SQLITE_MAX_VARS]
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(f"SELECT id, version, doc FROM photos WHERE id IN ({marks})", chunk):
                found[row["id"]] = _photo_of(row)
        return [found[i] for i in ids if i in found]

    def add_photo(self, photo: Photo, *, reservation: str | None = None) -> None:
        try:
            with self._tx() as conn:  # type: ignore[attr-defined]
                if reservation is not None:  # its bytes now count as the photo's (issue 12)
                    conn.execute("DELETE FROM byte_reservations WHERE id = ?", (reservation,))
                conn.execute(
                    "INSERT INTO photos (id, owner_id, status, sort_key, taken_at, uploaded_at, bytes, version, doc,"
                    " sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (photo.id, photo.owner_id, photo.status, sort_key(photo), photo.taken_at, photo.uploaded_at,
                     photo.bytes, photo.version, _doc(photo), photo.sha256))
                self._index_photo(conn, photo)  # type: ignore[attr-defined]
        except sqlite3.IntegrityError as exc:
            if "sha256" in str(exc):
                raise Conflict("the owner already has a photo with these bytes", code="duplicate_photo") from exc
            raise Conflict(f"photo {photo.id} already exists") from exc

    def photo_by_sha256(self, owner_id: str, sha256: str) -> Photo | None:
        """The owner's photo with these bytes (the unique index photos_owner_sha256), or None."""
        row = self._read().execute(  # type: ignore[attr-defined]
            "SELECT id, version, doc FROM photos WHERE owner_id = ? AND sha256 = ?", (owner_id, sha256)).fetchone()
        return _photo_of(row) if row else None

    def get_photo(self, photo_id: str, owner_id: str | None) -> Photo | None:
        row = self._read().execute(  # type: ignore[attr-defined]
            "SELECT id, owner_id, version, doc FROM photos WHERE id = ?", (photo_id,)).fetchone()
        if row is None or (owner_id is not None and row["owner_id"] != owner_id):
            return None
        return _photo_of(row)

    def save_photo(self, photo: Photo) -> Photo:
        saved = dataclasses.replace(photo, version=photo.version + 1)
        with self._tx() as conn:  # type: ignore[attr-defined]
            cur = conn.execute(
                "UPDATE photos SET owner_id = ?, status = ?, sort_key = ?, taken_at = ?, uploaded_at = ?, bytes = ?,"
                " version = ?, doc = ? WHERE id = ? AND version = ?",
                (saved.owner_id, saved.status, sort_key(saved), saved.taken_at, saved.uploaded_at, saved.bytes,
                 saved.version, _doc(saved), photo.id, photo.version))
            if cur.rowcount != 1:
                if conn.execute("SELECT 1 FROM photos WHERE id = ?", (photo.id,)).fetchone() is None:
                    raise NotFound(f"photo {photo.id} not found")
                raise ConcurrentUpdate(f"photo {photo.id} was changed by someone else; reload and retry")
            self._index_photo(conn, saved)  # type: ignore[attr-defined]
        return saved

    def delete_photo(self, photo_id: str, *, version: int | None = None) -> None:
        with self._tx() as conn:  # type: ignore[attr-defined]
            if version is not None:
                row = conn.execute("SELECT version FROM photos WHERE id = ?", (photo_id,)).fetchone()
                if row is not None and int(row[0]) != version:
                    raise ConcurrentUpdate(f"photo {photo_id} was changed by someone else; reload and retry")
            self._unindex_photo(conn, photo_id)  # type: ignore[attr-defined]
            conn.execute("DELETE FROM photos WHERE id = ?", (photo_id,))  # faces and questions cascade

    def list_photos(self, owner_id: str, *, status: str | None = None, limit: int = 50,
                    cursor: str | None = None) -> Page:
        where, args = ["owner_id = ?"], [owner_id]
        if status is not None:
            where.append("status = ?")
            args.append(status)
        if cursor:
            last_key, last_id = decode_cursor(cursor, 2)
            where.append("(sort_key, id) < (?, ?)")  # a row value: an index range, not a scan from the top
            args += [str(last_key), str(last_id)]
        conn = self._read()  # type: ignore[attr-defined]
        rows = conn.execute(
            f"SELECT id, sort_key, version, doc FROM photos WHERE {' AND '.join(where)}"
            " ORDER BY sort_key DESC, id DESC LIMIT ?", (*args, max(1, limit) + 1)).fetchall()
        return _page(rows, max(1, limit))

    def usage(self, owner_id: str) -> tuple[int, int]:
        count, total = self._read().execute(  # type: ignore[attr-defined]
            "SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM photos WHERE owner_id = ?", (owner_id,)).fetchone()
        return int(count), int(total)

    def stale_photos(self, status: str, *, older_than: str, limit: int = 100) -> list[Photo]:
        rows = self._read().execute(  # type: ignore[attr-defined]
            "SELECT id, version, doc FROM photos WHERE status = ? AND uploaded_at < ? ORDER BY uploaded_at LIMIT ?",
            (status, utc_iso(older_than), limit)).fetchall()
        return [_photo_of(r) for r in rows]

    # --- pending blob cleanups (maintenance's index of work, not of the library) ---------------------------

    def add_pending_blobs(self, pending: PendingBlobs) -> None:
        with self._tx() as conn:  # type: ignore[attr-defined]
            conn.execute("INSERT OR REPLACE INTO pending_blobs (photo_id, since, owner_id) VALUES (?, ?, ?)",
                         (pending.photo_id, pending.since, pending.owner_id))

    def remove_pending_blobs(self, pending: PendingBlobs) -> None:
        with self._tx() as conn:  # type: ignore[attr-defined]
            conn.execute("DELETE FROM pending_blobs WHERE photo_id = ? AND since = ?", (pending.photo_id, pending.since))

    def pending_blobs(self, *, older_than: str, limit: int = 100) -> list[PendingBlobs]:
        rows = self._read().execute(  # type: ignore[attr-defined]
            "SELECT photo_id, owner_id, since FROM pending_blobs WHERE since < ? ORDER BY since, photo_id LIMIT ?",
            (older_than, limit)).fetchall()
        return [PendingBlobs(photo_id=r["photo_id"], owner_id=r["owner_id"], since=r["since"]) for r in rows]


def _doc(photo: Photo) -> str:
    return json.dumps(to_dict(photo), separators=(",", ":"), ensure_ascii=False)


def _photo_of(row: sqlite3.Row) -> Photo:
    photo = photo_from_dict(json.loads(row["doc"]))
    photo.version = int(row["version"])  # the column is authoritative
    return photo


def _page(rows: Iterable[sqlite3.Row], limit: int) -> Page:
    rows = list(rows)
    more = len(rows) > limit
    rows = rows[:limit]
    items = [_photo_of(r) for r in rows]
    next_cursor = encode_cursor([rows[-1]["sort_key"], rows[-1]["id"]]) if more and rows else None
    return Page(items=items, next_cursor=next_cursor)


class SqliteMetadataStore(SqliteSharingMixin, SqliteSearchMixin, SqliteAlbumsMixin, SqliteQuestionsMixin,
                          SqliteFacesMixin, SqliteLimitsMixin, SqliteUsersMixin, SqlitePhotosMixin, SqliteDatabase):
    """The embedded MetadataStore: one SQLite file (WAL), safe for API threads and worker processes."""

    # Repositories per aggregate (ports.MetadataStore). Transitional: this store still implements all of them.
    @property
    def users(self) -> "Self":
        return self

    @property
    def photos(self) -> "Self":
        return self

    @property
    def index(self) -> "Self":
        return self

    @property
    def albums(self) -> "Self":
        return self

    @property
    def questions(self) -> "Self":
        return self

    @property
    def faces(self) -> "Self":
        return self

    @property
    def limits(self) -> "Self":
        return self

    @property
    def shares(self) -> "Self":
        return self


    def __init__(self, path: Path) -> None:
        self._setup(path)
        self._migrate()
