"""How a photo is a row of the photos table: its JSON document, its list order key, and loading by ids.

Shared by the repositories that read photos (photos, albums, the search index) so none of them needs another
to turn rows into Photos.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime

from ...domain.model import Page, Photo, iso, photo_from_dict, to_dict
from ...domain.times import instant_key
from .database import encode_cursor

SQLITE_MAX_VARS = 500  # ids per IN (...) chunk, well under SQLite's variable limit


def sort_key(photo: Photo) -> str:
    """The list order key: the UTC instant of taken_at (else uploaded_at), "YYYY-MM-DDTHH:MM:SS", the same as
    DynamoDB's positions (domain.times.instant_key). Newest first = descending."""
    return instant_key(photo.taken_at, photo.uploaded_at)


def utc_iso(value: str) -> str:
    """An ISO time as UTC "YYYY-MM-DDTHH:MM:SS+00:00" (the shape of server-made times); naive means UTC."""
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return iso(dt.astimezone(UTC))


def photo_doc(photo: Photo) -> str:
    """The JSON document stored in photos.doc."""
    return json.dumps(to_dict(photo), separators=(",", ":"), ensure_ascii=False)


def photo_of(row: sqlite3.Row) -> Photo:
    """The Photo of a row with doc and version columns."""
    photo = photo_from_dict(json.loads(row["doc"]))
    photo.version = int(row["version"])  # the column is authoritative
    return photo


def load_photos(conn: sqlite3.Connection, ids: list[str]) -> list[Photo]:
    """The photos of ids, in the order of ids (ids that do not exist are left out)."""
    found: dict[str, Photo] = {}
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), SQLITE_MAX_VARS):
        chunk = unique[start:start + SQLITE_MAX_VARS]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT id, version, doc FROM photos WHERE id IN ({marks})", chunk):
            found[row["id"]] = photo_of(row)
    return [found[i] for i in ids if i in found]


def photo_page(rows: Iterable[sqlite3.Row], limit: int) -> Page:
    """A page of photos from up to limit + 1 rows (id, sort_key, version, doc): the extra row means more."""
    rows = list(rows)
    more = len(rows) > limit
    rows = rows[:limit]
    items = [photo_of(r) for r in rows]
    next_cursor = encode_cursor([rows[-1]["sort_key"], rows[-1]["id"]]) if more and rows else None
    return Page(items=items, next_cursor=next_cursor)
