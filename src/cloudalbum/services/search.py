"""Search and map use cases: parse the API's query parameters, ask the store, nothing else.

The store finds candidates through its own indexes and explains each hit with domain.search.match_reasons.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from ..domain.errors import Invalid
from ..domain.model import Page, Photo
from ..domain.search import Marker, SearchQuery, marker_of, parse_search_params
from ..ports import Geocoder, MetadataStore

MAX_LIMIT = 200
MAP_LIMIT = 10_000
THUMBNAIL_URL = "/api/photos/{id}/thumbnail?size=small"


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

    def map_geojson(self, owner_id: str, query: SearchQuery, *, limit: int = MAP_LIMIT,
                    thumbnail_url: str = THUMBNAIL_URL) -> str:
        """The map as GeoJSON text: a FeatureCollection of Point features ([lon, lat]) with properties id,
        thumbnail_url (the template's "{id}" filled in), taken_at and label names. Up to 10,000 points, so a
        store that can assemble the features itself (SQLite) does; otherwise they are written from markers."""
        limit = max(1, min(limit, MAP_LIMIT))
        fast = getattr(self.store, "map_features_json", None)
        if fast is not None:
            features = fast(owner_id, query, limit=limit, thumbnail_url=thumbnail_url)
        else:
            features = features_json(self.map_markers(owner_id, query, limit=limit), thumbnail_url)
        return '{"type":"FeatureCollection","features":' + features + "}"


def features_json(markers: list[Marker], thumbnail_url: str = THUMBNAIL_URL) -> str:
    """The JSON array of GeoJSON Point features of the markers (json.dumps of each value, written directly:
    ten times cheaper than building dicts for 10,000 points)."""
    dumps = json.dumps
    prefix, _, suffix = thumbnail_url.partition("{id}")
    parts = []
    for m in markers:
        parts.append(
            '{"type":"Feature","geometry":{"type":"Point","coordinates":[%r,%r]},"properties":{"id":%s,'
            '"thumbnail_url":%s,"taken_at":%s,"labels":%s}}'
            % (float(m.lon), float(m.lat), dumps(m.id), dumps(prefix + m.id + suffix), dumps(m.taken_at),
               m.labels_json or dumps(m.labels)))
    return "[" + ",".join(parts) + "]"
