"""API routes: trips (API.md "Time, place, trips, memories"). Another user's trip is a 404, as a missing one."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint

from ...domain.trips import Trip
from .auth import current_user_id, token_auth
from .context import container
from .schemas import AlbumOut, PhotoPage
from .schemas.trips import TripAlbumIn, TripOut, TripPage, TripPhotosQuery, TripsQuery
from .views import album_json, page_json, photo_json

bp = APIBlueprint("trips", __name__, url_prefix="/api", tag="Trips")

NOT_FOUND = {404: "No such trip (or not yours)"}


def trip_json(trip: Trip) -> dict[str, Any]:
    return {"id": trip.id, "title": trip.title, "start": trip.start, "end": trip.end, "places": list(trip.places),
            "photo_count": trip.photo_count, "cover_photo_id": trip.cover_photo_id}


@bp.get("/trips")
@bp.auth_required(token_auth)
@bp.input(TripsQuery, location="query", arg_name="query")
@bp.output(TripPage)
@bp.doc(summary="Your trips (runs of photos taken more than 50 km from home), newest first")
def list_trips(query: dict[str, Any]) -> Any:
    page = container().trips.list_trips(current_user_id(), limit=query["limit"], cursor=query.get("cursor"))
    return page_json([trip_json(t) for t in page.items], page.next_cursor)


@bp.get("/trips/<trip_id>")
@bp.auth_required(token_auth)
@bp.output(TripOut)
@bp.doc(summary="One trip", responses=NOT_FOUND)
def get_trip(trip_id: str) -> Any:
    return trip_json(container().trips.get(current_user_id(), trip_id))


@bp.get("/trips/<trip_id>/photos")
@bp.auth_required(token_auth)
@bp.input(TripPhotosQuery, location="query", arg_name="query")
@bp.output(PhotoPage)
@bp.doc(summary="The trip's photos, oldest first: every photo taken between its first and last photo away, "
                "located or not", responses=NOT_FOUND)
def trip_photos(trip_id: str, query: dict[str, Any]) -> Any:
    page = container().trips.photos_of(current_user_id(), trip_id, limit=query["limit"], cursor=query.get("cursor"))
    return page_json([photo_json(p) for p in page.items], page.next_cursor)


@bp.post("/trips/<trip_id>/album")
@bp.auth_required(token_auth)
@bp.input(TripAlbumIn, arg_name="body")
@bp.output(AlbumOut, status_code=201)
@bp.doc(summary="Make an album of the trip's photos (named after the trip unless a name is given)",
        responses=NOT_FOUND)
def trip_album(trip_id: str, body: dict[str, Any]) -> Any:
    album = container().trips.make_album(current_user_id(), trip_id, body.get("name"))
    return album_json(album), 201
