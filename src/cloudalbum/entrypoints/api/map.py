"""API routes: map (see ../shared/API.md): GeoJSON markers of located photos matching any search.

Up to 10,000 features: the body is written directly (json.dumps per value) rather than through the
marshmallow output schema, which would cost ten times more; FeatureCollectionOut still documents it."""

from __future__ import annotations

import json
from typing import Any

from apiflask import APIBlueprint
from flask import Response

from ...domain.search import Marker
from .auth import current_user_id, token_auth
from .context import container
from .schemas import FeatureCollectionOut, MapQuery
from .search import search_query

bp = APIBlueprint("map", __name__, url_prefix="/api", tag="Map")


def thumbnail_url(photo_id: str) -> str:
    return f"/api/photos/{photo_id}/thumbnail?size=small"


def feature(marker: Marker) -> dict[str, Any]:
    """One GeoJSON Point ([lon, lat]) marker."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [marker.lon, marker.lat]},
        "properties": {"id": marker.id, "thumbnail_url": thumbnail_url(marker.id), "taken_at": marker.taken_at,
                       "labels": marker.labels},
    }


def feature_collection_json(markers: list[Marker]) -> str:
    """The FeatureCollection as JSON text, equal to json.dumps of feature() for each marker, made faster."""
    dumps = json.dumps
    parts = []
    for m in markers:
        pid = dumps(m.id)  # a JSON string; its inside stays valid JSON inside the URL's quotes
        parts.append(
            '{"type":"Feature","geometry":{"type":"Point","coordinates":[%r,%r]},"properties":{"id":%s,'
            '"thumbnail_url":"/api/photos/%s/thumbnail?size=small","taken_at":%s,"labels":%s}}'
            % (float(m.lon), float(m.lat), pid, pid[1:-1], dumps(m.taken_at), m.labels_json or dumps(m.labels)))
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"


@bp.get("/map")
@bp.auth_required(token_auth)
@bp.input(MapQuery, location="query", arg_name="params")
@bp.doc(summary="Map markers: a GeoJSON FeatureCollection of the located photos matching the search parameters",
        responses={200: {"description": "GeoJSON FeatureCollection of Point features ([lon, lat])",
                         "content": {"application/json": {"schema": FeatureCollectionOut}}},
                   422: "A parameter is not valid"})
def map_points(params: dict[str, Any]) -> Any:
    markers = container().search.map_markers(current_user_id(), search_query(params), limit=params["limit"])
    return Response(feature_collection_json(markers), status=200, mimetype="application/json")
