"""DynamoDB search (the SearchIndex port): search, the map, photos near in time, over the index items and GSIs.

Every candidate source a query allows (a label, an album, a place, a category, a person's name or id, the first
letters of a query word, the geohash cells covering a box, a date range, a status, the owner's photos) is a
stream of index_items. A bounded COUNT probe of each picks the smallest; its candidates are re-read and judged by
the one rule, domain.search.match_reasons, until a page is full. So the work is bounded by the matches and the
chosen source, never by a Scan, and a stale index item can only cost a read, never give a wrong answer.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime

from ...domain.batches import same_camera
from ...domain.geojson import features_json
from ...domain.model import Page, Photo, iso
from ...domain.search import (
    LabelOrWords,
    Marker,
    SearchHit,
    SearchQuery,
    fold,
    haversine_km,
    label_key,
    marker_of,
    match_reasons,
    person_key,
    place_parts,
    plain_words,
    query_words,
    words,
)
from ...domain.timeline import Timeline, from_counts, is_unfiltered, month_of
from ...domain.times import day_keys, taken_seconds
from . import cursors as C
from . import keys as K
from .albums import DynamoAlbums
from .geohash import best_cover
from .index_items import IndexItems, Source, page_of
from .photo_items import photo_of
from .table import S, Table, n, s

MAP_MAX_POINTS = 10_000
MAX_TZ_OFFSET_S = 14 * 3600  # a naive taken_at is read as UTC; a time window is widened by this, then checked exactly


class DynamoSearchIndex:
    """Reads only: the index items are written by the photos' repository with each photo."""

    def __init__(self, table: Table, items: IndexItems, albums: DynamoAlbums) -> None:
        self.table, self.items, self.albums = table, items, albums

    def search(self, owner_id: str, query: SearchQuery, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of SearchHit, newest taken first."""
        after = C.decode_position(cursor) if cursor else None
        return page_of(self._matches(owner_id, query, after), limit,
                       lambda photo, reasons: SearchHit(photo, reasons))

    def map_points(self, owner_id: str, query: SearchQuery, *, limit: int = MAP_MAX_POINTS) -> list[Photo]:
        """Located photos matching query, newest first."""
        out: list[Photo] = []
        for photo, _reasons in self._matches(owner_id, query, None):
            if photo.location is not None:
                out.append(photo)
                if len(out) >= max(1, limit):
                    break
        return out

    def map_markers(self, owner_id: str, query: SearchQuery, *, limit: int = MAP_MAX_POINTS) -> list[Marker]:
        """The markers of map_points (the photo items are read either way: there is no cheaper path here)."""
        return [m for m in map(marker_of, self.map_points(owner_id, query, limit=limit)) if m is not None]

    def map_features_json(self, owner_id: str, query: SearchQuery, *, limit: int = MAP_MAX_POINTS,
                          thumbnail_url: str = "{id}") -> str:
        """The GeoJSON features of map_markers, written by domain.geojson."""
        return features_json(self.map_markers(owner_id, query, limit=limit), thumbnail_url)

    def photos_near_in_time(self, owner_id: str, *, taken_at: str, window_s: int,
                            lat: float | None, lon: float | None, radius_km: float,
                            limit: int = 200) -> list[Photo]:
        """Photos taken within window_s of taken_at (and within radius_km when lat, lon are given), closest in
        time first: one range of the owner's GSI1 list (by UTC instant, widened by the largest zone offset)."""
        t0 = taken_seconds(taken_at)
        if t0 is None:
            return []
        span = window_s + MAX_TZ_OFFSET_S
        lo = iso(datetime.fromtimestamp(t0 - span, UTC))[:19]
        hi = iso(datetime.fromtimestamp(t0 + span, UTC))[:19] + "~"
        found: list[tuple[float, str, Photo]] = []
        for item in self.table.query(index="GSI1", pk_name="GSI1PK", pk=K.owner_photos_pk(owner_id),
                                     sk_name="GSI1SK", sk_cond="#sk BETWEEN :lo AND :hi",
                                     values={":lo": S(lo), ":hi": S(hi)}):
            photo = photo_of(item)
            ts = taken_seconds(photo.taken_at)
            if ts is None or abs(ts - t0) > window_s:
                continue
            if lat is not None and lon is not None:
                loc = photo.location
                if loc is None or haversine_km(lat, lon, loc.lat, loc.lon) > radius_km:
                    continue
            found.append((abs(ts - t0), photo.id, photo))
        found.sort(key=lambda t: (t[0], t[1]))
        return [p for _, _, p in found[:limit]]

    def photos_by_camera(self, owner_id: str, make: str | None, model: str | None, *, limit: int) -> list[Photo]:
        """The text-prefix partition (T) of one word of the camera's name, the smallest by a bounded probe,
        holds every photo of that camera (its words are indexed by their first letters); each candidate is
        re-read and checked for the exact camera."""
        wanted = list(dict.fromkeys(words(" ".join(v for v in (make, model) if v))))
        if not wanted:
            return []
        sources = [Source(None, (K.ix_pk(owner_id, "T", w[:K.TEXT_PREFIX]),)) for w in wanted]
        best = sources[0] if len(sources) == 1 else min(sources, key=self.items.probe)
        out: list[Photo] = []
        for photo, _pos in self.items.resolve(self.items.stream(best, None),
                                              lambda p: p.owner_id == owner_id and same_camera(p.camera, make, model)):
            out.append(photo)
            if len(out) >= limit:
                break
        return out

    # --- candidates -----------------------------------------------------------------------------------------

    def timeline(self, owner_id: str, query: SearchQuery) -> Timeline:
        """Unfiltered: one Query of the owner's month counters (K.month_key, moved with each photo's write), a
        few items per year of photos. Filtered: the matches of the search, counted by month."""
        counts: dict[str | None, int] = {}
        if is_unfiltered(query):
            for item in self.table.query(pk=K.owner_pk(owner_id), sk_cond="begins_with(#sk, :m)",
                                         values={":m": S(K.MONTH_PREFIX)}, page=1000):
                value = (s(item, "SK") or "")[len(K.MONTH_PREFIX):]
                counts[None if value == K.UNDATED_MONTH else value] = int(n(item, "count"))
        else:
            for photo, _reasons in self._matches(owner_id, query, None):
                counts[month_of(photo.taken_at)] = counts.get(month_of(photo.taken_at), 0) + 1
        return from_counts(counts)

    def photos_on_day(self, owner_id: str, month_day: str, *, before_year: str, limit: int = 200) -> list[Photo]:
        """One partition of "MD" index items (K.index_entries), read newest first below the year's positions."""
        stream = self.items.stream(Source(None, (K.ix_pk(owner_id, "MD", month_day),)), before_year)
        found = self.items.resolve(stream, lambda p: p.owner_id == owner_id
                                   and (p.taken_at or "")[5:10] == month_day and (p.taken_at or "")[:4] < before_year)
        return [photo for photo, _pos in itertools.islice(found, max(1, limit))]

    def _matches(self, owner_id: str, query: SearchQuery, after: str | None) -> Iterator[tuple[Photo, list[str]]]:
        album_name = self.albums.album_name(owner_id, query.album_id) if query.album_id else None
        for photo, _pos in self.items.resolve(self._candidates(owner_id, query, after),
                                              lambda p: p.owner_id == owner_id):
            reasons = match_reasons(photo, query, album_name=album_name)
            if reasons is not None:
                yield photo, reasons

    def _candidates(self, owner_id: str, query: SearchQuery, after: str | None
                    ) -> Iterator[tuple[str, dict[str, object]]]:
        """The stream of the most selective source (the owner's whole list when the query names none)."""
        sources = sources_of(owner_id, query) or [Source("GSI1", (K.owner_photos_pk(owner_id),))]
        best = sources[0] if len(sources) == 1 else min(sources, key=self.items.probe)
        return self.items.stream(best, after)


def sources_of(owner_id: str, query: SearchQuery) -> list[Source]:
    """Every candidate source the query allows (each alone already contains every match)."""
    out: list[Source] = []
    for wanted in query.labels[:1]:
        out.append(Source(None, (K.ix_pk(owner_id, "L", label_key(wanted)),), min_conf=query.min_confidence))
    if query.album_id:
        out.append(Source(None, (K.ix_pk(owner_id, "A", query.album_id),)))
    if query.place and place_parts(query.place):
        out.append(Source(None, (K.ix_pk(owner_id, "P", place_parts(query.place)[0]),)))
    for group in query.any_labels[:1]:  # its labels' partitions merged: every match has one of them
        out.append(Source(None, tuple(dict.fromkeys(K.ix_pk(owner_id, "L", label_key(x)) for x in group)),
                          min_conf=query.min_confidence))
    for term in query.label_words[:2]:
        source = _label_or_words_source(owner_id, term, query.min_confidence)
        if source is not None:
            out.append(source)
    for cat in (((query.category,) if query.category else ()) + query.categories)[:2]:
        out.append(Source(None, (K.ix_pk(owner_id, "C", fold(cat.strip())),)))
    for name in (((query.person,) if query.person else ()) + query.people)[:2]:
        if person_key(name):
            out.append(Source(None, (K.ix_pk(owner_id, "N", person_key(name)),)))
    if query.person_id:
        out.append(Source(None, (K.ix_pk(owner_id, "PID", query.person_id),)))
    long_words = [w for w in query_words(query.q) if len(w) >= K.TEXT_PREFIX]
    if long_words:
        out.append(Source(None, (K.ix_pk(owner_id, "T", max(long_words, key=len)[:K.TEXT_PREFIX]),)))
    read_words = plain_words(query.text) if query.text else []
    if read_words:  # the longest word's partition (match_reasons checks every word, whole)
        out.append(Source(None, (K.ix_pk(owner_id, "TW", max(read_words, key=len)[:K.TEXT_WORD_MAX]),)))
    box = query.bbox or (query.near.bbox() if query.near else None)
    if box is not None:
        cells = best_cover(box)
        pks = tuple(K.ix_pk(owner_id, "G", c) for c in cells) if cells else (K.ix_pk(owner_id, "LOC", "all"),)
        out.append(Source(None, pks))
    if query.date_from or query.date_to:  # a range of the owner's list, by UTC instant, widened by the widest
        lo, hi = day_keys(query.date_from, query.date_to)  # offsets (the rule checks the local day itself)
        out.append(Source("GSI1", (K.owner_photos_pk(owner_id),), lo=lo or "0000", hi=hi + "~"))
    if query.status:
        out.append(Source("GSI2", (K.owner_status_pk(owner_id, query.status),)))
    if query.undated:
        out.append(Source(None, (K.ix_pk(owner_id, "U", "all"),)))
    return out


def _label_or_words_source(owner_id: str, term: LabelOrWords, min_confidence: float) -> Source | None:
    """A LabelOrWords' candidates: its labels' partitions (at min_confidence), its category's, and for each
    phrase the text partition of its longest word; None when a phrase has no word long enough for one (the
    union would miss its matches)."""
    pks = [K.ix_pk(owner_id, "L", key) for key in dict.fromkeys(label_key(x) for x in term.labels) if key]
    if term.category:
        pks.append(K.ix_pk(owner_id, "C", fold(term.category.strip())))
    for phrase in term.phrases:
        long_words = [w for w in query_words(phrase) if len(w) >= K.TEXT_PREFIX]
        if not long_words and query_words(phrase):
            return None
        if long_words:
            pks.append(K.ix_pk(owner_id, "T", max(long_words, key=len)[:K.TEXT_PREFIX]))
    return Source(None, tuple(dict.fromkeys(pks)), min_conf=min_confidence) if pks else None
