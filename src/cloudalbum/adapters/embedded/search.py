"""SQLite search index (FTS5 text, R*Tree location, label and term tables): a mixin of SqliteMetadataStore.

Every photo write calls `_index_photo` in its transaction (migrations 0100-0103 for the tables). A query
counts its candidate sets with bounded index probes, walks the smallest index kept in list order (newest
first: a label's, a place's or category's, an album's, else the owner's photos) or fetches a small FTS5/R*Tree
set, and checks the other parameters through per-photo indexed lookups, so a page of 50 never scans a library
(see _choose_driver and docs/performance.md). The reasons of each hit
come from the pure rule domain.search.match_reasons, so SQLite and DynamoDB explain matches alike.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any, Iterable

from ...domain.model import Label, Location, Page, Photo
from ...domain.times import taken_seconds
from ...domain.search import (
    WORD_FIELDS, BBox, LabelOrWords, Marker, SearchHit, SearchQuery, fold, haversine_km, label_key, match_reasons,
    person_key, place_names, place_parts, query_words, text_fields, words,
)
from .albums import keyset_after
from .database import encode_cursor

FTS_COLUMNS = ("labels", "categories", "place", "camera", "title", "description", "answers", "date", "people")
MAP_MAX_POINTS = 10_000
SMALL_SET = 2_000  # an unordered candidate set (FTS, R*Tree) this small is fetched whole and sorted
PROBE_CAP = 20_001  # candidate counts are exact up to this


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
           json.dumps([loc.lon, loc.lat], separators=(",", ":")) if loc else None)
    best: dict[str, float] = {}
    for lbl in visible:
        key = label_key(lbl.name)
        if key:
            best[key] = max(best.get(key, 0.0), lbl.confidence)
    labels = [(docid, photo.owner_id, key, conf, sort_key, photo.id) for key, conf in best.items()]
    term_values = ({("place", fold(n)) for n in place_names(photo)} | {("category", fold(c)) for c in photo.categories}
                   | {("person", person_key(n)) for n in photo.people_names()}
                   | {("person_id", f.person_id) for f in photo.faces if f.person_id})
    terms = [(docid, photo.owner_id, kind, value, sort_key, photo.id) for kind, value in sorted(term_values)]
    fields = text_fields(photo)
    fts = (docid, *(" ".join(words(fields[c])) for c in FTS_COLUMNS))
    geo = (docid, loc.lon, loc.lon, loc.lat, loc.lat) if loc else None
    return IndexRows(doc, labels, terms, fts, geo)


DOC_INSERT = ("INSERT INTO search_doc (docid, photo_id, owner_id, sort_key, status, taken_day, taken_ts, lat, lon,"
              " taken_at, labels, label_names, coords) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
LABEL_INSERT = "INSERT INTO search_label (docid, owner_id, label, confidence, sort_key, photo_id) VALUES (?, ?, ?, ?, ?, ?)"
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


def fts_expression(query: SearchQuery) -> str | None:
    """The FTS5 MATCH expression of q (any column) and camera (the camera column): prefix terms, all ANDed.
    Words are letters and digits only (domain.search.words), so quoting them is safe."""
    parts = [f'"{w}"*' for w in query_words(query.q)]
    parts += [f'camera : "{w}"*' for w in query_words(query.camera)]
    return " AND ".join(parts) or None


def words_expression(term: LabelOrWords) -> str | None:
    """The FTS5 MATCH expression of a LabelOrWords' phrases in the photo's own words (WORD_FIELDS columns):
    any phrase, every word of it a prefix term. None when no phrase has a word."""
    phrases = [" AND ".join(f'"{w}"*' for w in ws) for ws in (query_words(p) for p in term.phrases) if ws]
    if not phrases:
        return None
    return "{" + " ".join(WORD_FIELDS) + "} : (" + " OR ".join(f"({p})" for p in phrases) + ")"


def _label_or_words_parts(term: LabelOrWords, owner_id: str, min_confidence: float
                          ) -> list[tuple[str, str, list[Any], list[Any]]]:
    """The ways a photo meets a LabelOrWords (a label at min_confidence, the category, the words in the FTS
    index), each as (membership test on d, the set of its docids, the test's arguments, the set's)."""
    parts: list[tuple[str, str, list[Any], list[Any]]] = []
    keys = list(dict.fromkeys(label_key(x) for x in term.labels if label_key(x)))
    if keys:
        marks = ", ".join("?" * len(keys))
        parts.append(("EXISTS (SELECT 1 FROM search_label x WHERE x.docid = d.docid AND x.label IN"
                      f" ({marks}) AND x.confidence >= ?)",
                      "SELECT docid FROM search_label INDEXED BY search_label_owner_conf WHERE owner_id = ?"
                      f" AND label IN ({marks}) AND confidence >= ?",
                      [*keys, min_confidence], [owner_id, *keys, min_confidence]))
    if term.category:
        cat = fold(term.category.strip())
        parts.append(("EXISTS (SELECT 1 FROM search_term t WHERE t.docid = d.docid AND t.kind = 'category'"
                      " AND t.value = ?)",
                      "SELECT docid FROM search_term INDEXED BY search_term_owner_sort WHERE owner_id = ?"
                      " AND kind = 'category' AND value = ?", [cat], [owner_id, cat]))
    expr = words_expression(term)
    if expr:
        parts.append(("+d.docid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)",
                      "SELECT rowid AS docid FROM search_fts WHERE search_fts MATCH ?", [expr], [expr]))
    return parts


@dataclass
class _Sql:
    """A query under construction: the driving row source and the filters on search_doc d."""

    source: str = ""
    sort: str = "d"  # alias whose (sort_key, photo_id) orders the rows: the driver's when it is walked in order
    source_args: list[Any] = field(default_factory=list)
    filters: list[tuple[str, list[Any]]] = field(default_factory=list)

    def add(self, clause: str, *args: Any) -> tuple[str, list[Any]]:
        self.filters.append((clause, list(args)))
        return self.filters[-1]

    def drive(self, source: str, sort: str, *args: Any, instead_of: tuple[str, list[Any]] | None = None) -> None:
        """Use source as the row source; `instead_of` is the filter it makes redundant (a walked label's)."""
        self.source, self.sort, self.source_args = source, sort, list(args)
        if instead_of is not None:
            self.filters = [f for f in self.filters if f is not instead_of]

    @property
    def where(self) -> str:
        return " AND ".join(clause for clause, _ in self.filters)

    def all_args(self) -> list[Any]:
        return [*self.source_args, *(a for _, args in self.filters for a in args)]


def _geo_ranges(box: BBox) -> tuple[str, list[float]]:
    """R*Tree range query (a prefilter: it stores 32-bit floats, so a hair wider) of a box; two ranges when
    the box crosses the antimeridian."""
    lon_ranges = [(box.min_lon, box.max_lon)] if box.min_lon <= box.max_lon else [(box.min_lon, 180.0),
                                                                                  (-180.0, box.max_lon)]
    geo = " UNION ALL ".join(
        "SELECT docid FROM search_geo WHERE max_lon >= ? AND min_lon <= ? AND max_lat >= ? AND min_lat <= ?"
        for _ in lon_ranges)
    args = [v for lo, hi in lon_ranges for v in (lo - 1e-4, hi + 1e-4, box.min_lat - 1e-4, box.max_lat + 1e-4)]
    return geo, args


def _exact_box(sql: _Sql, box: BBox) -> None:
    """The exact test on the stored (64-bit) coordinates, as domain.search.BBox.contains."""
    sql.add("d.lat BETWEEN ? AND ?", box.min_lat, box.max_lat)
    if box.min_lon <= box.max_lon:
        sql.add("d.lon BETWEEN ? AND ?", box.min_lon, box.max_lon)
    else:
        sql.add("(d.lon >= ? OR d.lon <= ?)", box.min_lon, box.max_lon)


def _label_sets(sql: _Sql, query: SearchQuery) -> None:
    """A sentence's label groups (any one of them) and negated labels (none of them), at min_confidence."""
    for group in query.any_labels:
        keys = list(dict.fromkeys(label_key(x) for x in group))
        sql.add("EXISTS (SELECT 1 FROM search_label x WHERE x.docid = d.docid AND x.label IN"
                f" ({', '.join('?' * len(keys))}) AND x.confidence >= ?)", *keys, query.min_confidence)
    if query.not_labels:
        keys = list(dict.fromkeys(label_key(x) for x in query.not_labels))
        sql.add("NOT EXISTS (SELECT 1 FROM search_label x WHERE x.docid = d.docid AND x.label IN"
                f" ({', '.join('?' * len(keys))}) AND x.confidence >= ?)", *keys, query.min_confidence)
    for term in query.label_words:  # a label, the category or the words: any one of them
        parts = _label_or_words_parts(term, "", query.min_confidence)
        sql.add("(" + (" OR ".join(test for test, _, _, _ in parts) or "0") + ")",
                *(a for _, _, args, _ in parts for a in args))


# A walked index row finds its photo in the owner's covering index by (owner, sort_key, photo id) - the same
# key both keep - so filters and map features read no table row.
_COVERED_DOC = (" CROSS JOIN search_doc d INDEXED BY search_doc_owner_sort ON d.owner_id = drv.owner_id"
                " AND d.sort_key = drv.sort_key AND d.photo_id = drv.photo_id")


class SqliteSearchMixin:
    # --- writes (inside the photo write's transaction) -----------------------------------------------------

    def _index_photo(self, conn: sqlite3.Connection, photo: Photo) -> None:
        """(Re)write the search index rows of one photo, inside the caller's transaction."""
        row = conn.execute("SELECT sort_key FROM photos WHERE id = ?", (photo.id,)).fetchone()
        sort_key = row[0] if row else (photo.taken_at or photo.uploaded_at or "")[:19]
        old = conn.execute("SELECT docid FROM search_doc WHERE photo_id = ?", (photo.id,)).fetchone()
        if old is not None:
            self._unindex_photo(conn, photo.id)
        docid = old[0] if old is not None else None
        if docid is None:
            (docid,) = conn.execute("SELECT COALESCE(MAX(docid), 0) + 1 FROM search_doc").fetchone()
        write_index_rows(conn, [index_rows(photo, docid, sort_key)])
        conn.execute("UPDATE album_photos SET sort_key = ? WHERE photo_id = ? AND sort_key <> ?",
                     (sort_key, photo.id, sort_key))

    def _unindex_photo(self, conn: sqlite3.Connection, photo_id: str) -> None:
        """Remove the search index rows of one photo, inside the caller's transaction."""
        row = conn.execute("SELECT docid FROM search_doc WHERE photo_id = ?", (photo_id,)).fetchone()
        if row is None:
            return
        for table in ("search_label", "search_term"):  # the foreign keys cascade too; this does not rely on it
            conn.execute(f"DELETE FROM {table} WHERE docid = ?", (row[0],))
        conn.execute("DELETE FROM search_doc WHERE docid = ?", (row[0],))  # the trigger cleans FTS and R*Tree

    # --- queries ---------------------------------------------------------------------------------------------

    def _search_sql(self, owner_id: str, query: SearchQuery) -> _Sql:
        """Every parameter as a filter on search_doc d, then the driving row source (see _choose_driver)."""
        sql = _Sql()
        places = place_parts(query.place) if query.place else []
        keys = [label_key(x) for x in query.labels]
        sql.add("d.owner_id = ?", owner_id)
        tagged: dict[tuple[str, ...], tuple[str, list[Any]]] = {}
        for key in keys:
            tagged[("label", key)] = sql.add("EXISTS (SELECT 1 FROM search_label x WHERE x.docid = d.docid"
                                             " AND x.label = ? AND x.confidence >= ?)", key, query.min_confidence)
        _label_sets(sql, query)
        cats = ((query.category,) if query.category else ()) + query.categories
        terms = [("place", part) for part in places] + [("category", fold(c.strip())) for c in cats]
        terms += [("person", person_key(name)) for name in ((query.person,) if query.person else ()) + query.people]
        terms += [("person_id", query.person_id)] if query.person_id else []
        for kind, value in terms:
            tagged[(kind, value)] = sql.add(
                "EXISTS (SELECT 1 FROM search_term t WHERE t.docid = d.docid AND t.kind = ? AND t.value = ?)",
                kind, value)
        if query.album_id:
            tagged[("album",)] = sql.add(
                "EXISTS (SELECT 1 FROM album_photos a WHERE a.album_id = ? AND a.photo_id = d.photo_id)",
                query.album_id)
        if query.date_from:
            sql.add("d.taken_day >= ?", query.date_from)
        if query.date_to:
            sql.add("d.taken_day <= ?", query.date_to)
        if query.status:
            sql.add("d.status = ?", query.status)
        expr = fts_expression(query)
        box = query.bbox or (query.near.bbox() if query.near else None)
        if query.bbox:
            _exact_box(sql, query.bbox)
        if query.near:
            _exact_box(sql, query.near.bbox())
            sql.add("ca_distance_km(d.lat, d.lon, ?, ?) <= ?", query.near.lat, query.near.lon,
                    query.near.radius_km)
        self._choose_driver(sql, owner_id, query, keys, terms, expr, box, tagged)
        return sql

    def _choose_driver(self, sql: _Sql, owner_id: str, query: SearchQuery, keys: list[str],
                       terms: list[tuple[str, str]], expr: str | None, box: BBox | None,
                       tagged: dict[tuple[str, ...], tuple[str, list[Any]]]) -> None:
        """Pick the row source by counting each candidate with a bounded index probe (at most PROBE_CAP rows).

        Indexes kept in list order (a label's, a place's or category's, an album's, else the owner's photos)
        are walked newest first until a page is full: with A candidates of which M match, about 50*A/M rows,
        never more than A, so the smallest candidate is walked. A small unordered set (FTS5 match, R*Tree box:
        at most SMALL_SET rows) that is smaller still is fetched whole and sorted instead. Either way the work
        is bounded by the smallest candidate set, never by the library."""
        word_walks, word_sets = self._label_word_candidates(owner_id, query)
        walks = self._walk_candidates(owner_id, query, keys, terms) + word_walks
        sets = self._set_candidates(expr, box) + self._group_candidates(owner_id, query) + word_sets
        walk = min(walks, key=lambda c: c[0], default=None)
        fetch = min(sets, key=lambda c: c[0], default=None)
        if fetch is not None and fetch[0] <= SMALL_SET and (walk is None or fetch[0] < walk[0]):
            sql.drive(fetch[1], "d", *fetch[2])
        elif walk is not None:
            sql.drive(walk[1], "drv", *walk[2], instead_of=tagged.get(walk[3]))
        else:
            sql.drive("search_doc d INDEXED BY search_doc_owner_sort", "d")
        if query.date_from or query.date_to:  # taken_day in [from, to] <=> sort_key in [from, to + "T~")
            sql.add(f"{sql.sort}.sort_key >= ? AND {sql.sort}.sort_key < ?", query.date_from or "",
                    (query.date_to or "9999-12-31") + "T~")
        if expr and not sql.source.startswith("(SELECT rowid"):
            # "+": a membership test per walked row, never an index constraint looped over the whole match list
            sql.add("+d.docid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)", expr)

    def _probe(self, inner: str, args: list[Any]) -> int:
        """How many rows inner yields, counted up to PROBE_CAP (an index range read, stopped early)."""
        row = self._search_conn().execute(f"SELECT COUNT(*) FROM ({inner} LIMIT {PROBE_CAP})", args).fetchone()
        return int(row[0])

    def _walk_candidates(self, owner_id: str, query: SearchQuery, keys: list[str],
                         terms: list[tuple[str, str]]) -> list[tuple[int, str, list[Any], tuple[str, ...]]]:
        """(count, row source walked in list order, its arguments, the filter it replaces) per label, place or
        category term and album of the query."""
        walks: list[tuple[int, str, list[Any], tuple[str, ...]]] = []
        for key in dict.fromkeys(keys):
            args = [owner_id, key, query.min_confidence]
            n = self._probe("SELECT 1 FROM search_label INDEXED BY search_label_owner_conf WHERE owner_id = ?"
                            " AND label = ? AND confidence >= ?", args)
            walks.append((n, "search_label drv INDEXED BY search_label_owner_sort" + _COVERED_DOC +
                          " AND drv.owner_id = ? AND drv.label = ? AND drv.confidence >= ?", args, ("label", key)))
        for kind, value in terms:
            args = [owner_id, kind, value]
            n = self._probe("SELECT 1 FROM search_term INDEXED BY search_term_owner_sort WHERE owner_id = ?"
                            " AND kind = ? AND value = ?", args)
            walks.append((n, "search_term drv INDEXED BY search_term_owner_sort" + _COVERED_DOC +
                          " AND drv.owner_id = ? AND drv.kind = ? AND drv.value = ?", args, (kind, value)))
        if query.album_id:
            n = self._probe("SELECT 1 FROM album_photos INDEXED BY album_photos_sort WHERE album_id = ?",
                            [query.album_id])
            walks.append((n, "album_photos drv INDEXED BY album_photos_sort" + _COVERED_DOC + " AND drv.album_id = ?",
                          [query.album_id], ("album",)))
        return walks

    def _set_candidates(self, expr: str | None, box: BBox | None) -> list[tuple[int, str, list[Any]]]:
        """(count, row source, its arguments) of the unordered candidate sets: the FTS5 match, the R*Tree box."""
        sets: list[tuple[int, str, list[Any]]] = []
        if expr:
            inner = "SELECT rowid AS docid FROM search_fts WHERE search_fts MATCH ?"
            sets.append((self._probe(inner, [expr]),
                         f"({inner}) drv CROSS JOIN search_doc d ON d.docid = drv.docid", [expr]))
        if box is not None:
            geo, geo_args = _geo_ranges(box)
            sets.append((self._probe(geo, geo_args),
                         f"({geo}) drv CROSS JOIN search_doc d ON d.docid = drv.docid", geo_args))
        return sets

    def _group_candidates(self, owner_id: str, query: SearchQuery) -> list[tuple[int, str, list[Any]]]:
        """A label group's photos ("pets": cat or dog) as an unordered set from the label index, so a rare
        group is fetched and sorted instead of found by walking the owner's photos (its filter stays)."""
        sets: list[tuple[int, str, list[Any]]] = []
        for group in query.any_labels:
            keys = list(dict.fromkeys(label_key(x) for x in group))
            inner = ("SELECT DISTINCT docid FROM search_label INDEXED BY search_label_owner_conf WHERE owner_id = ?"
                     f" AND label IN ({', '.join('?' * len(keys))}) AND confidence >= ?")
            args = [owner_id, *keys, query.min_confidence]
            sets.append((self._probe(inner, args), f"({inner}) drv CROSS JOIN search_doc d ON d.docid = drv.docid",
                         args))
        return sets

    def _label_word_candidates(self, owner_id: str, query: SearchQuery
                               ) -> tuple[list[tuple[int, str, list[Any], tuple[str, ...]]],
                                          list[tuple[int, str, list[Any]]]]:
        """Per LabelOrWords: the union of its label, category and words sets as an unordered set (counted arm
        by arm, an upper bound: a UNION's distinct count would sort a common label's rows); and when all its
        rows are one label's (no photo's own words say it: the usual case), that label's index walked in list
        order, as a label= walk is. A photo written between the count and the page is as if written after."""
        walks: list[tuple[int, str, list[Any], tuple[str, ...]]] = []
        sets: list[tuple[int, str, list[Any]]] = []
        for term in query.label_words:
            parts = _label_or_words_parts(term, owner_id, query.min_confidence)
            if not parts:
                continue
            keys = list(dict.fromkeys(label_key(x) for x in term.labels if label_key(x)))
            per_key = [self._probe("SELECT 1 FROM search_label INDEXED BY search_label_owner_conf WHERE owner_id = ?"
                                   " AND label = ? AND confidence >= ?", [owner_id, key, query.min_confidence])
                       for key in keys]
            others = sum(self._probe(select, set_args) for _, select, _, set_args in parts[1 if keys else 0:])
            inner = " UNION ".join(select for _, select, _, _ in parts)
            args = [a for _, _, _, set_args in parts for a in set_args]
            sets.append((sum(per_key) + others, f"({inner}) drv CROSS JOIN search_doc d ON d.docid = drv.docid",
                         args))
            live = [(n, key) for n, key in zip(per_key, keys) if n]
            if others == 0 and len(live) <= 1:
                n, key = live[0] if live else (0, keys[0]) if keys else (0, "")
                walks.append((n, "search_label drv INDEXED BY search_label_owner_sort" + _COVERED_DOC +
                              " AND drv.owner_id = ? AND drv.label = ? AND drv.confidence >= ?",
                              [owner_id, key, query.min_confidence], ("label_words", key)))
        return walks, sets

    def _search_conn(self) -> sqlite3.Connection:
        conn = self._read()  # type: ignore[attr-defined]
        conn.create_function("ca_distance_km", 4, _distance, deterministic=True)
        return conn

    def _page_rows(self, owner_id: str, query: SearchQuery, columns: str, limit: int,
                   cursor: str | None) -> list[sqlite3.Row]:
        sql = self._search_sql(owner_id, query)
        if cursor:
            args: list[Any] = []
            sql.add(keyset_after(cursor, f"{sql.sort}.sort_key", f"{sql.sort}.photo_id", args), *args)
        text = (f"SELECT {columns} FROM {sql.source} WHERE {sql.where}"
                f" ORDER BY {sql.sort}.sort_key DESC, {sql.sort}.photo_id DESC LIMIT ?")
        return self._search_conn().execute(text, (*sql.all_args(), limit)).fetchall()

    def explain_search(self, owner_id: str, query: SearchQuery, *, cursor: str | None = None) -> list[str]:
        """EXPLAIN QUERY PLAN of a search (tests check that an index drives it)."""
        sql = self._search_sql(owner_id, query)
        text = (f"EXPLAIN QUERY PLAN SELECT d.photo_id FROM {sql.source} WHERE {sql.where}"
                f" ORDER BY {sql.sort}.sort_key DESC, {sql.sort}.photo_id DESC LIMIT 50")
        return [row[3] for row in self._search_conn().execute(text, sql.all_args()).fetchall()]

    def search(self, owner_id: str, query: SearchQuery, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of SearchHit, newest taken first, keyset cursor on (sort_key, photo id)."""
        limit = max(1, limit)
        rows = self._page_rows(owner_id, query, "d.photo_id AS photo_id, d.sort_key AS sort_key", limit + 1,
                               cursor)
        more, rows = len(rows) > limit, rows[:limit]
        photos = self._load_photos(self._read(), [r["photo_id"] for r in rows])  # type: ignore[attr-defined]
        album_name = self._album_name(owner_id, query.album_id) if query.album_id else None
        hits = [SearchHit(p, match_reasons(p, query, album_name=album_name) or []) for p in photos]
        next_cursor = encode_cursor([rows[-1]["sort_key"], rows[-1]["photo_id"]]) if more and rows else None
        return Page(items=hits, next_cursor=next_cursor)

    def _album_name(self, owner_id: str, album_id: str) -> str | None:
        row = self._read().execute(  # type: ignore[attr-defined]
            "SELECT name FROM albums WHERE id = ? AND owner_id = ?", (album_id, owner_id)).fetchone()
        return row[0] if row else None

    def map_points(self, owner_id: str, query: SearchQuery, *, limit: int = MAP_MAX_POINTS) -> list[Photo]:
        """Located photos matching query, newest first. For speed these Photos are built from the index alone:
        id, owner_id, taken_at, location (lat, lon) and labels (name, confidence) are filled, nothing else."""
        return [_marker(owner_id, r) for r in self._located_rows(owner_id, query, max(1, limit))]

    def map_markers(self, owner_id: str, query: SearchQuery, *, limit: int = MAP_MAX_POINTS) -> list[Marker]:
        """The fast path of the map: markers straight from the index (label names extracted by SQLite)."""
        rows = self._located_rows(owner_id, query, max(1, limit), "d.photo_id, d.lat, d.lon, d.taken_at, d.label_names")
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
        sql = self._search_sql(owner_id, query)
        sql.add("d.lat IS NOT NULL")
        text = (f"SELECT '[' || COALESCE(group_concat(f, ','), '') || ']' FROM (SELECT {feature} AS f"
                f" FROM {sql.source} WHERE {sql.where} ORDER BY {sql.sort}.sort_key DESC, {sql.sort}.photo_id DESC"
                " LIMIT ?)")
        return self._search_conn().execute(text, (prefix, suffix, *sql.all_args(), max(1, limit))).fetchone()[0]

    def _located_rows(self, owner_id: str, query: SearchQuery, limit: int,
                      columns: str = "d.photo_id, d.taken_at, d.lat, d.lon, d.labels, d.status") -> list[sqlite3.Row]:
        sql = self._search_sql(owner_id, query)
        sql.add("d.lat IS NOT NULL")
        text = (f"SELECT {columns} FROM {sql.source}"
                f" WHERE {sql.where} ORDER BY {sql.sort}.sort_key DESC, {sql.sort}.photo_id DESC"
                " LIMIT ?")
        return self._search_conn().execute(text, (*sql.all_args(), limit)).fetchall()

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
        return self._load_photos(self._read(), [r[0] for r in rows])  # type: ignore[attr-defined]


def _distance(lat: float | None, lon: float | None, lat0: float, lon0: float) -> float | None:
    if lat is None or lon is None:
        return None
    return haversine_km(lat0, lon0, lat, lon)


def _marker(owner_id: str, row: sqlite3.Row) -> Photo:
    labels = [Label(name=n, confidence=c) for n, c in json.loads(row["labels"] or "[]")]
    return Photo(id=row["photo_id"], owner_id=owner_id, filename="", content_type="", bytes=0, original_key="",
                 uploaded_at="", status=row["status"], taken_at=row["taken_at"],
                 location=Location(lat=row["lat"], lon=row["lon"]), labels=labels)
