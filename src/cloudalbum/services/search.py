"""Search and map use cases: parse the API's query parameters, ask the store, nothing else.

The store finds candidates through its own indexes and explains each hit with domain.search.match_reasons.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..domain.errors import Invalid
from ..domain.model import Page, Photo
from ..domain.search import Marker, SearchQuery, marker_of, parse_search_params
from ..ports import Geocoder, MetadataStore

MAX_LIMIT = 200
MAP_LIMIT = 10_000


def check_limit(limit: int) -> int:
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"limit must be between 1 and {MAX_LIMIT}", code="validation_error")
    return limit


class SearchService:
    def __init__(self, store: MetadataStore, geocoder: Geocoder | None = None) -> None:
        self.store = store
        self.geocoder = geocoder

    @staticmethod
    def parse(params: Mapping[str, Any]) -> SearchQuery:
        """API query parameters to a SearchQuery; bad values raise Invalid (422) saying what is wrong."""
        return parse_search_params(params)

    def search(self, owner_id: str, query: SearchQuery, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of SearchHit (photo + reasons), newest taken first; only the owner's photos."""
        return self.store.search(owner_id, query, limit=check_limit(limit), cursor=cursor)

    def map_points(self, owner_id: str, query: SearchQuery, *, limit: int = MAP_LIMIT) -> list[Photo]:
        """Located photos matching query (at most `limit`, newest first) for map markers."""
        return self.store.map_points(owner_id, query, limit=max(1, min(limit, MAP_LIMIT)))

    def map_markers(self, owner_id: str, query: SearchQuery, *, limit: int = MAP_LIMIT) -> list[Marker]:
        """Map markers; a store with a faster path (SQLite: straight from its index) provides map_markers."""
        limit = max(1, min(limit, MAP_LIMIT))
        fast = getattr(self.store, "map_markers", None)
        if fast is not None:
            return fast(owner_id, query, limit=limit)
        return [m for m in map(marker_of, self.store.map_points(owner_id, query, limit=limit)) if m is not None]
