"""SQLite users, sessions, refresh tokens and throttling events (tables in migration 0001_core.sql)."""

from __future__ import annotations

import random
import sqlite3

from ...domain.errors import Conflict, NotFound
from ...domain.model import User
from ...ports import RefreshToken, Session
from .database import SqliteDatabase

HITS_RETENTION_S = 24 * 3600
HITS_PRUNE_EVERY = 200  # prune old throttling events on about one hit in this many


class SqliteUserStore:
    """The UserStore port: users, sessions, refresh tokens and throttling events."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def add_user(self, user: User) -> None:
        try:
            with self._db.tx() as conn:
                conn.execute(
                    "INSERT INTO users (id, email, email_key, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                    (user.id, user.email, user.email.strip().lower(), user.password_hash, user.created_at))
        except sqlite3.IntegrityError as exc:
            raise Conflict("an account with this email already exists", code="email_taken") from exc

    def user_by_email(self, email: str) -> User | None:
        row = self._db.read().execute(
            "SELECT id, email, password_hash, created_at FROM users WHERE email_key = ?",
            (email.strip().lower(),)).fetchone()
        return User(**dict(row)) if row else None

    def user_by_id(self, user_id: str) -> User | None:
        row = self._db.read().execute(
            "SELECT id, email, password_hash, created_at FROM users WHERE id = ?", (user_id,)).fetchone()
        return User(**dict(row)) if row else None

    def timezone_of(self, user_id: str) -> str | None:
        row = self._db.read().execute("SELECT timezone FROM users WHERE id = ?", (user_id,)).fetchone()
        return row[0] if row else None

    def set_timezone(self, user_id: str, timezone: str | None) -> None:
        with self._db.tx() as conn:
            if conn.execute("UPDATE users SET timezone = ? WHERE id = ?", (timezone, user_id)).rowcount == 0:
                raise NotFound("No such user.")

    def add_session(self, session: Session) -> None:
        with self._db.tx() as conn:
            conn.execute(
                "INSERT INTO sessions (id, user_id, created_at, expires_at, revoked) VALUES (?, ?, ?, ?, ?)",
                (session.id, session.user_id, session.created_at, session.expires_at, int(session.revoked)))

    def get_session(self, session_id: str) -> Session | None:
        row = self._db.read().execute(
            "SELECT id, user_id, created_at, expires_at, revoked FROM sessions WHERE id = ?",
            (session_id,)).fetchone()
        if row is None:
            return None
        return Session(**{**dict(row), "revoked": bool(row["revoked"])})

    def revoke_session(self, session_id: str) -> None:
        with self._db.tx() as conn:
            conn.execute("UPDATE sessions SET revoked = 1 WHERE id = ?", (session_id,))

    def add_refresh_token(self, token: RefreshToken) -> None:
        with self._db.tx() as conn:
            conn.execute(
                "INSERT INTO refresh_tokens (jti, session_id, user_id, expires_at, used) VALUES (?, ?, ?, ?, ?)",
                (token.jti, token.session_id, token.user_id, token.expires_at, int(token.used)))

    def use_refresh_token(self, jti: str) -> RefreshToken | None:
        with self._db.tx() as conn:
            cur = conn.execute("UPDATE refresh_tokens SET used = 1 WHERE jti = ? AND used = 0", (jti,))
            if cur.rowcount != 1:
                return None
            row = conn.execute("SELECT jti, session_id, user_id, expires_at FROM refresh_tokens WHERE jti = ?",
                               (jti,)).fetchone()
        return RefreshToken(**dict(row), used=True)

    def hit(self, key: str, *, window_s: int, now: float) -> int:
        with self._db.tx() as conn:
            conn.execute("INSERT INTO hits (key, at) VALUES (?, ?)", (key, now))
            conn.execute("DELETE FROM hits WHERE key = ? AND at <= ?", (key, now - window_s))
            if random.randrange(HITS_PRUNE_EVERY) == 0:
                conn.execute("DELETE FROM hits WHERE at <= ?", (now - max(HITS_RETENTION_S, window_s),))
            (count,) = conn.execute("SELECT COUNT(*) FROM hits WHERE key = ? AND at > ?",
                                    (key, now - window_s)).fetchone()
        return int(count)

    def hit_count(self, key: str, *, window_s: int, now: float) -> int:
        """The count within the last window_s without adding one (throttling checks before verifying)."""
        (count,) = self._db.read().execute(
            "SELECT COUNT(*) FROM hits WHERE key = ? AND at > ?", (key, now - window_s)).fetchone()
        return int(count)

    def clear_hits(self, key: str) -> None:
        with self._db.tx() as conn:
            conn.execute("DELETE FROM hits WHERE key = ?", (key,))

    # --- accounts (issue 12): throttling undo, password change, sign-out everywhere, deletion ---------------

    def unhit(self, key: str, *, window_s: int, now: float) -> None:
        """Take back one event counted at `now` (an attempt that turned out not to be a failure)."""
        with self._db.tx() as conn:
            conn.execute("DELETE FROM hits WHERE rowid = (SELECT rowid FROM hits WHERE key = ? AND at = ? LIMIT 1)",
                         (key, now))

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        with self._db.tx() as conn:
            conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))

    def revoke_user_sessions(self, user_id: str, *, keep: str | None = None) -> None:
        with self._db.tx() as conn:
            conn.execute("UPDATE sessions SET revoked = 1 WHERE user_id = ? AND id IS NOT ?", (user_id, keep))

    def delete_user(self, user_id: str) -> None:
        """The account, its sessions and refresh tokens, in one transaction."""
        with self._db.tx() as conn:
            conn.execute("DELETE FROM refresh_tokens WHERE user_id = ?", (user_id,))
            conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))
            conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
