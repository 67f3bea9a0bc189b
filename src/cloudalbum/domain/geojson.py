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
        coordinates = f"[{float(m.lon)!r},{float(m.lat)!r}]"
        properties = (f'{{"id":{dumps(m.id)},"thumbnail_url":{dumps(prefix + m.id + suffix)},'
                      f'"taken_at":{dumps(m.taken_at)},"labels":{m.labels_json or dumps(m.labels)}}}')
        parts.append(f'{{"type":"Feature","geometry":{{"type":"Point","coordinates":{coordinates}}},'
                     f'"properties":{properties}}}')
    return "[" + ",".join(parts) + "]"
