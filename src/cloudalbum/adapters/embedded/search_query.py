"""Building the SQL of a search: every parameter as a filter on search_doc d, and the row source that drives it.

A query counts its candidate sets with bounded index probes, walks the smallest index kept in list order (newest
first: a label's, a place's or category's, an album's, else the owner's photos) or fetches a small FTS5/R*Tree
set, and checks the other parameters through per-photo indexed lookups, so a page of 50 never scans a library
(see _choose_driver and docs/performance.md). The probes read through the connection the query will run on.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from ...domain.search import (
    WORD_FIELDS,
    BBox,
    LabelOrWords,
    SearchQuery,
    fold,
    label_key,
    person_key,
    place_parts,
    plain_words,
    query_words,
)
from ...domain.times import day_keys

SMALL_SET = 2_000  # an unordered candidate set (FTS, R*Tree) this small is fetched whole and sorted
PROBE_CAP = 20_001  # candidate counts are exact up to this


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
class SearchSql:
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


def _exact_box(sql: SearchSql, box: BBox) -> None:
    """The exact test on the stored (64-bit) coordinates, as domain.search.BBox.contains."""
    sql.add("d.lat BETWEEN ? AND ?", box.min_lat, box.max_lat)
    if box.min_lon <= box.max_lon:
        sql.add("d.lon BETWEEN ? AND ?", box.min_lon, box.max_lon)
    else:
        sql.add("(d.lon >= ? OR d.lon <= ?)", box.min_lon, box.max_lon)


def _label_sets(sql: SearchSql, query: SearchQuery) -> None:
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


def search_sql(conn: sqlite3.Connection, owner_id: str, query: SearchQuery) -> SearchSql:
    """Every parameter as a filter on search_doc d, then the driving row source (see _choose_driver)."""
    sql = SearchSql()
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
    terms += [("text", w) for w in dict.fromkeys(plain_words(query.text))] if query.text else []
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
    if query.undated:
        tagged[("undated",)] = sql.add("d.taken_day IS NULL")
    expr = fts_expression(query)
    box = query.bbox or (query.near.bbox() if query.near else None)
    if query.bbox:
        _exact_box(sql, query.bbox)
    if query.near:
        _exact_box(sql, query.near.bbox())
        sql.add("ca_distance_km(d.lat, d.lon, ?, ?) <= ?", query.near.lat, query.near.lon,
                query.near.radius_km)
    _choose_driver(conn, sql, owner_id, query, keys, terms, expr, box, tagged)
    return sql


def _choose_driver(conn: sqlite3.Connection, sql: SearchSql, owner_id: str, query: SearchQuery, keys: list[str],
                   terms: list[tuple[str, str]], expr: str | None, box: BBox | None,
                   tagged: dict[tuple[str, ...], tuple[str, list[Any]]]) -> None:
    """Pick the row source by counting each candidate with a bounded index probe (at most PROBE_CAP rows).

    Indexes kept in list order (a label's, a place's or category's, an album's, else the owner's photos)
    are walked newest first until a page is full: with A candidates of which M match, about 50*A/M rows,
    never more than A, so the smallest candidate is walked. A small unordered set (FTS5 match, R*Tree box:
    at most SMALL_SET rows) that is smaller still is fetched whole and sorted instead. Either way the work
    is bounded by the smallest candidate set, never by the library."""
    word_walks, word_sets = _label_word_candidates(conn, owner_id, query)
    walks = _walk_candidates(conn, owner_id, query, keys, terms) + word_walks
    sets = _set_candidates(conn, expr, box) + _group_candidates(conn, owner_id, query) + word_sets
    walk = min(walks, key=lambda c: c[0], default=None)
    fetch = min(sets, key=lambda c: c[0], default=None)
    if fetch is not None and fetch[0] <= SMALL_SET and (walk is None or fetch[0] < walk[0]):
        sql.drive(fetch[1], "d", *fetch[2])
    elif walk is not None:
        sql.drive(walk[1], "drv", *walk[2], instead_of=tagged.get(walk[3]))
    else:
        sql.drive("search_doc d INDEXED BY search_doc_owner_sort", "d")
    if query.date_from or query.date_to:  # a local day in [from, to] has its UTC instant in day_keys' range
        sql.add(f"{sql.sort}.sort_key >= ? AND {sql.sort}.sort_key <= ?", *day_keys(query.date_from, query.date_to))
    if expr and not sql.source.startswith("(SELECT rowid"):
        # "+": a membership test per walked row, never an index constraint looped over the whole match list
        sql.add("+d.docid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)", expr)


def _probe(conn: sqlite3.Connection, inner: str, args: list[Any]) -> int:
    """How many rows inner yields, counted up to PROBE_CAP (an index range read, stopped early)."""
    row = conn.execute(f"SELECT COUNT(*) FROM ({inner} LIMIT {PROBE_CAP})", args).fetchone()
    return int(row[0])


def _walk_candidates(conn: sqlite3.Connection, owner_id: str, query: SearchQuery, keys: list[str],
                     terms: list[tuple[str, str]]) -> list[tuple[int, str, list[Any], tuple[str, ...]]]:
    """(count, row source walked in list order, its arguments, the filter it replaces) per label, place or
    category term and album of the query."""
    walks: list[tuple[int, str, list[Any], tuple[str, ...]]] = []
    for key in dict.fromkeys(keys):
        args = [owner_id, key, query.min_confidence]
        n = _probe(conn, "SELECT 1 FROM search_label INDEXED BY search_label_owner_conf WHERE owner_id = ?"
                   " AND label = ? AND confidence >= ?", args)
        walks.append((n, "search_label drv INDEXED BY search_label_owner_sort" + _COVERED_DOC +
                      " AND drv.owner_id = ? AND drv.label = ? AND drv.confidence >= ?", args, ("label", key)))
    for kind, value in terms:
        args = [owner_id, kind, value]
        n = _probe(conn, "SELECT 1 FROM search_term INDEXED BY search_term_owner_sort WHERE owner_id = ?"
                   " AND kind = ? AND value = ?", args)
        walks.append((n, "search_term drv INDEXED BY search_term_owner_sort" + _COVERED_DOC +
                      " AND drv.owner_id = ? AND drv.kind = ? AND drv.value = ?", args, (kind, value)))
    if query.undated:  # a partial index of the owner's undated photos, in list order
        n = _probe(conn, "SELECT 1 FROM search_doc INDEXED BY search_doc_owner_undated WHERE owner_id = ?"
                   " AND taken_day IS NULL", [owner_id])
        walks.append((n, "search_doc drv INDEXED BY search_doc_owner_undated" + _COVERED_DOC +
                      " AND drv.owner_id = ? AND drv.taken_day IS NULL", [owner_id], ("undated",)))
    if query.album_id:
        n = _probe(conn, "SELECT 1 FROM album_photos INDEXED BY album_photos_sort WHERE album_id = ?",
                   [query.album_id])
        walks.append((n, "album_photos drv INDEXED BY album_photos_sort" + _COVERED_DOC + " AND drv.album_id = ?",
                      [query.album_id], ("album",)))
    return walks


def _set_candidates(conn: sqlite3.Connection, expr: str | None, box: BBox | None) -> list[tuple[int, str, list[Any]]]:
    """(count, row source, its arguments) of the unordered candidate sets: the FTS5 match, the R*Tree box."""
    sets: list[tuple[int, str, list[Any]]] = []
    if expr:
        inner = "SELECT rowid AS docid FROM search_fts WHERE search_fts MATCH ?"
        sets.append((_probe(conn, inner, [expr]),
                     f"({inner}) drv CROSS JOIN search_doc d ON d.docid = drv.docid", [expr]))
    if box is not None:
        geo, geo_args = _geo_ranges(box)
        sets.append((_probe(conn, geo, geo_args),
                     f"({geo}) drv CROSS JOIN search_doc d ON d.docid = drv.docid", geo_args))
    return sets


def _group_candidates(conn: sqlite3.Connection, owner_id: str, query: SearchQuery) -> list[tuple[int, str, list[Any]]]:
    """A label group's photos ("pets": cat or dog) as an unordered set from the label index, so a rare
    group is fetched and sorted instead of found by walking the owner's photos (its filter stays)."""
    sets: list[tuple[int, str, list[Any]]] = []
    for group in query.any_labels:
        keys = list(dict.fromkeys(label_key(x) for x in group))
        inner = ("SELECT DISTINCT docid FROM search_label INDEXED BY search_label_owner_conf WHERE owner_id = ?"
                 f" AND label IN ({', '.join('?' * len(keys))}) AND confidence >= ?")
        args = [owner_id, *keys, query.min_confidence]
        sets.append((_probe(conn, inner, args), f"({inner}) drv CROSS JOIN search_doc d ON d.docid = drv.docid",
                     args))
    return sets


def _label_word_candidates(conn: sqlite3.Connection, owner_id: str, query: SearchQuery
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
        per_key = [_probe(conn, "SELECT 1 FROM search_label INDEXED BY search_label_owner_conf"
                          " WHERE owner_id = ? AND label = ? AND confidence >= ?",
                          [owner_id, key, query.min_confidence])
                   for key in keys]
        others = sum(_probe(conn, select, set_args) for _, select, _, set_args in parts[1 if keys else 0:])
        inner = " UNION ".join(select for _, select, _, _ in parts)
        args = [a for _, _, _, set_args in parts for a in set_args]
        sets.append((sum(per_key) + others, f"({inner}) drv CROSS JOIN search_doc d ON d.docid = drv.docid",
                     args))
        live = [(n, key) for n, key in zip(per_key, keys, strict=False) if n]
        if others == 0 and len(live) <= 1:
            n, key = live[0] if live else (0, keys[0]) if keys else (0, "")
            walks.append((n, "search_label drv INDEXED BY search_label_owner_sort" + _COVERED_DOC +
                          " AND drv.owner_id = ? AND drv.label = ? AND drv.confidence >= ?",
                          [owner_id, key, query.min_confidence], ("label_words", key)))
    return walks, sets
