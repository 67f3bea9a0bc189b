"""API routes: map (see ../shared/API.md): GeoJSON markers of located photos matching any search.

Up to 10,000 features: the service returns the GeoJSON text (assembled by the store where it can) and it is
sent as is, not through the marshmallow output schema, which would cost ten times more; FeatureCollectionOut
documents it."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from flask import Response

from .auth import current_user_id, token_auth
from .context import container
from .schemas import FeatureCollectionOut, MapQuery
from .search_params import search_query

bp = APIBlueprint("map", __name__, url_prefix="/api", tag="Map")

THUMBNAIL_URL = "/api/photos/{id}/thumbnail?size=small"


# OpenAPI responses (APIFlask's hint for `responses` cannot name a dict of mixed shapes).
MAP_RESPONSES: dict[Any, Any] = {
    200: {"description": "GeoJSON FeatureCollection of Point features ([lon, lat])",
          "content": {"application/json": {"schema": FeatureCollectionOut}}},
    422: "A parameter is not valid",
}

@bp.get("/map")
@bp.auth_required(token_auth)
@bp.input(MapQuery, location="query", arg_name="params")
@bp.doc(summary="Map markers: a GeoJSON FeatureCollection of the located photos matching the search parameters",
        responses=MAP_RESPONSES)
def map_points(params: dict[str, Any]) -> Any:
    service, owner = container().search, current_user_id()
    query, _reading = service.read(owner, search_query(params))  # q is read as on the search page
    body = service.map_geojson(owner, query, limit=params["limit"], thumbnail_url=THUMBNAIL_URL)
    return Response(body, status=200, mimetype="application/json")
