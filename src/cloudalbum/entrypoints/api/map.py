"""API routes: map (see ../shared/API.md): GeoJSON markers of located photos matching any search."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint

from ...domain.model import Photo
from .auth import current_user_id, token_auth
from .context import container
from .schemas import FeatureCollectionOut, MapQuery
from .search import search_query

bp = APIBlueprint("map", __name__, url_prefix="/api", tag="Map")


def feature(photo: Photo) -> dict[str, Any]:
    """One GeoJSON Point ([lon, lat]) marker."""
    assert photo.location is not None
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [photo.location.lon, photo.location.lat]},
        "properties": {
            "id": photo.id,
            "thumbnail_url": f"/api/photos/{photo.id}/thumbnail?size=small",
            "taken_at": photo.taken_at,
            "labels": [lbl.name for lbl in photo.visible_labels()],
        },
    }


@bp.get("/map")
@bp.auth_required(token_auth)
@bp.input(MapQuery, location="query", arg_name="params")
@bp.output(FeatureCollectionOut)
@bp.doc(summary="Map markers: a GeoJSON FeatureCollection of the located photos matching the search parameters",
        responses={422: "A parameter is not valid"})
def map_points(params: dict[str, Any]) -> Any:
    photos = container().search.map_points(current_user_id(), search_query(params), limit=params["limit"])
    return {"type": "FeatureCollection", "features": [feature(p) for p in photos if p.location is not None]}
