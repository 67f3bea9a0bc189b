"""SQLite duplicates (issue 15 item 2; tables in 0240_duplicates.sql): the DuplicateStore port, and the lookup
rows the photo repository writes in each photo's own transaction (`write_keys`, through the search index)."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Sequence

from ...domain.duplicates import DuplicateGroup, Fingerprint, Probe, as_probe, key_rows
from ...domain.errors import ConcurrentUpdate
from ...domain.model import Page, Photo
from ...ports.duplicates import Candidate
from .database import SqliteDatabase, decode_cursor, encode_cursor
from .photo_rows import photo_of


def write_keys(conn: sqlite3.Connection, photo: Photo) -> None:
    """Bring the photo's lookup rows and fingerprint row to its fingerprint (none in the trash), inside the
    caller's transaction; rows that stay are not rewritten (a row of before migration 0280 gains its `near`)."""
    fp = photo.fingerprint
    wanted = {r.key: r.near or None for r in key_rows(fp)} if fp is not None and photo.trashed_at is None else {}
    have = {r[0]: r[1] for r in conn.execute("SELECT key, near FROM dup_keys WHERE photo_id = ?", (photo.id,))}
    if set(have) - set(wanted):
        conn.executemany("DELETE FROM dup_keys WHERE owner_id = ? AND key = ? AND photo_id = ?",
                         [(photo.owner_id, k, photo.id) for k in set(have) - set(wanted)])
    if fp is None or not wanted:
        conn.execute("DELETE FROM dup_prints WHERE photo_id = ?", (photo.id,))
        return
    conn.execute("INSERT INTO dup_prints (photo_id, owner_id, fp) VALUES (?, ?, ?) ON CONFLICT (photo_id)"
                 " DO UPDATE SET fp = excluded.fp WHERE fp <> excluded.fp", (photo.id, photo.owner_id, fp.to_text()))
    conn.executemany("INSERT INTO dup_keys (owner_id, key, photo_id, near) VALUES (?, ?, ?, ?)"
                     " ON CONFLICT (owner_id, key, photo_id) DO UPDATE SET near = excluded.near",
                     [(photo.owner_id, k, photo.id, near) for k, near in wanted.items()
                      if k not in have or have[k] != near])


def remove_keys(conn: sqlite3.Connection, photo_id: str) -> None:
    conn.execute("DELETE FROM dup_keys WHERE photo_id = ?", (photo_id,))
    conn.execute("DELETE FROM dup_prints WHERE photo_id = ?", (photo_id,))


def lookup_sql(probes: int) -> str:
    """The lookup of `probes` (key, near) pairs, then owner_id and the limit: a probe of the primary key per
    pair, the prefilter on the rows found, and only the rows that pass joined to their fingerprints."""
    values = ",".join("(?, ?)" for _ in range(probes))
    return (f"WITH q (key, near) AS (VALUES {values})"
            " SELECT p.photo_id, p.fp FROM (SELECT DISTINCT k.photo_id FROM q"
            " JOIN dup_keys k ON k.owner_id = ? AND k.key = q.key WHERE dup_near(k.near, q.near) LIMIT ?) c"
            " JOIN dup_prints p ON p.photo_id = c.photo_id")


class SqliteDuplicateStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def candidates(self, owner_id: str, keys: Sequence[str | Probe], *, limit: int = 500) -> list[Candidate]:
        """One probe of the primary key per (key, near); the prefilter (dup_near) runs on the index rows, so
        only the rows that pass are joined to their fingerprints."""
        probes = list(dict.fromkeys(as_probe(k) for k in keys))
        if not probes:
            return []
        rows = self._db.read().execute(lookup_sql(len(probes)), (
            *(v for p in probes for v in (p.key, p.near or None)), owner_id, limit)).fetchall()
        return [Candidate(r["photo_id"], Fingerprint.from_text(r["fp"])) for r in rows]

    def taken_between(self, owner_id: str, start: str, end: str, *, limit: int = 50) -> list[Photo]:
        rows = self._db.read().execute(
            "SELECT id, version, doc FROM photos WHERE owner_id = ? AND trashed_at IS NULL"
            " AND sort_key BETWEEN ? AND ? ORDER BY sort_key DESC, id DESC LIMIT ?",
            (owner_id, start, end, limit)).fetchall()
        return [photo_of(r) for r in rows]

    # --- groups ---------------------------------------------------------------------------------------------

    def get_group(self, group_id: str, owner_id: str) -> DuplicateGroup | None:
        row = self._db.read().execute("SELECT owner_id, version, doc FROM dup_groups WHERE id = ?",
                                      (group_id,)).fetchone()
        return _group(row) if row is not None and row["owner_id"] == owner_id else None

    def group_of(self, photo_id: str, owner_id: str) -> DuplicateGroup | None:
        row = self._db.read().execute(
            "SELECT g.owner_id, g.version, g.doc FROM dup_members m JOIN dup_groups g ON g.id = m.group_id"
            " WHERE m.photo_id = ? AND m.owner_id = ?", (photo_id, owner_id)).fetchone()
        return _group(row) if row is not None else None

    def list_groups(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        limit = max(1, limit)
        where, args = "owner_id = ?", [owner_id]
        if cursor:
            (after,) = decode_cursor(cursor, 1)
            where += " AND id > ?"
            args.append(str(after))
        rows = self._db.read().execute(f"SELECT id, owner_id, version, doc FROM dup_groups WHERE {where}"
                                       " ORDER BY id LIMIT ?", (*args, limit + 1)).fetchall()
        more, rows = len(rows) > limit, rows[:limit]
        return Page([_group(r) for r in rows], encode_cursor([rows[-1]["id"]]) if more and rows else None)

    def save_group(self, group: DuplicateGroup, *, previous: DuplicateGroup | None) -> DuplicateGroup:
        saved = dataclasses.replace(group, version=(previous.version if previous else group.version) + 1)
        with self._db.tx() as conn:
            if previous is None:
                try:
                    conn.execute("INSERT INTO dup_groups (id, owner_id, version, doc) VALUES (?, ?, ?, ?)",
                                 (saved.id, saved.owner_id, saved.version, _doc(saved)))
                except sqlite3.IntegrityError as exc:
                    raise ConcurrentUpdate(f"duplicate group {group.id} exists") from exc
            else:
                cur = conn.execute("UPDATE dup_groups SET version = ?, doc = ? WHERE id = ? AND version = ?",
                                   (saved.version, _doc(saved), group.id, previous.version))
                if cur.rowcount != 1:
                    raise ConcurrentUpdate(f"duplicate group {group.id} changed; read it again")
            before = set(previous.photo_ids) if previous else set()
            gone = before - set(saved.photo_ids)
            conn.executemany("DELETE FROM dup_members WHERE photo_id = ? AND group_id = ?",
                             [(p, group.id) for p in gone])
            try:
                conn.executemany("INSERT INTO dup_members (photo_id, group_id, owner_id) VALUES (?, ?, ?)",
                                 [(p, group.id, group.owner_id) for p in saved.photo_ids if p not in before])
            except sqlite3.IntegrityError as exc:  # in another open group (or gone): the caller reads again
                raise ConcurrentUpdate("a photo of the group is in another group now; read again") from exc
        return saved

    def delete_group(self, group: DuplicateGroup, *, dismissed: bool = False) -> None:
        with self._db.tx() as conn:
            row = conn.execute("SELECT version FROM dup_groups WHERE id = ? AND owner_id = ?",
                               (group.id, group.owner_id)).fetchone()
            if row is None:
                return
            if int(row[0]) != group.version:
                raise ConcurrentUpdate(f"duplicate group {group.id} changed; read it again")
            if dismissed:
                conn.executemany(
                    "INSERT OR IGNORE INTO dup_dismissed (photo_id, group_id, owner_id)"
                    " SELECT id, ?, owner_id FROM photos WHERE id = ? AND owner_id = ?",
                    [(group.id, p, group.owner_id) for p in group.photo_ids])
            conn.execute("DELETE FROM dup_groups WHERE id = ?", (group.id,))  # members cascade

    def dismissals(self, owner_id: str, photo_ids: list[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        if not photo_ids:
            return out
        marks = ",".join("?" * len(photo_ids))
        for r in self._db.read().execute(f"SELECT photo_id, group_id FROM dup_dismissed WHERE owner_id = ?"
                                         f" AND photo_id IN ({marks})", (owner_id, *photo_ids)):
            out.setdefault(r["photo_id"], set()).add(r["group_id"])
        return out

    def forget_photo(self, owner_id: str, photo_id: str) -> None:
        with self._db.tx() as conn:
            conn.execute("DELETE FROM dup_dismissed WHERE photo_id = ? AND owner_id = ?", (photo_id, owner_id))


def _doc(group: DuplicateGroup) -> str:
    d = dataclasses.asdict(group)
    d.pop("version")
    return json.dumps(d, separators=(",", ":"))


def _group(row: sqlite3.Row) -> DuplicateGroup:
    return DuplicateGroup(**json.loads(row["doc"]), version=int(row["version"]))
