"""Search and map use cases: read q as a sentence, ask the search index, nothing else.

The index finds candidates through its own indexes and explains each hit with domain.search.match_reasons.
The API's query parameters are read into a SearchQuery at the edge (entrypoints.api.search_params).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ..domain.errors import Invalid
from ..domain.geojson import THUMBNAIL_URL
from ..domain.model import Page
from ..domain.query_language import Interpretation, apply_interpretation, parse_query
from ..domain.search import SearchQuery
from ..domain.text import fold
from ..domain.timeline import Memory, Timeline, memories_of, memory_days
from ..ports import FaceStore, Geocoder, SearchIndex

MAX_LIMIT = 200
MAP_LIMIT = 10_000
MEMORY_LIMIT = 200


def check_limit(limit: int) -> int:
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"limit must be between 1 and {MAX_LIMIT}", code="validation_error")
    return limit


class SearchService:
    """Search over the owner's photos (index), reading q with the owner's named people (faces) and the
    offline gazetteer (geocoder) as what it knows of the world."""

    def __init__(self, index: SearchIndex, faces: FaceStore, geocoder: Geocoder | None = None,
                 today: Callable[[], date] = date.today) -> None:
        self.index = index
        self.faces = faces
        self.geocoder = geocoder
        self.today = today

    def search(self, owner_id: str, query: SearchQuery, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of SearchHit (photo + reasons), newest taken first; only the owner's photos."""
        check_limit(limit)
        if impossible(query):
            return Page(items=[], next_cursor=None)
        return self.index.search(owner_id, query, limit=limit, cursor=cursor)

    def read(self, owner_id: str, query: SearchQuery) -> tuple[SearchQuery, Interpretation]:
        """q read as a sentence (domain.query_language) and ANDed with the explicit parameters: the query to
        run and how q was read. The owner's named people and the offline gazetteer are what it knows."""
        if not query.q:
            return query, parse_query(None, today=self.today(), text=query.text)
        reading = parse_query(query.q, today=self.today(), people=self._people_names(owner_id),
                              known_place=self.known_place, text=query.text)
        return apply_interpretation(query, reading), reading

    def _people_names(self, owner_id: str) -> list[str]:
        """The owner's named people (the most photographed first, up to a page of 200)."""
        return [p.name for p in self.faces.list_people(owner_id, limit=200).items if p.name]

    def known_place(self, name: str) -> str | None:
        """The place a phrase names, as photos' places spell it, when the gazetteer knows it by exactly that
        name (city, region, country or code, accents and case ignored) or it is a country's alias ("usa");
        its nearest guesses ("sea" -> Seattle) are not taken."""
        found = self.geocoder.forward(name) if self.geocoder is not None else None
        if found is None:
            return None
        place = found[2]
        for value in (place.city, place.region, place.country, place.country_code):
            if value and fold(value) == fold(name):
                return value
        return place.country if place.city is None and place.region is None else None

    def map_geojson(self, owner_id: str, query: SearchQuery, *, limit: int = MAP_LIMIT,
                    thumbnail_url: str = THUMBNAIL_URL) -> str:
        """The map as GeoJSON text: a FeatureCollection of Point features ([lon, lat]) with properties id,
        thumbnail_url (the template's "{id}" filled in), taken_at and label names. Up to 10,000 points, so
        the index writes the features itself (domain.geojson.features_json where it has no faster way)."""
        limit = max(1, min(limit, MAP_LIMIT))
        features = "[]" if impossible(query) else self.index.map_features_json(
            owner_id, query, limit=limit, thumbnail_url=thumbnail_url)
        return '{"type":"FeatureCollection","features":' + features + "}"


    def timeline(self, owner_id: str, query: SearchQuery) -> Timeline:
        """The owner's photos matching query per month, newest month first, and the undated ones."""
        return Timeline() if impossible(query) else self.index.timeline(owner_id, query)


    def memories(self, owner_id: str, date: str) -> list[Memory]:
        """"On this day": the owner's photos taken on date's month and day in earlier years, by year (most
        recent first), at most MEMORY_LIMIT photos; 29 February's come back on 28 February of other years."""
        photos = [p for month_day in memory_days(date)
                  for p in self.index.photos_on_day(owner_id, month_day, before_year=date[:4], limit=MEMORY_LIMIT)]
        return memories_of(date, photos[:MEMORY_LIMIT])


def impossible(query: SearchQuery) -> bool:
    """Dates that do not overlap ("2014 2016"), or a date with undated: nothing matches, and no store is asked (a
    DynamoDB key condition refuses a range whose start is after its end)."""
    return bool(query.date_from and query.date_to and query.date_from > query.date_to) or bool(
        query.undated and (query.date_from or query.date_to))
