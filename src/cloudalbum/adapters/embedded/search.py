"""SQLite search index (FTS5 text, R*Tree location, label and term tables; migrations 0100-0103).

The photo repository calls `index_photo` / `unindex_photo` inside its own write transaction, so a photo and
its index rows always change together. Queries are built by search_query.search_sql (bounded index probes pick
the row source: see there and docs/performance.md). The reasons of each hit come from the pure rule
domain.search.match_reasons, so SQLite and DynamoDB explain matches alike.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ...domain.batches import same_camera
from ...domain.model import Label, Location, Page, Photo
from ...domain.places import place_role
from ...domain.search import (
    Marker,
    SearchHit,
    SearchQuery,
    fold,
    haversine_km,
    label_key,
    match_reasons,
    person_key,
    place_names,
    plain_words,
    text_fields,
    words,
)
from ...domain.timeline import Timeline, from_counts, is_unfiltered, is_valid_month
from ...domain.times import instant_key, taken_seconds
from .database import SqliteDatabase, encode_cursor, keyset_after
from .duplicates import remove_keys, write_keys
from .photo_rows import load_photos
from .search_query import search_sql

FTS_COLUMNS = ("labels", "categories", "place", "camera", "title", "description", "answers", "date", "people",
               "text")
MAP_MAX_POINTS = 10_000
MEMORIES_SQL = ("SELECT photo_id FROM search_doc INDEXED BY search_doc_owner_monthday WHERE owner_id = ?"
                " AND substr(taken_day, 6, 5) = ? AND taken_day < ? ORDER BY taken_day DESC, photo_id DESC LIMIT ?")


@dataclass
class IndexRows:
    """Everything the index keeps about one photo, as rows (shared by the per-photo write and bulk loads)."""

    doc: tuple[Any, ...]
    labels: list[tuple[Any, ...]] = field(default_factory=list)
    terms: list[tuple[Any, ...]] = field(default_factory=list)
    fts: tuple[Any, ...] = ()
    geo: tuple[Any, ...] | None = None


def index_rows(photo: Photo, docid: int, sort_key: str) -> IndexRows:
    """The rows of one photo in the search tables (docid is search_doc's integer key)."""
    loc = photo.location
    visible = photo.visible_labels()
    doc = (docid, photo.id, photo.owner_id, sort_key, photo.status,
           (photo.taken_at or "")[:10] or None, taken_seconds(photo.taken_at),
           loc.lat if loc else None, loc.lon if loc else None, photo.taken_at,
           json.dumps([[lbl.name, round(lbl.confidence, 4)] for lbl in visible], separators=(",", ":")),
           json.dumps([lbl.name for lbl in visible], separators=(",", ":"), ensure_ascii=False),
           json.dumps([loc.lon, loc.lat], separators=(",", ":")) if loc else None, place_role(photo))
    best: dict[str, float] = {}
    for lbl in visible:
        key = label_key(lbl.name)
        if key:
            best[key] = max(best.get(key, 0.0), lbl.confidence)
    labels = [(docid, photo.owner_id, key, conf, sort_key, photo.id) for key, conf in best.items()]
    term_values = ({("place", fold(n)) for n in place_names(photo)} | {("category", fold(c)) for c in photo.categories}
                   | {("person", person_key(n)) for n in photo.people_names()}
                   | {("person_id", f.person_id) for f in photo.faces if f.person_id}
                   | {("text", w) for w in plain_words(photo.text.joined() if photo.text else "")})
    terms = [(docid, photo.owner_id, kind, value, sort_key, photo.id) for kind, value in sorted(term_values)]
    fields = text_fields(photo)
    fts = (docid, *(" ".join(words(fields[c])) for c in FTS_COLUMNS))
    geo = (docid, loc.lon, loc.lon, loc.lat, loc.lat) if loc else None
    return IndexRows(doc, labels, terms, fts, geo)


DOC_INSERT = ("INSERT INTO search_doc (docid, photo_id, owner_id, sort_key, status, taken_day, taken_ts, lat, lon,"
              " taken_at, labels, label_names, coords, place_role) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
LABEL_INSERT = ("INSERT INTO search_label (docid, owner_id, label, confidence, sort_key, photo_id)"
                " VALUES (?, ?, ?, ?, ?, ?)")
TERM_INSERT = "INSERT INTO search_term (docid, owner_id, kind, value, sort_key, photo_id) VALUES (?, ?, ?, ?, ?, ?)"
FTS_INSERT = f"INSERT INTO search_fts (rowid, {', '.join(FTS_COLUMNS)}) VALUES (?{', ?' * len(FTS_COLUMNS)})"
GEO_INSERT = "INSERT INTO search_geo (docid, min_lon, max_lon, min_lat, max_lat) VALUES (?, ?, ?, ?, ?)"


def write_index_rows(conn: sqlite3.Connection, rows: Iterable[IndexRows]) -> None:
    """Insert the index rows of many photos (bulk loads pass thousands; executemany per table)."""
    rows = list(rows)
    conn.executemany(DOC_INSERT, [r.doc for r in rows])
    conn.executemany(LABEL_INSERT, [lbl for r in rows for lbl in r.labels])
    conn.executemany(TERM_INSERT, [t for r in rows for t in r.terms])
    conn.executemany(FTS_INSERT, [r.fts for r in rows])
    conn.executemany(GEO_INSERT, [r.geo for r in rows if r.geo])


class SqliteSearchIndex:
    """The SearchIndex port over the search_* tables, plus the index writes of the photo repository."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    # --- writes (inside the photo write's transaction) -----------------------------------------------------

    def index_photo(self, conn: sqlite3.Connection, photo: Photo) -> None:
        """(Re)write the search index rows of one photo, inside the caller's transaction. A trashed photo has
        none (nothing finds it, at no cost to any query) and its album memberships are flagged out of albums;
        a restore writes them back. The photo's duplicate lookup rows are written here too (none in the trash)."""
        row = conn.execute("SELECT sort_key FROM photos WHERE id = ?", (photo.id,)).fetchone()
        sort_key = row[0] if row else instant_key(photo.taken_at, photo.uploaded_at)
        trashed = int(photo.trashed_at is not None)
        conn.execute("UPDATE album_photos SET trashed = ? WHERE photo_id = ? AND trashed <> ?",
                     (trashed, photo.id, trashed))
        if trashed:
            self.unindex_photo(conn, photo.id)
            return
        old = conn.execute("SELECT docid FROM search_doc WHERE photo_id = ?", (photo.id,)).fetchone()
        if old is not None:
            self.unindex_photo(conn, photo.id)
        docid = old[0] if old is not None else None
        if docid is None:
            (docid,) = conn.execute("SELECT COALESCE(MAX(docid), 0) + 1 FROM search_doc").fetchone()
        write_index_rows(conn, [index_rows(photo, docid, sort_key)])
        write_keys(conn, photo)
        conn.execute("UPDATE album_photos SET sort_key = ? WHERE photo_id = ? AND sort_key <> ?",
                     (sort_key, photo.id, sort_key))

    def unindex_photo(self, conn: sqlite3.Connection, photo_id: str) -> None:
        """Remove the search index rows (and duplicate lookup rows) of one photo, inside the caller's transaction."""
        remove_keys(conn, photo_id)
        row = conn.execute("SELECT docid FROM search_doc WHERE photo_id = ?", (photo_id,)).fetchone()
        if row is None:
            return
        for table in ("search_label", "search_term"):  # the foreign keys cascade too; this does not rely on it
            conn.execute(f"DELETE FROM {table} WHERE docid = ?", (row[0],))
        conn.execute("DELETE FROM search_doc WHERE docid = ?", (row[0],))  # the trigger cleans FTS and R*Tree

    # --- queries ---------------------------------------------------------------------------------------------

    def _search_conn(self) -> sqlite3.Connection:
        conn = self._db.read()
        conn.create_function("ca_distance_km", 4, _distance, deterministic=True)
        return conn

    def _page_rows(self, owner_id: str, query: SearchQuery, columns: str, limit: int,
                   cursor: str | None) -> list[sqlite3.Row]:
        conn = self._search_conn()
        sql = search_sql(conn, owner_id, query)
        if cursor:
            args: list[Any] = []
            sql.add(keyset_after(cursor, f"{sql.sort}.sort_key", f"{sql.sort}.photo_id", args), *args)
        text = (f"SELECT {columns} FROM {sql.source} WHERE {sql.where}"
                f" ORDER BY {sql.sort}.sort_key DESC, {sql.sort}.photo_id DESC LIMIT ?")
        return conn.execute(text, (*sql.all_args(), limit)).fetchall()

    def explain_search(self, owner_id: str, query: SearchQuery, *, cursor: str | None = None) -> list[str]:
        """EXPLAIN QUERY PLAN of a search (tests check that an index drives it)."""
        conn = self._search_conn()
        sql = search_sql(conn, owner_id, query)
        text = (f"EXPLAIN QUERY PLAN SELECT d.photo_id FROM {sql.source} WHERE {sql.where}"
                f" ORDER BY {sql.sort}.sort_key DESC, {sql.sort}.photo_id DESC LIMIT 50")
        return [row[3] for row in conn.execute(text, sql.all_args()).fetchall()]

    def search(self, owner_id: str, query: SearchQuery, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of SearchHit, newest taken first, keyset cursor on (sort_key, photo id)."""
        limit = max(1, limit)
        rows = self._page_rows(owner_id, query, "d.photo_id AS photo_id, d.sort_key AS sort_key", limit + 1,
                               cursor)
        more, rows = len(rows) > limit, rows[:limit]
        photos = load_photos(self._db.read(), [r["photo_id"] for r in rows])
        album_name = self._album_name(owner_id, query.album_id) if query.album_id else None
        hits = [SearchHit(p, match_reasons(p, query, album_name=album_name) or []) for p in photos]
        next_cursor = encode_cursor([rows[-1]["sort_key"], rows[-1]["photo_id"]]) if more and rows else None
        return Page(items=hits, next_cursor=next_cursor)

    def timeline(self, owner_id: str, query: SearchQuery) -> Timeline:
        """Unfiltered: the owner's search_month rows (kept by triggers on search_doc, migration 0220), one
        primary-key range. Filtered: the search's row source grouped by month (it counts the matches)."""
        conn = self._search_conn()
        if is_unfiltered(query):
            rows = conn.execute("SELECT month, count FROM search_month WHERE owner_id = ?", (owner_id,)).fetchall()
        else:
            sql = search_sql(conn, owner_id, query)
            rows = conn.execute(f"SELECT substr(d.taken_day, 1, 7) AS month, COUNT(*) AS count FROM {sql.source}"
                                f" WHERE {sql.where} GROUP BY 1", sql.all_args()).fetchall()
        counts: dict[str | None, int] = {}
        for month, count in rows:
            key = month if month and is_valid_month(month) else None
            counts[key] = counts.get(key, 0) + int(count)
        return from_counts(counts)

    def photos_on_day(self, owner_id: str, month_day: str, *, before_year: str, limit: int = 200) -> list[Photo]:
        """From the expression index search_doc_owner_monthday (owner, MM-DD of taken_day, taken_day)."""
        conn = self._search_conn()
        rows = conn.execute(MEMORIES_SQL, (owner_id, month_day, before_year, max(1, limit))).fetchall()
        return load_photos(self._db.read(), [r[0] for r in rows])

    def explain_timeline(self, owner_id: str) -> list[str]:
        """EXPLAIN QUERY PLAN of the unfiltered timeline (tests check that the primary key drives it)."""
        conn = self._search_conn()
        return [row[3] for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT month, count FROM search_month WHERE owner_id = ?", (owner_id,)).fetchall()]

    def _album_name(self, owner_id: str, album_id: str) -> str | None:
        row = self._db.read().execute(
            "SELECT name FROM albums WHERE id = ? AND owner_id = ?", (album_id, owner_id)).fetchone()
        return row[0] if row else None

    def map_points(self, owner_id: str, query: SearchQuery, *, limit: int = MAP_MAX_POINTS) -> list[Photo]:
        """Located photos matching query, newest first. For speed these Photos are built from the index alone:
        id, owner_id, taken_at, location (lat, lon) and labels (name, confidence) are filled, nothing else."""
        return [_marker(owner_id, r) for r in self._located_rows(owner_id, query, max(1, limit))]

    def map_markers(self, owner_id: str, query: SearchQuery, *, limit: int = MAP_MAX_POINTS) -> list[Marker]:
        """The fast path of the map: markers straight from the index (label names extracted by SQLite)."""
        rows = self._located_rows(owner_id, query, max(1, limit),
                                  "d.photo_id, d.lat, d.lon, d.taken_at, d.label_names")
        return [Marker(pid, lat, lon, taken, labels_json=names) for pid, lat, lon, taken, names in rows]

    def map_features_json(self, owner_id: str, query: SearchQuery, *, limit: int = MAP_MAX_POINTS,
                          thumbnail_url: str = "{id}") -> str:
        """The fastest path of the map: the JSON array of GeoJSON Point features, assembled by SQLite from the
        covering index (no Python object per point). thumbnail_url is a template with "{id}"."""
        prefix, _, suffix = thumbnail_url.partition("{id}")
        feature = ("""'{"type":"Feature","geometry":{"type":"Point","coordinates":' || d.coords ||"""
                   """ '},"properties":{"id":' || json_quote(d.photo_id) || ',"thumbnail_url":' ||"""
                   """ json_quote(? || d.photo_id || ?) || ',"taken_at":' || json_quote(d.taken_at) ||"""
                   """ ',"labels":' || d.label_names || '}}'""")
        conn = self._search_conn()
        sql = search_sql(conn, owner_id, query)
        sql.add("d.lat IS NOT NULL")
        text = (f"SELECT '[' || COALESCE(group_concat(f, ','), '') || ']' FROM (SELECT {feature} AS f"
                f" FROM {sql.source} WHERE {sql.where} ORDER BY {sql.sort}.sort_key DESC, {sql.sort}.photo_id DESC"
                " LIMIT ?)")
        features: str = conn.execute(text, (prefix, suffix, *sql.all_args(), max(1, limit))).fetchone()[0]
        return features

    def _located_rows(self, owner_id: str, query: SearchQuery, limit: int,
                      columns: str = "d.photo_id, d.taken_at, d.lat, d.lon, d.labels, d.status") -> list[sqlite3.Row]:
        conn = self._search_conn()
        sql = search_sql(conn, owner_id, query)
        sql.add("d.lat IS NOT NULL")
        text = (f"SELECT {columns} FROM {sql.source}"
                f" WHERE {sql.where} ORDER BY {sql.sort}.sort_key DESC, {sql.sort}.photo_id DESC"
                " LIMIT ?")
        return conn.execute(text, (*sql.all_args(), limit)).fetchall()

    def photos_near_in_time(self, owner_id: str, *, taken_at: str, window_s: int,
                            lat: float | None, lon: float | None, radius_km: float,
                            limit: int = 200) -> list[Photo]:
        """Photos of one owner taken within window_s of taken_at (and within radius_km of lat, lon when given),
        closest in time first."""
        ts = taken_seconds(taken_at)
        if ts is None:
            return []
        where, args = ["owner_id = ?", "taken_ts BETWEEN ? AND ?"], [owner_id, ts - window_s, ts + window_s]
        if lat is not None and lon is not None:
            where.append("lat IS NOT NULL AND ca_distance_km(lat, lon, ?, ?) <= ?")
            args += [lat, lon, radius_km]
        rows = self._search_conn().execute(
            f"SELECT photo_id FROM search_doc WHERE {' AND '.join(where)} ORDER BY abs(taken_ts - ?), photo_id"
            " LIMIT ?", (*args, ts, limit)).fetchall()
        return load_photos(self._db.read(), [r[0] for r in rows])

    def photos_by_camera(self, owner_id: str, make: str | None, model: str | None, *, limit: int) -> list[Photo]:
        """The FTS camera column finds the photos whose camera has every word of the one named (whole words), in
        list order; each is then checked for the exact camera (domain.batches.same_camera)."""
        wanted = list(dict.fromkeys(words(" ".join(v for v in (make, model) if v))))
        if not wanted:
            return []
        match = " AND ".join(f'camera : "{w}"' for w in wanted)
        rows = self._search_conn().execute(
            "SELECT d.photo_id FROM search_fts f JOIN search_doc d ON d.docid = f.rowid"
            " WHERE search_fts MATCH ? AND d.owner_id = ? ORDER BY d.sort_key DESC, d.photo_id DESC",
            (match, owner_id)).fetchall()
        ids = [r[0] for r in rows]
        out: list[Photo] = []
        for start in range(0, len(ids), 200):
            for photo in load_photos(self._db.read(), ids[start:start + 200]):
                if photo.owner_id == owner_id and same_camera(photo.camera, make, model):
                    out.append(photo)
                    if len(out) >= limit:
                        return out
        return out


def _distance(lat: float | None, lon: float | None, lat0: float, lon0: float) -> float | None:
    if lat is None or lon is None:
        return None
    return haversine_km(lat0, lon0, lat, lon)


def _marker(owner_id: str, row: sqlite3.Row) -> Photo:
    labels = [Label(name=n, confidence=c) for n, c in json.loads(row["labels"] or "[]")]
    return Photo(id=row["photo_id"], owner_id=owner_id, filename="", content_type="", bytes=0, original_key="",
                 uploaded_at="", status=row["status"], taken_at=row["taken_at"],
                 location=Location(lat=row["lat"], lon=row["lon"]), labels=labels)
