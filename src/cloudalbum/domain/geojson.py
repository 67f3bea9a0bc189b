"""Map markers as GeoJSON, written as text: the map endpoint's body for up to 10,000 photos."""

from __future__ import annotations

import json

from .search import Marker

THUMBNAIL_URL = "/api/photos/{id}/thumbnail?size=small"


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
