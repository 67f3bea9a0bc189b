"""SQLite faces and people (tables in migration 0130_faces.sql).

A Face or Person is stored as face_documents says (a JSON document and its vector as a float32 BLOB) plus the
columns that lookups and lists use.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from typing import Any

import numpy as np

from ...domain.errors import ConcurrentUpdate, NotFound
from ...domain.model import Page
from ...domain.people import Face, Person
from ..face_documents import face_doc, face_from, pack, person_doc, person_from, vectors_of
from .database import SqliteDatabase, decode_cursor, encode_cursor

CHUNK = 500


def _face_of(row: sqlite3.Row) -> Face:
    return face_from(row["doc"], row["embedding"])


def _person_of(row: sqlite3.Row) -> Person:
    return person_from(row["doc"], row["version"], row["centroid_sum"])


def _face_values(face: Face) -> tuple[Any, ...]:
    return (face.owner_id, face.photo_id, face.person_id, int(face.box.x), face.created_at,
            pack(face.embedding), face_doc(face), face.id)


class SqliteFaceStore:
    """The FaceStore port: faces, people and the owner's face grouping setting."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    # --- faces ----------------------------------------------------------------------------------------------

    def add_faces(self, faces: list[Face]) -> None:
        with self._db.tx() as conn:
            conn.executemany("INSERT INTO faces (owner_id, photo_id, person_id, x, created_at, embedding, doc, id)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [_face_values(f) for f in faces])

    def get_face(self, face_id: str, owner_id: str) -> Face | None:
        row = self._db.read().execute(
            "SELECT embedding, doc FROM faces WHERE id = ? AND owner_id = ?", (face_id, owner_id)).fetchone()
        return _face_of(row) if row else None

    def save_face(self, face: Face) -> None:
        with self._db.tx() as conn:
            conn.execute("UPDATE faces SET owner_id = ?, photo_id = ?, person_id = ?, x = ?, created_at = ?,"
                         " embedding = ?, doc = ? WHERE id = ?", _face_values(face))

    def delete_faces(self, face_ids: list[str]) -> None:
        ids = list(dict.fromkeys(face_ids))
        with self._db.tx() as conn:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start:start + CHUNK]
                conn.execute(f"DELETE FROM faces WHERE id IN ({','.join('?' * len(chunk))})", chunk)

    def faces_of_photo(self, photo_id: str) -> list[Face]:
        rows = self._db.read().execute(
            "SELECT embedding, doc FROM faces WHERE photo_id = ? ORDER BY x, id", (photo_id,)).fetchall()
        return [_face_of(r) for r in rows]

    def faces_of_person(self, person_id: str, owner_id: str, *, limit: int = 50,
                        cursor: str | None = None) -> Page:
        limit = max(1, limit)
        where, args = ["person_id = ?", "owner_id = ?"], [person_id, owner_id]
        if cursor:
            created, last_id = decode_cursor(cursor, 2)
            where.append("(created_at, id) > (?, ?)")
            args += [str(created), str(last_id)]
        rows = self._db.read().execute(
            f"SELECT id, created_at, embedding, doc FROM faces WHERE {' AND '.join(where)}"
            " ORDER BY created_at, id LIMIT ?", (*args, limit + 1)).fetchall()
        more, rows = len(rows) > limit, rows[:limit]
        next_cursor = encode_cursor([rows[-1]["created_at"], rows[-1]["id"]]) if more and rows else None
        return Page([_face_of(r) for r in rows], next_cursor)

    # --- people ---------------------------------------------------------------------------------------------

    def add_person(self, person: Person) -> None:
        with self._db.tx() as conn:
            conn.execute("INSERT INTO people (id, owner_id, photo_count, version, centroid_sum, doc)"
                         " VALUES (?, ?, ?, ?, ?, ?)", (person.id, person.owner_id, person.photo_count,
                                                        person.version, pack(person.centroid_sum),
                                                        person_doc(person)))

    def get_person(self, person_id: str, owner_id: str) -> Person | None:
        row = self._db.read().execute(
            "SELECT version, centroid_sum, doc FROM people WHERE id = ? AND owner_id = ?",
            (person_id, owner_id)).fetchone()
        return _person_of(row) if row else None

    def save_person(self, person: Person) -> Person:
        saved = dataclasses.replace(person, version=person.version + 1)
        with self._db.tx() as conn:
            cur = conn.execute("UPDATE people SET photo_count = ?, version = ?, centroid_sum = ?, doc = ?"
                               " WHERE id = ? AND version = ?",
                               (saved.photo_count, saved.version, pack(saved.centroid_sum), person_doc(saved),
                                person.id, person.version))
            if cur.rowcount != 1:
                if conn.execute("SELECT 1 FROM people WHERE id = ?", (person.id,)).fetchone() is None:
                    raise NotFound(f"person {person.id} not found", code="person_not_found")
                raise ConcurrentUpdate(f"person {person.id} was changed by someone else; reload and retry")
        return saved

    def delete_person(self, person_id: str) -> None:
        with self._db.tx() as conn:
            conn.execute("DELETE FROM people WHERE id = ?", (person_id,))

    def list_people(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        limit = max(1, limit)
        where = ["owner_id = ?"]
        args: list[Any] = [owner_id]
        if cursor:
            count, last_id = decode_cursor(cursor, 2)
            where.append("(photo_count < ? OR (photo_count = ? AND id > ?))")
            args += [int(count), int(count), str(last_id)]
        rows = self._db.read().execute(
            f"SELECT id, photo_count, version, centroid_sum, doc FROM people WHERE {' AND '.join(where)}"
            " ORDER BY photo_count DESC, id LIMIT ?", (*args, limit + 1)).fetchall()
        more, rows = len(rows) > limit, rows[:limit]
        next_cursor = encode_cursor([rows[-1]["photo_count"], rows[-1]["id"]]) if more and rows else None
        return Page([_person_of(r) for r in rows], next_cursor)

    def people_of_owner(self, owner_id: str) -> list[Person]:
        rows = self._db.read().execute(
            "SELECT version, centroid_sum, doc FROM people WHERE owner_id = ?", (owner_id,)).fetchall()
        return [_person_of(r) for r in rows]

    def person_vectors(self, owner_id: str) -> tuple[list[str], np.ndarray]:
        rows = self._db.read().execute(
            "SELECT id, centroid_sum FROM people WHERE owner_id = ?", (owner_id,)).fetchall()
        return vectors_of([(r[0], r[1]) for r in rows])

    # --- the owner's setting --------------------------------------------------------------------------------

    def face_grouping_enabled(self, owner_id: str) -> bool:
        row = self._db.read().execute(
            "SELECT face_grouping FROM face_settings WHERE owner_id = ?", (owner_id,)).fetchone()
        return True if row is None else bool(row[0])

    def set_face_grouping(self, owner_id: str, enabled: bool) -> None:
        with self._db.tx() as conn:
            conn.execute("INSERT INTO face_settings (owner_id, face_grouping) VALUES (?, ?) ON CONFLICT (owner_id)"
                         " DO UPDATE SET face_grouping = excluded.face_grouping", (owner_id, int(enabled)))

    def delete_face_data(self, owner_id: str) -> None:
        with self._db.tx() as conn:
            conn.execute("DELETE FROM faces WHERE owner_id = ?", (owner_id,))
            conn.execute("DELETE FROM people WHERE owner_id = ?", (owner_id,))
