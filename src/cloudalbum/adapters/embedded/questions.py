"""SQLite follow-up questions (table in migration 0120_questions.sql).

A question is a JSON document plus the columns lists filter and sort on; it goes with its photo (cascade).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ...domain.model import Page, Question, QuestionStatus, question_from_dict, to_dict
from .database import SqliteDatabase, decode_cursor, encode_cursor


def _row_values(q: Question) -> tuple[object, ...]:
    return (q.owner_id, q.photo_id, q.kind, q.subject, q.status, float(q.score), q.created_at,
            json.dumps(to_dict(q), separators=(",", ":"), ensure_ascii=False), q.id)


class SqliteQuestionStore:
    """The QuestionStore port: follow-up questions about photos."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def add_question(self, question: Question) -> None:
        with self._db.tx() as conn:
            conn.execute("INSERT INTO questions (owner_id, photo_id, kind, subject, status, score, created_at, doc,"
                         " id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", _row_values(question))

    def get_question(self, question_id: str, owner_id: str) -> Question | None:
        row = self._db.read().execute(
            "SELECT doc FROM questions WHERE id = ? AND owner_id = ?", (question_id, owner_id)).fetchone()
        return _question_of(row) if row else None

    def save_question(self, question: Question) -> None:
        with self._db.tx() as conn:
            conn.execute("UPDATE questions SET owner_id = ?, photo_id = ?, kind = ?, subject = ?, status = ?,"
                         " score = ?, created_at = ?, doc = ? WHERE id = ?", _row_values(question))

    def open_questions(self, owner_id: str, *, photo_id: str | None = None, limit: int = 50,
                       cursor: str | None = None) -> Page:
        """Open questions, highest score first (then oldest); keyset cursor on (score, created_at, id)."""
        limit = max(1, limit)
        # a trashed photo's questions wait for its restore (one primary-key probe per open question)
        where = ["owner_id = ?", "status = ?",
                 "NOT EXISTS (SELECT 1 FROM photos p WHERE p.id = photo_id AND p.trashed_at IS NOT NULL)"]
        args: list[Any] = [owner_id, QuestionStatus.OPEN.value]
        if photo_id is not None:
            where.append("photo_id = ?")
            args.append(photo_id)
        if cursor:
            score, created, last_id = decode_cursor(cursor, 3)
            where.append("(score < ? OR (score = ? AND (created_at > ? OR (created_at = ? AND id > ?))))")
            args += [float(score), float(score), str(created), str(created), str(last_id)]
        rows = self._db.read().execute(
            f"SELECT id, score, created_at, doc FROM questions WHERE {' AND '.join(where)}"
            " ORDER BY score DESC, created_at, id LIMIT ?", (*args, limit + 1)).fetchall()
        more, rows = len(rows) > limit, rows[:limit]
        next_cursor = encode_cursor([rows[-1]["score"], rows[-1]["created_at"], rows[-1]["id"]]) \
            if more and rows else None
        return Page([_question_of(r) for r in rows], next_cursor)

    def questions_for_photo(self, photo_id: str) -> list[Question]:
        """Every question ever asked about the photo (any status), oldest first."""
        rows = self._db.read().execute(
            "SELECT doc FROM questions WHERE photo_id = ? ORDER BY created_at, id", (photo_id,)).fetchall()
        return [_question_of(r) for r in rows]


def _question_of(row: sqlite3.Row) -> Question:
    return question_from_dict(json.loads(row["doc"]))
